//! A member activity: a member meeting, a network meeting, another arena or promotion.

use serde::{Deserialize, Serialize};

use super::{ExternalRef, Municipality, RecordFields, RecordKind, Title};
use crate::Date;
use crate::kpi::{ActivityKind, ActivityStatus};
use crate::number::Count;
use crate::validation::Validator;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewActivity))]
#[serde(deny_unknown_fields)]
pub struct ActivityFields {
    pub kind: ActivityKind,
    pub title: Title,
    pub date: Date,
    pub status: ActivityStatus,
    #[serde(default)]
    pub participants: Option<Count>,
    #[serde(default)]
    pub municipality: Option<Municipality>,
    /// The plan measure (tiltak) the activity carries out; a measure of this organisation.
    #[serde(default)]
    pub measure_id: Option<i64>,
    #[serde(default)]
    pub external_ref: Option<ExternalRef>,
}

impl RecordFields for ActivityFields {
    const KIND: RecordKind = RecordKind::Activity;

    fn validate(&self, _: &mut Validator) {}

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}

/// The filters of the activities list (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ActivityFilter {
    /// Only activities dated on or after this day (by `date`).
    #[serde(default, deserialize_with = "super::present")]
    pub from: Option<Date>,
    /// Only activities dated on or before this day.
    #[serde(default, deserialize_with = "super::present")]
    pub to: Option<Date>,
    /// The one record with this key.
    #[serde(default, deserialize_with = "super::present")]
    pub external_ref: Option<ExternalRef>,
    /// Only activities of these kinds (repeat the parameter for several).
    #[serde(default)]
    pub kind: Vec<ActivityKind>,
    #[serde(default, deserialize_with = "super::present")]
    pub status: Option<ActivityStatus>,
    #[serde(default, deserialize_with = "super::present")]
    pub municipality: Option<Municipality>,
    /// Only activities that carry out this measure.
    #[serde(default, deserialize_with = "super::present")]
    pub measure_id: Option<i64>,
}
