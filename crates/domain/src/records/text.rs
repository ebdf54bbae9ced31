//! Small text types that carry their rule and their schema once: a value that exists is a
//! valid one, and a request with an invalid one is refused naming the field.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a text newtype: its check (on the trimmed value), its JSON schema (with the
/// `openapi` feature) and its serde form (a plain string).
macro_rules! text_type {
    (
        $name:ident, $description:literal, min: $min:expr, max: $max:expr,
        pattern: $pattern:expr, check: $check:expr, message: $message:expr $(,)?
    ) => {
        #[doc = $description]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MIN_CHARS: usize = $min;
            pub const MAX_CHARS: usize = $max;
            pub const PATTERN: &'static str = $pattern;

            /// The value if it keeps the rule (its length counted as sent), without the
            /// blanks around it.
            pub fn parse(value: &str) -> Result<Self, String> {
                let check: fn(&str) -> bool = $check;
                if value.contains('\0') {
                    Err("must not contain NUL characters".into())
                } else if value.chars().count() > $max
                    || value.trim().chars().count() < $min
                    || !check(value)
                {
                    Err($message.into())
                } else {
                    Ok(Self(value.trim().to_owned()))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .min_length(Some($min))
                    .max_length(Some($max))
                    .pattern(Some($pattern))
                    .description(Some($description))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

fn any(_: &str) -> bool {
    true
}

text_type!(
    Title, "A title or a name: 1–200 characters, not blank.",
    min: 1, max: 200, pattern: "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
    check: any, message: "must be 1-200 characters and not blank",
);

text_type!(
    ShortText, "A short free text (a funder, a funding scheme, a case number): 1–200 characters.",
    min: 1, max: 200, pattern: "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
    check: any, message: "must be 1-200 characters and not blank",
);

text_type!(
    ExternalRef, "The key a script uses to find its record again: 1–100 characters, unique per organisation and record kind.",
    min: 1, max: 100, pattern: "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
    check: any, message: "must be 1-100 characters and not blank",
);

text_type!(
    Municipality, "A Norwegian municipality number (kommunenummer): four digits, the number valid at the time of the record (Ullensaker was 3033 in 2022).",
    min: 4, max: 4, pattern: "^[0-9]{4}$",
    check: |s| s.bytes().all(|b| b.is_ascii_digit()), message: "must be four digits",
);

text_type!(
    MetricKey, "A metric's key: dotted lowercase words, e.g. `social.followers`.",
    min: 1, max: 100, pattern: "^[a-z0-9_]+(\\.[a-z0-9_]+)*$",
    check: |s| s.split('.').all(|w| {
        !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }),
    message: "must be dotted lowercase words of a-z, 0-9 and _, e.g. social.followers",
);

text_type!(
    Key, "A lowercase key, e.g. a milestone's kind `business_association_started`.",
    min: 1, max: 64, pattern: "^[a-z0-9_]{1,64}$",
    check: |s| s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
    message: "must be 1-64 characters of a-z, 0-9 and _",
);

/// A metric observation's dimension, e.g. the channel `linkedin`; the empty string when the
/// metric has none. At most 100 characters, no NUL.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Dimension(String);

impl Dimension {
    pub const MAX_CHARS: usize = 100;
    pub const PATTERN: &'static str = "^[^\\u0000]{0,100}$";

    pub fn parse(value: &str) -> Result<Self, String> {
        if value.contains('\0') {
            Err("must not contain NUL characters".into())
        } else if value.chars().count() > Self::MAX_CHARS {
            Err("must be at most 100 characters".into())
        } else {
            Ok(Self(value.trim().to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Dimension {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Dimension> for String {
    fn from(value: Dimension) -> String {
        value.0
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Dimension {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(Self::MAX_CHARS))
            .pattern(Some(Self::PATTERN))
            .description(Some(
                "A metric observation's dimension, e.g. `linkedin`; empty when the metric has none.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Dimension {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_never_blank_or_too_long() {
        assert_eq!(
            Title::parse("  Medlemsmøte ").unwrap().as_str(),
            "Medlemsmøte"
        );
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse("a\0b").is_err());
        assert!(Title::parse(&"ø".repeat(200)).is_ok());
        assert!(Title::parse(&"ø".repeat(201)).is_err());
        // The length counts as sent: blanks around a title do not make room for more.
        assert!(Title::parse(&format!("{} ", "ø".repeat(200))).is_err());
    }

    #[test]
    fn keys_and_numbers_keep_their_shape() {
        assert!(Municipality::parse("3033").is_ok());
        for bad in ["303", "30333", "30a3", "", " 3033"] {
            assert!(Municipality::parse(bad).is_err(), "{bad}");
        }
        assert!(MetricKey::parse("social.followers").is_ok());
        for bad in ["Social.followers", "social..followers", ".x", "x.", "a b"] {
            assert!(MetricKey::parse(bad).is_err(), "{bad}");
        }
        assert!(Key::parse("business_association_started").is_ok());
        assert!(Key::parse("Business").is_err());
        assert_eq!(Dimension::parse("").unwrap().as_str(), "");
        assert!(Dimension::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn a_bad_value_in_json_is_an_error_not_a_value() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[allow(dead_code, reason = "only deserialised")]
            municipality: Municipality,
        }
        let error = serde_json::from_str::<Body>(r#"{"municipality": "12"}"#).unwrap_err();
        assert!(error.to_string().contains("four digits"), "{error}");
    }
}
