//! A milestone: something that is done once, e.g. `business_association_started`.

use serde::{Deserialize, Serialize};

use super::{ExternalRef, Key, Municipality, RecordFields, RecordKind, Title};
use crate::Date;
use crate::validation::Validator;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewMilestone))]
#[serde(deny_unknown_fields)]
pub struct MilestoneFields {
    /// What kind of milestone, as KPIs name it.
    pub kind: Key,
    pub title: Title,
    #[serde(default)]
    pub due_on: Option<Date>,
    /// When it was reached; absent while it is not.
    #[serde(default)]
    pub achieved_on: Option<Date>,
    #[serde(default)]
    pub municipality: Option<Municipality>,
    #[serde(default)]
    pub measure_id: Option<i64>,
    #[serde(default)]
    pub external_ref: Option<ExternalRef>,
}

impl RecordFields for MilestoneFields {
    const KIND: RecordKind = RecordKind::Milestone;

    fn validate(&self, _v: &mut Validator) {}

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}

/// The filters of the milestones list (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct MilestoneFilter {
    /// Only milestones dated on or after this day (by the date it is listed by (`achieved_on`, or `due_on` while not achieved)).
    #[serde(default, deserialize_with = "super::present")]
    pub from: Option<Date>,
    /// Only milestones dated on or before this day.
    #[serde(default, deserialize_with = "super::present")]
    pub to: Option<Date>,
    /// The one record with this key.
    #[serde(default, deserialize_with = "super::present")]
    pub external_ref: Option<ExternalRef>,
    #[serde(default, deserialize_with = "super::present")]
    pub kind: Option<Key>,
    /// Only achieved (`true`) or not yet achieved (`false`) milestones.
    #[serde(default, deserialize_with = "super::present")]
    pub achieved: Option<bool>,
}
