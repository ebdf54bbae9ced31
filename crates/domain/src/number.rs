//! Number types that carry their range and their schema once: a value that exists is in
//! range, and a request with one out of range is refused naming the field.
//!
//! One mechanism, [`Number<R>`], beside the text types of [`crate::text`]: a
//! [`NumberRule`] states a field's bounds as constants, [`Number::new`] is the only check
//! (serde deserialisation goes through it), and the JSON schema of the type declares the
//! same `minimum`/`maximum` from the same constants. The names code uses (`Ordinal`,
//! `Amount`, `Confidence`, ...) are aliases of `Number<Rule>`.

use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A primitive a [`Number`] holds: an integer of the width stored, or a float.
pub trait Primitive:
    Copy + PartialOrd + fmt::Display + fmt::Debug + Serialize + DeserializeOwned + 'static
{
    /// The schema of the primitive alone: its type and format.
    #[cfg(feature = "openapi")]
    fn schema() -> utoipa::openapi::ObjectBuilder;
    /// The value as the schema writes a bound.
    #[cfg(feature = "openapi")]
    fn bound(self) -> utoipa::Number;
}

macro_rules! primitive {
    ($($type:ty => $schema_type:ident, $format:ident);+ $(;)?) => {$(
        impl Primitive for $type {
            #[cfg(feature = "openapi")]
            fn schema() -> utoipa::openapi::ObjectBuilder {
                use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(Type::$schema_type)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::$format)))
            }
            #[cfg(feature = "openapi")]
            fn bound(self) -> utoipa::Number {
                self.into()
            }
        }
    )+};
}

primitive!(
    i32 => Integer, Int32;
    i64 => Integer, Int64;
    u32 => Integer, Int32;
    f64 => Number, Double;
);

/// A number field's rule: its bounds as constants, for the check and the schema alike.
pub trait NumberRule: 'static {
    type Value: Primitive;
    /// The schema's name in the API document (`Ordinal`).
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    /// The least value allowed, if any.
    const MIN: Option<Self::Value>;
    /// The greatest value allowed, if any.
    const MAX: Option<Self::Value>;
    /// The value a request that leaves the field out gets, if the schema is to state one.
    const DEFAULT: Option<Self::Value> = None;
}

/// A number that keeps the rule `R`; parsed once, at the edge.
pub struct Number<R: NumberRule>(R::Value, PhantomData<R>);

impl<R: NumberRule> Number<R> {
    pub const MIN: Option<R::Value> = R::MIN;
    pub const MAX: Option<R::Value> = R::MAX;

    /// The value if it lies within the bounds (a float that is not a number lies within
    /// none).
    pub fn new(value: R::Value) -> Result<Self, String> {
        let at_least = |min: R::Value| {
            matches!(
                value.partial_cmp(&min),
                Some(Ordering::Greater | Ordering::Equal)
            )
        };
        let at_most = |max: R::Value| {
            matches!(
                value.partial_cmp(&max),
                Some(Ordering::Less | Ordering::Equal)
            )
        };
        let within = R::MIN.is_none_or(at_least) && R::MAX.is_none_or(at_most);
        // A float that is not a number compares to nothing, not even itself.
        let comparable = value.partial_cmp(&value).is_some();
        if within && comparable {
            Ok(Self(value, PhantomData))
        } else {
            Err(Self::message())
        }
    }

    pub fn get(self) -> R::Value {
        self.0
    }

    /// Why a value out of range is refused, from the bounds.
    pub fn message() -> String {
        match (R::MIN, R::MAX) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be {min} or more"),
            (None, Some(max)) => format!("must be {max} or less"),
            (None, None) => "must be a number".into(),
        }
    }
}

/// A number as the KPI engine computes with it.
impl<R: NumberRule> From<Number<R>> for f64
where
    f64: From<R::Value>,
{
    fn from(number: Number<R>) -> f64 {
        f64::from(number.0)
    }
}

impl<R: NumberRule> Clone for Number<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: NumberRule> Copy for Number<R> {}

impl<R: NumberRule> PartialEq for Number<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<R: NumberRule> PartialOrd for Number<R> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.0.partial_cmp(&other.0)
    }
}

impl<R: NumberRule> fmt::Debug for Number<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<R: NumberRule> fmt::Display for Number<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<R: NumberRule> Serialize for Number<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, R: NumberRule> Deserialize<'de> for Number<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = R::Value::deserialize(deserializer)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl<R: NumberRule> utoipa::PartialSchema for Number<R> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        R::Value::schema()
            .minimum(R::MIN.map(Primitive::bound))
            .maximum(R::MAX.map(Primitive::bound))
            .default(R::DEFAULT.and_then(|d| serde_json::to_value(d).ok()))
            .description(Some(R::DESCRIPTION))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl<R: NumberRule> utoipa::ToSchema for Number<R> {
    fn name() -> std::borrow::Cow<'static, str> {
        R::NAME.into()
    }
}

/// Declares a rule and names its number type:
/// `number_rule!(Ordinal (OrdinalRule): i32 { MIN: Some(1), MAX: None, DESCRIPTION: ... })`.
macro_rules! number_rule {
    (
        $(#[$doc:meta])* $name:ident ($rule:ident): $value:ty {
            MIN: $min:expr, MAX: $max:expr, $(DEFAULT: $default:expr,)?
            DESCRIPTION: $description:expr $(,)?
        }
    ) => {
        $(#[$doc])*
        pub type $name = $crate::number::Number<$rule>;

        #[doc = concat!("The rule of [`", stringify!($name), "`].")]
        pub enum $rule {}

        impl $crate::number::NumberRule for $rule {
            type Value = $value;
            const NAME: &'static str = stringify!($name);
            const DESCRIPTION: &'static str = $description;
            const MIN: Option<$value> = $min;
            const MAX: Option<$value> = $max;
            $(const DEFAULT: Option<$value> = $default;)?
        }
    };
}

number_rule!(
    /// A focus area's or a measure's number in its plan: 1 or more.
    Ordinal (OrdinalRule): i32 {
        MIN: Some(1), MAX: None,
        DESCRIPTION: "A focus area's or a measure's number (1, 2, ...): 1 or more.",
    }
);

number_rule!(
    /// An amount in whole NOK (a budget, a sum spent): not negative.
    Amount (AmountRule): i64 {
        MIN: Some(0), MAX: None,
        DESCRIPTION: "An amount in whole NOK: 0 or more.",
    }
);

number_rule!(
    /// An amount in NOK that may have øre (a project's external funding): not negative.
    Funding (FundingRule): f64 {
        MIN: Some(0.0), MAX: None,
        DESCRIPTION: "An amount in NOK: 0 or more.",
    }
);

number_rule!(
    /// How many of something a record counts (employees, participants, people invited to
    /// or answering a survey): not negative.
    Count (CountRule): i32 {
        MIN: Some(0), MAX: None,
        DESCRIPTION: "How many (employees, participants, people invited or answering): 0 or more.",
    }
);

/// The highest confidence a check-in can state: certain.
pub const CONFIDENCE_MAX: i32 = 10;

number_rule!(
    /// A check-in's confidence: 0 (none) to 10 (certain).
    Confidence (ConfidenceRule): i32 {
        MIN: Some(0), MAX: Some(CONFIDENCE_MAX),
        DESCRIPTION: "A check-in's confidence: 0 (none) to 10 (certain).",
    }
);

number_rule!(
    /// How far below the expected pace a KPI still counts as `at_risk`, as a share of the
    /// distance to its target: 0 to 1.
    Tolerance (ToleranceRule): f64 {
        MIN: Some(0.0), MAX: Some(1.0),
        DESCRIPTION: "How far below the expected pace still counts as `at_risk`, as a share of the distance to the target: 0 to 1.",
    }
);

impl Tolerance {
    /// When a KPI names none: a tenth of the distance.
    pub const DEFAULT: Self = Self(crate::kpi::KpiDefinition::DEFAULT_TOLERANCE, PhantomData);
}

impl Default for Tolerance {
    fn default() -> Self {
        Self::DEFAULT
    }
}

number_rule!(
    /// A net promoter score: −100 to 100.
    NetPromoterScore (NetPromoterScoreRule): i32 {
        MIN: Some(-100), MAX: Some(100),
        DESCRIPTION: "A net promoter score: -100 to 100.",
    }
);

/// How far a plan's copy may be moved, in whole years either way.
pub const YEAR_SHIFT_MAX: i32 = 100;
/// How far a plan's copy may be moved, in days either way (about 100 years).
pub const DAY_SHIFT_MAX: i64 = 36_500;

number_rule!(
    /// Whole years to move a plan's dates by: −100 to 100.
    YearShift (YearShiftRule): i32 {
        MIN: Some(-YEAR_SHIFT_MAX), MAX: Some(YEAR_SHIFT_MAX),
        DESCRIPTION: "Whole years to move dates by: -100 to 100.",
    }
);

number_rule!(
    /// Days to move a plan's dates by: −36500 to 36500.
    DayShift (DayShiftRule): i64 {
        MIN: Some(-DAY_SHIFT_MAX), MAX: Some(DAY_SHIFT_MAX),
        DESCRIPTION: "Days to move dates by: -36500 to 36500.",
    }
);

impl Default for YearShift {
    /// No move.
    fn default() -> Self {
        Self(0, PhantomData)
    }
}

impl Default for DayShift {
    /// No move.
    fn default() -> Self {
        Self(0, PhantomData)
    }
}

number_rule!(
    /// How long a rolled API key keeps working, in seconds: 0 to 7 days.
    GraceSeconds (GraceSecondsRule): u32 {
        MIN: Some(0), MAX: Some(crate::api_key::MAX_GRACE_SECONDS),
        DESCRIPTION: "How long the old key keeps working, in seconds: 0 to 604800 (7 days).",
    }
);

impl Default for GraceSeconds {
    /// 24 hours.
    fn default() -> Self {
        Self(crate::api_key::DEFAULT_GRACE_SECONDS, PhantomData)
    }
}

/// The most items one page of a list holds.
pub const PAGE_LIMIT_MAX: u32 = 500;
/// The items a page holds when the request names no limit.
pub const PAGE_LIMIT_DEFAULT: u32 = 50;

number_rule!(
    /// How many items a page of a list holds: 1 to 500.
    PageLimit (PageLimitRule): u32 {
        MIN: Some(1), MAX: Some(PAGE_LIMIT_MAX), DEFAULT: Some(PAGE_LIMIT_DEFAULT),
        DESCRIPTION: "How many items to return: 1 to 500.",
    }
);

impl Default for PageLimit {
    /// 50.
    fn default() -> Self {
        Self(PAGE_LIMIT_DEFAULT, PhantomData)
    }
}

number_rule!(
    /// An event's place in its feed (`seq`), as a reader's cursor: 0 or more.
    EventSeq (EventSeqRule): i64 {
        MIN: Some(0), MAX: None,
        DESCRIPTION: "An event's `seq`: 0 or more.",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_exists_only_within_its_bounds() {
        assert_eq!(Ordinal::new(1).unwrap().get(), 1);
        assert_eq!(Ordinal::new(0).unwrap_err(), "must be 1 or more");
        assert!(Confidence::new(10).is_ok());
        assert_eq!(Confidence::new(11).unwrap_err(), "must be between 0 and 10");
        assert!(Confidence::new(-1).is_err());
        assert!(Tolerance::new(1.0).is_ok());
        assert!(Tolerance::new(1.5).is_err());
        assert!(Tolerance::new(f64::NAN).is_err());
        assert!(Funding::new(f64::NAN).is_err());
        assert!(Amount::new(-1).is_err());
        assert!(NetPromoterScore::new(-100).is_ok() && NetPromoterScore::new(-101).is_err());
        assert_eq!(Tolerance::default().get(), 0.10);
    }

    #[test]
    fn a_value_out_of_range_in_json_is_an_error_naming_the_range() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[allow(dead_code, reason = "only deserialised")]
            confidence: Confidence,
        }
        let error = serde_json::from_str::<Body>(r#"{"confidence": 11}"#).unwrap_err();
        assert!(error.to_string().contains("between 0 and 10"), "{error}");
        let read = serde_json::from_str::<Body>(r#"{"confidence": 7}"#).unwrap();
        assert_eq!(read.confidence.get(), 7);
    }
}
