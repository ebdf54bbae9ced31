//! PATCH bodies: a field that is absent leaves the value alone; for a nullable field,
//! `null` clears it. `Option<Option<T>>` tells the three cases apart.
//!
//! A field that can be changed but not cleared is an `Option<T>` read with [`not_null`] and
//! documented with `#[schema(nullable = false)]`: absent keeps the value, `null` is refused
//! (422 naming the field) rather than read as "unchanged".

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// Deserialises a present field (even `null`) into `Some(..)`; use with
/// `#[serde(default, deserialize_with = "nullable")]` so that an absent field is `None`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Deserialises a field that may be changed but not cleared: a value becomes `Some(..)`,
/// `null` is an error. Use with `#[serde(default, deserialize_with = "not_null")]` so that an
/// absent field is `None` (unchanged).
pub fn not_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(D::Error::custom(
            "must not be null: it cannot be cleared; leave the field out to keep its value",
        )),
    }
}

/// A nullable change of a typed text as the change of its stored string.
pub fn texts<T: Into<String>>(change: Option<Option<T>>) -> Option<Option<String>> {
    change.map(|value| value.map(Into::into))
}

/// Applies a nullable change: `None` keeps `current`, `Some(v)` replaces it.
pub fn apply<T>(change: Option<Option<T>>, current: Option<T>) -> Option<T> {
    change.unwrap_or(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Change {
        #[serde(default, deserialize_with = "nullable")]
        intro: Option<Option<String>>,
    }

    #[derive(Debug, Deserialize)]
    struct Rename {
        #[serde(default, deserialize_with = "not_null")]
        title: Option<String>,
    }

    #[test]
    fn a_field_that_cannot_be_cleared_refuses_null() {
        let parse = |s: &str| serde_json::from_str::<Rename>(s).map(|r| r.title);
        assert_eq!(parse("{}").unwrap(), None);
        assert_eq!(parse(r#"{"title": "x"}"#).unwrap(), Some("x".into()));
        let error = parse(r#"{"title": null}"#).unwrap_err().to_string();
        assert!(error.contains("must not be null"), "{error}");
    }

    #[test]
    fn absent_null_and_value_are_three_different_changes() {
        let parse = |s: &str| serde_json::from_str::<Change>(s).unwrap().intro;
        assert_eq!(parse("{}"), None);
        assert_eq!(parse(r#"{"intro": null}"#), Some(None));
        assert_eq!(parse(r#"{"intro": "x"}"#), Some(Some("x".into())));
        assert_eq!(
            apply(parse(r#"{"intro": null}"#), Some("old".to_owned())),
            None
        );
        assert_eq!(
            apply(parse("{}"), Some("old".to_owned())),
            Some("old".into())
        );
    }
}
