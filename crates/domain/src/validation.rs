//! Field-level validation that reports every problem at once.
//!
//! A request is checked field by field into a [`Validator`]; the API turns the collected
//! [`FieldError`]s into one `422` problem with an `errors` list, so a client fixes all
//! of its mistakes in one round trip.

use serde::Serialize;

/// One invalid field: its name (a JSON pointer-like path such as `period_end`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field that is wrong, as named in the request body (`title`, `period_end`).
    pub field: String,
    /// What is wrong with it, for a person to read.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects field errors; `finish` succeeds only when there were none.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Records the error of a parse (`Result<T, String>`) under `field`, returning the value.
    pub fn parsed<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Takes over the errors of a nested part, their fields prefixed with its path
    /// (`focus_areas[0].` + `title`).
    pub fn absorb(&mut self, prefix: &str, nested: Validator) {
        self.errors.extend(nested.errors.into_iter().map(|mut e| {
            e.field = format!("{prefix}{}", e.field);
            e
        }));
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_errors_are_named_by_their_path() {
        let mut nested = Validator::new();
        nested.add("title", "must not be blank");
        let mut v = Validator::new();
        v.absorb("focus_areas[0].", nested);
        let errors = v.finish().unwrap_err();
        assert_eq!(errors[0].field, "focus_areas[0].title");
    }
}
