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

    /// Checks a free-text field: no NUL bytes (PostgreSQL cannot store them), not blank
    /// when `required`, at most `max_chars` characters.
    pub fn text(&mut self, field: &str, value: &str, required: bool, max_chars: usize) {
        if value.contains('\0') {
            self.add(field, "must not contain NUL characters");
        } else if required && value.trim().is_empty() {
            self.add(field, "must not be blank");
        } else if value.chars().count() > max_chars {
            self.add(field, format!("must be at most {max_chars} characters"));
        }
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
    fn text_refuses_nul_blank_and_overlong_values() {
        let mut v = Validator::new();
        v.text("a", "ok", true, 10);
        assert!(v.is_empty());
        v.text("b", "nul\0byte", true, 100);
        v.text("c", "   ", true, 10);
        v.text("d", "ælgåøæøå", false, 3);
        v.text("e", "", false, 3);
        let errors = v.finish().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "c", "d"]);
    }

    #[test]
    fn text_counts_characters_not_bytes() {
        let mut v = Validator::new();
        v.text("title", "ÆØÅ", true, 3);
        assert!(v.finish().is_ok());
    }
}
