//! A business-development project the organisation owns, leads or takes part in.

use serde::{Deserialize, Serialize};

use super::{ExternalRef, RecordFields, RecordKind, ShortText, Title, finite};
use crate::Date;
use crate::kpi::ProjectRole;
use crate::number::Funding;
use crate::validation::Validator;
use crate::wire::wire_name;

/// Where a project stands with its funding and its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Applied,
    Granted,
    Running,
    Completed,
    Rejected,
}

wire_name!(ProjectStatus);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewProject))]
#[serde(deny_unknown_fields)]
pub struct ProjectFields {
    pub title: Title,
    pub role: ProjectRole,
    pub start_on: Date,
    /// Not before `start_on`; open while running.
    #[serde(default)]
    pub end_on: Option<Date>,
    #[serde(default)]
    pub funder: Option<ShortText>,
    #[serde(default)]
    pub funding_scheme: Option<ShortText>,
    #[serde(default)]
    pub case_number: Option<ShortText>,
    /// External funding granted, in NOK (0 when none).
    pub external_funding: Funding,
    pub status: ProjectStatus,
    #[serde(default)]
    pub external_ref: Option<ExternalRef>,
}

impl RecordFields for ProjectFields {
    const KIND: RecordKind = RecordKind::Project;

    fn validate(&self, v: &mut Validator) {
        if self.end_on.is_some_and(|end| end < self.start_on) {
            v.add("end_on", "must not be before start_on");
        }
        finite(v, "external_funding", self.external_funding.get());
    }

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}

/// The filters of the projects list (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ProjectFilter {
    /// Only projects dated on or after this day (by `start_on`).
    #[serde(default, deserialize_with = "super::present")]
    pub from: Option<Date>,
    /// Only projects dated on or before this day.
    #[serde(default, deserialize_with = "super::present")]
    pub to: Option<Date>,
    /// The one record with this key.
    #[serde(default, deserialize_with = "super::present")]
    pub external_ref: Option<ExternalRef>,
    /// Only projects in these roles (repeat the parameter for several).
    #[serde(default)]
    pub role: Vec<ProjectRole>,
    #[serde(default, deserialize_with = "super::present")]
    pub status: Option<ProjectStatus>,
}
