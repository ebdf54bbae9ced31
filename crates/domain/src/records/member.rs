//! A member company (medlemsbedrift): on the roll from `joined_on` until `left_on`.

use serde::{Deserialize, Serialize};

use super::{ExternalRef, Municipality, RecordFields, RecordKind, Title};
use crate::kpi::MembershipType;
use crate::number::Count;
use crate::validation::Validator;
use crate::{Date, OrganisationNumber};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewMember))]
#[serde(deny_unknown_fields)]
pub struct MemberFields {
    /// The company's organisation number: nine digits with a MOD11 check digit; unique
    /// among the organisation's members.
    pub org_number: OrganisationNumber,
    pub name: Title,
    pub municipality: Municipality,
    pub membership_type: MembershipType,
    pub joined_on: Date,
    /// The day the company left (on the roll until the day before); not before `joined_on`.
    #[serde(default)]
    pub left_on: Option<Date>,
    #[serde(default)]
    pub employees: Option<Count>,
    #[serde(default)]
    pub external_ref: Option<ExternalRef>,
}

impl RecordFields for MemberFields {
    const KIND: RecordKind = RecordKind::Member;

    fn validate(&self, v: &mut Validator) {
        if self.left_on.is_some_and(|left| left < self.joined_on) {
            v.add("left_on", "must not be before joined_on");
        }
    }

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}

/// The filters of the members list (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct MemberFilter {
    /// Only members dated on or after this day (by `joined_on`).
    #[serde(default, deserialize_with = "super::present")]
    pub from: Option<Date>,
    /// Only members dated on or before this day.
    #[serde(default, deserialize_with = "super::present")]
    pub to: Option<Date>,
    /// The one record with this key.
    #[serde(default, deserialize_with = "super::present")]
    pub external_ref: Option<ExternalRef>,
    /// Only members in this municipality.
    #[serde(default, deserialize_with = "super::present")]
    pub municipality: Option<Municipality>,
    /// Only members of this type.
    #[serde(default, deserialize_with = "super::present")]
    pub membership_type: Option<MembershipType>,
    /// Only members on the roll that day (joined on or before it, not left by it).
    #[serde(default, deserialize_with = "super::present")]
    pub active_on: Option<Date>,
}
