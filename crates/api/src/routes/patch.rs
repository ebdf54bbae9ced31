//! PATCH bodies: a field that is absent leaves the value alone; for a nullable field,
//! `null` clears it. `Option<Option<T>>` tells the three cases apart.

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
