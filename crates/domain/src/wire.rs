//! Wire names of unit enums, read from their serde derive: an enum declares its names once
//! (`#[serde(rename_all = "snake_case")]`) and the same names serve the JSON, the
//! database (`Stored<T>` in the store) and the query strings.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::ser::{self, Impossible};

/// An enum with one name on the wire and in the database for each variant.
pub trait WireName: Copy + Serialize + DeserializeOwned + Send + 'static {
    /// The variant's name, as serde writes it.
    fn wire_name(self) -> &'static str {
        name_of(&self)
    }

    /// The variant of this name, as serde reads it.
    fn from_wire(name: &str) -> Result<Self, String> {
        Self::deserialize(StrDeserializer::<ValueError>::new(name))
            .map_err(|e| format!("`{name}`: {e}"))
    }
}

/// Implements [`WireName`], `as_str`, `FromStr` and `Display` for unit enums from their
/// serde names.
macro_rules! wire_name {
    ($($type:ty),+ $(,)?) => {$(
        impl $crate::wire::WireName for $type {}

        impl $type {
            /// The variant's wire name.
            pub fn as_str(self) -> &'static str {
                $crate::wire::WireName::wire_name(self)
            }
        }

        impl ::std::str::FromStr for $type {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <$type as $crate::wire::WireName>::from_wire(s)
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

pub(crate) use wire_name;

/// The name serde gives a unit variant; the empty string for anything else (no enum that
/// implements [`WireName`] has any other shape, which the tests of each enum confirm).
fn name_of<T: Serialize>(value: &T) -> &'static str {
    value.serialize(VariantName).unwrap_or_default()
}

/// A serializer that accepts only a unit variant and answers its name.
struct VariantName;

/// What [`VariantName`] answers for a value that is not a unit variant.
#[derive(Debug)]
struct NotAUnitVariant;

impl fmt::Display for NotAUnitVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAUnitVariant {}

impl ser::Error for NotAUnitVariant {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotAUnitVariant
    }
}

/// The serializer's methods for every shape but a unit variant: each refuses.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),+ $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<&'static str, NotAUnitVariant> {
            Err(NotAUnitVariant)
        }
    )+};
}

impl ser::Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotAUnitVariant;
    type SerializeSeq = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTuple = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleVariant = Impossible<&'static str, NotAUnitVariant>;
    type SerializeMap = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStructVariant = Impossible<&'static str, NotAUnitVariant>;

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotAUnitVariant> {
        Ok(variant)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{
        ActivityKind, ActivityStatus, Direction, KpiAggregate, KpiEntity, MembershipType,
        ProjectRole, SurveyAudience,
    };
    use crate::tree::{CheckInStatus, MeasureStatus};

    /// Every variant's name goes out and comes back, and is the name serde_json writes.
    fn round_trips<T: WireName + PartialEq + fmt::Debug>(variants: &[T]) {
        for &variant in variants {
            let name = variant.wire_name();
            assert!(!name.is_empty(), "{variant:?}");
            assert_eq!(T::from_wire(name), Ok(variant));
            assert_eq!(serde_json::to_value(variant).unwrap(), name);
        }
    }

    #[test]
    fn every_stored_enum_round_trips_through_its_serde_name() {
        use crate::PlanStatus;
        round_trips(&PlanStatus::ALL);
        round_trips(&[
            MeasureStatus::Planned,
            MeasureStatus::InProgress,
            MeasureStatus::Done,
            MeasureStatus::Cancelled,
        ]);
        round_trips(&[
            CheckInStatus::OnTrack,
            CheckInStatus::AtRisk,
            CheckInStatus::OffTrack,
            CheckInStatus::Achieved,
        ]);
        round_trips(&[
            KpiEntity::Member,
            KpiEntity::Activity,
            KpiEntity::Survey,
            KpiEntity::Project,
            KpiEntity::Metric,
            KpiEntity::Milestone,
        ]);
        round_trips(&[
            KpiAggregate::Count,
            KpiAggregate::Sum,
            KpiAggregate::Mean,
            KpiAggregate::Level,
            KpiAggregate::GrowthPct,
            KpiAggregate::Milestone,
        ]);
        round_trips(&[Direction::AtLeast, Direction::AtMost]);
        round_trips(&[
            ActivityKind::MemberMeeting,
            ActivityKind::NetworkMeeting,
            ActivityKind::OtherArena,
            ActivityKind::Promotion,
        ]);
        round_trips(&[
            ActivityStatus::Planned,
            ActivityStatus::Held,
            ActivityStatus::Cancelled,
        ]);
        round_trips(&[MembershipType::Ordinary, MembershipType::Associated]);
        round_trips(&[SurveyAudience::Internal, SurveyAudience::External]);
        round_trips(&[
            ProjectRole::Owner,
            ProjectRole::Leader,
            ProjectRole::Partner,
        ]);
        round_trips(&crate::records::RecordKind::ALL);
        round_trips(&crate::imports::ImportKind::ALL);
        use crate::imports::{ImportCharset, ImportFormat};
        round_trips(&[ImportFormat::Json, ImportFormat::Ndjson, ImportFormat::Csv]);
        round_trips(&[ImportCharset::Utf8, ImportCharset::Windows1252]);
        round_trips(&[crate::KeyRole::Viewer, crate::KeyRole::Editor]);
    }

    #[test]
    fn an_unknown_name_is_an_error_naming_it() {
        let error = MeasureStatus::from_wire("late").unwrap_err();
        assert!(error.contains("late"), "{error}");
        assert_eq!(GrowthName::wire_name(GrowthName::GrowthPct), "growth_pct");
    }

    #[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum GrowthName {
        GrowthPct,
    }
    impl WireName for GrowthName {}
}
