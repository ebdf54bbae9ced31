//! Text types that carry their rule and their schema once: a value that exists is a valid
//! one, and a request with an invalid one is refused naming the field.
//!
//! One mechanism, [`Text<R>`]: a [`TextRule`] states a field's limits (characters, pattern,
//! message, description) as constants, its [`TextRule::check`] is the only check, and the
//! JSON schema of the type is built from the same constants. The names code uses (`Title`,
//! `MetricKey`, `Dimension`, ...) are aliases of `Text<Rule>`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A text field's rule: its limits as constants, for the check and the schema alike.
pub trait TextRule: 'static {
    /// The schema's name in the API document (`Title`).
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    /// Characters at least (counted without the blanks around the value).
    const MIN_CHARS: usize;
    /// Characters at most (counted as sent).
    const MAX_CHARS: usize;
    /// The rule as a regular expression, for the schema.
    const PATTERN: &'static str;
    /// Why a value that breaks the rule is refused.
    const MESSAGE: &'static str;
    /// Whether the blanks around a value are dropped (names, keys) or kept (free text).
    const TRIM: bool = true;
    /// A value for the schema's example, for rules a made-up string would break; none when
    /// empty.
    const EXAMPLE: &'static str = "";

    /// Whether the value (as sent) keeps what [`Self::PATTERN`] says beyond the lengths.
    fn shape(_value: &str) -> bool {
        true
    }

    /// The value to keep if `value` keeps the rule, else why not. The default checks the
    /// lengths and [`Self::shape`]; a rule that rewrites its value overrides it.
    fn check(value: &str) -> Result<String, String> {
        let kept = if Self::TRIM { value.trim() } else { value };
        if value.chars().count() > Self::MAX_CHARS
            || kept.chars().count() < Self::MIN_CHARS
            || !Self::shape(value)
        {
            Err(Self::MESSAGE.into())
        } else {
            Ok(kept.to_owned())
        }
    }
}

/// A text that keeps the rule `R`; parsed once, at the edge.
pub struct Text<R: TextRule>(String, PhantomData<R>);

impl<R: TextRule> Text<R> {
    pub const MIN_CHARS: usize = R::MIN_CHARS;
    pub const MAX_CHARS: usize = R::MAX_CHARS;
    pub const PATTERN: &'static str = R::PATTERN;

    /// The value if it keeps the rule (no NUL, which PostgreSQL cannot store, and then
    /// [`TextRule::check`]).
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.contains('\0') {
            return Err("must not contain NUL characters".into());
        }
        R::check(value).map(|kept| Self(kept, PhantomData))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<R: TextRule> TryFrom<String> for Text<R> {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl<R: TextRule> TryFrom<&str> for Text<R> {
    type Error = String;
    fn try_from(value: &str) -> Result<Self, String> {
        Self::parse(value)
    }
}

impl<R: TextRule> From<Text<R>> for String {
    fn from(value: Text<R>) -> String {
        value.0
    }
}

impl<R: TextRule> std::str::FromStr for Text<R> {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        Self::parse(value)
    }
}

impl<R: TextRule> PartialEq<str> for Text<R> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<R: TextRule> PartialEq<String> for Text<R> {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl<R: TextRule> std::ops::Deref for Text<R> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<R: TextRule> AsRef<str> for Text<R> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<R: TextRule> fmt::Display for Text<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<R: TextRule> fmt::Debug for Text<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<R: TextRule> Clone for Text<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<R: TextRule> PartialEq for Text<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<R: TextRule> Eq for Text<R> {}

impl<R: TextRule> PartialOrd for Text<R> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<R: TextRule> Ord for Text<R> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl<R: TextRule> Hash for Text<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<R: TextRule> Serialize for Text<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de, R: TextRule> Deserialize<'de> for Text<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::parse(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl<R: TextRule> utoipa::PartialSchema for Text<R> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length((R::MIN_CHARS > 0).then_some(R::MIN_CHARS))
            .max_length(Some(R::MAX_CHARS))
            .pattern(Some(R::PATTERN))
            .description(Some(R::DESCRIPTION))
            .examples((!R::EXAMPLE.is_empty()).then_some(R::EXAMPLE))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl<R: TextRule> utoipa::ToSchema for Text<R> {
    fn name() -> std::borrow::Cow<'static, str> {
        R::NAME.into()
    }
}

/// Declares a rule and names its text type: `text_rule!(Title (TitleRule) { ... })`.
macro_rules! text_rule {
    (
        $(#[$doc:meta])* $name:ident ($rule:ident) {
            $($constant:ident: $value:expr),+ $(,)?
        } $(shape: $shape:expr)?
    ) => {
        $(#[$doc])*
        pub type $name = $crate::text::Text<$rule>;

        #[doc = concat!("The rule of [`", stringify!($name), "`].")]
        pub enum $rule {}

        impl $crate::text::TextRule for $rule {
            const NAME: &'static str = stringify!($name);
            $(const $constant: text_rule!(@type $constant) = $value;)+
            $(fn shape(value: &str) -> bool {
                let shape: fn(&str) -> bool = $shape;
                shape(value)
            })?
        }
    };
    (@type TRIM) => { bool };
    (@type MIN_CHARS) => { usize };
    (@type MAX_CHARS) => { usize };
    (@type $other:ident) => { &'static str };
}

pub(crate) use text_rule;

/// Not blank: at least one character that is not white space, and no NUL.
const NOT_BLANK: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";
/// Any text without NUL, blank or empty included.
const NO_NUL: &str = "^[^\\u0000]*$";

fn lowercase_key_bytes(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

text_rule!(
    /// A title or a name: 1–200 characters, not blank.
    Title (TitleRule) {
        DESCRIPTION: "A title or a name: 1–200 characters, not blank.",
        MIN_CHARS: 1, MAX_CHARS: 200, PATTERN: NOT_BLANK,
        MESSAGE: "must be 1-200 characters and not blank",
    }
);

text_rule!(
    /// A short free text (a funder, a funding scheme, a case number): 1–200 characters.
    ShortText (ShortTextRule) {
        DESCRIPTION: "A short free text (a funder, a funding scheme, a case number): 1–200 characters.",
        MIN_CHARS: 1, MAX_CHARS: 200, PATTERN: NOT_BLANK,
        MESSAGE: "must be 1-200 characters and not blank",
    }
);

text_rule!(
    /// The key a script uses to find its record again.
    ExternalRef (ExternalRefRule) {
        DESCRIPTION: "The key a script uses to find its record again: 1–100 characters, unique per organisation and record kind.",
        MIN_CHARS: 1, MAX_CHARS: 100, PATTERN: NOT_BLANK,
        MESSAGE: "must be 1-100 characters and not blank",
    }
);

text_rule!(
    /// A Norwegian municipality number (kommunenummer): four digits.
    Municipality (MunicipalityRule) {
        DESCRIPTION: "A Norwegian municipality number (kommunenummer): four digits, the number valid at the time of the record (Ullensaker was 3033 in 2022).",
        MIN_CHARS: 4, MAX_CHARS: 4, PATTERN: "^[0-9]{4}$",
        MESSAGE: "must be four digits", EXAMPLE: "3033",
    }
    shape: |s| s.bytes().all(|b| b.is_ascii_digit())
);

text_rule!(
    /// A metric's key: dotted lowercase words, e.g. `social.followers`.
    MetricKey (MetricKeyRule) {
        DESCRIPTION: "A metric's key: dotted lowercase words, e.g. `social.followers`.",
        MIN_CHARS: 1, MAX_CHARS: 100, PATTERN: "^[a-z0-9_]+(\\.[a-z0-9_]+)*$",
        MESSAGE: "must be dotted lowercase words of a-z, 0-9 and _, e.g. social.followers",
    }
    shape: |s| s.split('.').all(|w| !w.is_empty() && w.bytes().all(lowercase_key_bytes))
);

text_rule!(
    /// A lowercase key, e.g. a milestone's kind `business_association_started`.
    Key (KeyRule) {
        DESCRIPTION: "A lowercase key, e.g. a milestone's kind `business_association_started`.",
        MIN_CHARS: 1, MAX_CHARS: 64, PATTERN: "^[a-z0-9_]{1,64}$",
        MESSAGE: "must be 1-64 characters of a-z, 0-9 and _",
    }
    shape: |s| s.bytes().all(lowercase_key_bytes)
);

text_rule!(
    /// A metric observation's dimension, e.g. the channel `linkedin`; the empty string when
    /// the metric has none. At most 100 characters, no NUL.
    Dimension (DimensionRule) {
        DESCRIPTION: "A metric observation's dimension, e.g. `linkedin`; empty when the metric has none.",
        MIN_CHARS: 0, MAX_CHARS: 100, PATTERN: "^[^\\u0000]{0,100}$",
        MESSAGE: "must be at most 100 characters",
    }
);

impl Default for Dimension {
    /// No dimension: the empty string.
    fn default() -> Self {
        Self(String::new(), PhantomData)
    }
}

text_rule!(
    /// A goal's key: how plan documents and KPIs refer to a goal, e.g. `member-growth`.
    GoalKey (GoalKeyRule) {
        DESCRIPTION: "A goal's key, how plan documents and KPIs refer to it: 1–64 characters of a-z, 0-9, `_` and `-`, starting with a letter or digit, e.g. `member-growth`.",
        MIN_CHARS: 1, MAX_CHARS: 64, PATTERN: "^[a-z0-9][a-z0-9_-]{0,63}$",
        MESSAGE: "must be 1-64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
    }
    shape: |s| {
        s.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && s.bytes().all(|b| lowercase_key_bytes(b) || b == b'-')
    }
);

text_rule!(
    /// A long free text (a vision, a description, a comment): up to 20,000 characters, kept
    /// as written.
    LongText (LongTextRule) {
        DESCRIPTION: "A free text of up to 20,000 characters.",
        MIN_CHARS: 0, MAX_CHARS: 20_000, PATTERN: NO_NUL,
        MESSAGE: "must be at most 20000 characters", TRIM: false,
    }
);

text_rule!(
    /// What an API key is for, as its creator names it, e.g. `nightly member import`.
    KeyName (KeyNameRule) {
        DESCRIPTION: "What the key is for, e.g. the script that will use it: 1–100 characters, not blank.",
        MIN_CHARS: 1, MAX_CHARS: 100, PATTERN: NOT_BLANK,
        MESSAGE: "must be 1-100 characters and not blank", EXAMPLE: "nightly member import",
    }
);

text_rule!(
    /// Who answers for a measure: a person, a board, a group; up to 200 characters.
    Owner (OwnerRule) {
        DESCRIPTION: "Who answers for it (a person, a board, a group): up to 200 characters.",
        MIN_CHARS: 0, MAX_CHARS: 200, PATTERN: NO_NUL,
        MESSAGE: "must be at most 200 characters", TRIM: false,
    }
);

text_rule!(
    /// A budget line's code, e.g. the account `5400`: 1–32 characters, not blank.
    BudgetCode (BudgetCodeRule) {
        DESCRIPTION: "A budget line's code, e.g. the account `5400`: 1–32 characters, not blank; unique within the plan.",
        MIN_CHARS: 1, MAX_CHARS: 32, PATTERN: NOT_BLANK,
        MESSAGE: "must be 1-32 characters and not blank",
    }
);

text_rule!(
    /// A short label: a KPI's code (`1a`) or unit (`NOK`); up to 32 characters.
    Label (LabelRule) {
        DESCRIPTION: "A short label, e.g. a KPI's code `1a` or unit `NOK`: up to 32 characters.",
        MIN_CHARS: 0, MAX_CHARS: 32, PATTERN: NO_NUL,
        MESSAGE: "must be at most 32 characters", TRIM: false,
    }
);

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
        for ok in ["member-growth", "g1", "2-1_a"] {
            assert!(GoalKey::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "Member", "a b", " g1", &"x".repeat(65)] {
            assert!(GoalKey::parse(bad).is_err(), "{bad}");
        }
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

text_rule!(
    /// What a webhook endpoint is for, e.g. `member intranet`: at most 500 characters, empty
    /// when not given.
    WebhookDescription (WebhookDescriptionRule) {
        DESCRIPTION: "What a webhook endpoint is for: at most 500 characters, empty when not given.",
        MIN_CHARS: 0, MAX_CHARS: 500, PATTERN: "^[^\\u0000]{0,500}$",
        MESSAGE: "must be at most 500 characters", EXAMPLE: "member intranet",
    }
);

impl Default for WebhookDescription {
    /// No description: the empty string.
    fn default() -> Self {
        Self(String::new(), PhantomData)
    }
}
