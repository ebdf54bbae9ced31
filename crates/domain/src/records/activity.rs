//! A member activity: a member meeting, a network meeting, another arena or promotion.

use serde::{Deserialize, Serialize};

use super::{ExternalRef, Municipality, RecordFields, RecordKind, Title};
use crate::Date;
use crate::kpi::{ActivityKind, ActivityStatus};
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
    pub participants: Option<u32>,
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

    fn validate(&self, _v: &mut Validator) {}

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}
