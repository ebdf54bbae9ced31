//! Records: the facts every KPI is computed from — member companies, activities, surveys,
//! projects, metric observations and milestones.
//!
//! Each kind is one struct of the fields a client sets (`MemberFields`, ...), the body of
//! a create and, merged with a PATCH, of a change. Field types carry the single-field
//! rules ([`crate::text`]: titles, municipality numbers, metric keys; [`Date`]; organisation
//! numbers; unsigned counts), so a body that parses has valid fields; `validate` checks
//! the rules between fields (`left_on` not before `joined_on`, `responses` at most
//! `invited`, a score inside the scale) and reports each under its field.
//!
//! [`Date`]: crate::Date

mod activity;
mod member;
mod milestone;
mod observation;
mod project;
mod survey;

use serde::{Deserialize, Serialize};

pub use crate::text::{Dimension, ExternalRef, Key, MetricKey, Municipality, ShortText, Title};
pub use activity::{ActivityFields, ActivityFilter};
pub use member::{MemberFields, MemberFilter};
pub use milestone::{MilestoneFields, MilestoneFilter};
pub use observation::{ObservationFields, ObservationFilter};
pub use project::{ProjectFields, ProjectFilter, ProjectStatus};
pub use survey::{SurveyFields, SurveyFilter};

use crate::validation::Validator;
use crate::wire::wire_name;

/// The six kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Member,
    Activity,
    Survey,
    Project,
    Observation,
    Milestone,
}

wire_name!(RecordKind);

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Member,
        RecordKind::Activity,
        RecordKind::Survey,
        RecordKind::Project,
        RecordKind::Observation,
        RecordKind::Milestone,
    ];

    /// The name of the kind's schema in the API, e.g. `Member`.
    pub fn schema_name(self) -> &'static str {
        match self {
            RecordKind::Member => "Member",
            RecordKind::Activity => "Activity",
            RecordKind::Survey => "Survey",
            RecordKind::Project => "Project",
            RecordKind::Observation => "Observation",
            RecordKind::Milestone => "Milestone",
        }
    }

    /// The path segment of the kind's collection, e.g. `members`.
    pub fn segment(self) -> &'static str {
        match self {
            RecordKind::Member => "members",
            RecordKind::Activity => "activities",
            RecordKind::Survey => "surveys",
            RecordKind::Project => "projects",
            RecordKind::Observation => "observations",
            RecordKind::Milestone => "milestones",
        }
    }
}

/// The fields of one kind of record, as a client sets them.
pub trait RecordFields: Sized + PartialEq + Serialize + serde::de::DeserializeOwned {
    const KIND: RecordKind;

    /// Checks the rules between fields, reporting each under its field's name.
    fn validate(&self, v: &mut Validator);

    /// The key scripts find the record by.
    fn external_ref(&self) -> Option<&ExternalRef>;

    /// The fields if they keep every rule, or every broken rule.
    fn checked(self) -> Result<Self, Vec<crate::FieldError>> {
        let mut v = Validator::new();
        self.validate(&mut v);
        v.finish().map(|()| self)
    }
}

/// Reads a query parameter that is present into `Some`, even when its value is empty, so
/// that the value's own type decides (`to=` is not a date, `dimension=` is the empty
/// dimension) instead of an empty value silently meaning "no filter". Use with
/// `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// 422 for `field` unless `value` is finite (JSON has no NaN or infinity, but a number
/// too large for a double arrives as infinity).
fn finite(v: &mut Validator, field: &str, value: f64) {
    if !value.is_finite() {
        v.add(field, "must be a finite number");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Every rule broken by `body` (as `field`s), or the parse error.
    fn broken<T: RecordFields + serde::de::DeserializeOwned>(body: Value) -> Vec<String> {
        match serde_json::from_value::<T>(body) {
            Err(e) => vec![format!("parse: {e}")],
            Ok(fields) => match fields.checked() {
                Ok(_) => vec![],
                Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            },
        }
    }

    fn with(mut base: Value, changes: Value) -> Value {
        for (k, v) in changes.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    }

    #[test]
    fn a_member_leaves_no_earlier_than_it_joined() {
        let member = json!({"org_number": "923609016", "name": "Jessheim Bygg AS",
            "municipality": "3033", "membership_type": "ordinary", "joined_on": "2020-05-01"});
        assert!(broken::<MemberFields>(member.clone()).is_empty());
        let left_early = with(member.clone(), json!({"left_on": "2020-04-30"}));
        assert_eq!(broken::<MemberFields>(left_early), ["left_on"]);
        let same_day = with(member.clone(), json!({"left_on": "2020-05-01"}));
        assert!(broken::<MemberFields>(same_day).is_empty());
        for (field, bad) in [
            ("org_number", json!("923609017")),
            ("municipality", json!("333")),
            ("employees", json!(2_147_483_648_u64)),
            ("name", json!("  ")),
        ] {
            let errors = broken::<MemberFields>(with(member.clone(), json!({ field: bad })));
            assert!(errors[0].starts_with("parse:"), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_survey_keeps_its_responses_and_scores_inside_what_is_possible() {
        let survey = json!({"audience": "internal", "title": "Medlemsundersøkelse 2022",
            "conducted_on": "2022-05-15", "invited": 170, "responses": 61,
            "scale_min": 1, "scale_max": 5, "mean_score": 3.8, "nps": 22});
        assert!(broken::<SurveyFields>(survey.clone()).is_empty());
        let cases = [
            (json!({"responses": 171}), "responses"),
            (json!({"mean_score": 5.1}), "mean_score"),
            (json!({"mean_score": 0.9}), "mean_score"),
            (json!({"scale_max": 1}), "scale_max"),
        ];
        for (change, field) in cases {
            assert_eq!(
                broken::<SurveyFields>(with(survey.clone(), change)),
                [field]
            );
        }
        // A single field's range is its type's: refused as the body is read.
        let nps = broken::<SurveyFields>(with(survey.clone(), json!({"nps": 101})));
        assert!(nps[0].contains("between -100 and 100"), "{nps:?}");
        let invited = broken::<SurveyFields>(with(survey, json!({"invited": -1})));
        assert!(invited[0].contains("0 or more"), "{invited:?}");
    }

    #[test]
    fn a_project_ends_no_earlier_than_it_starts_and_funding_is_never_negative() {
        let project = json!({"title": "Fremtidens logistikk", "role": "owner",
            "start_on": "2022-03-01", "external_funding": 450000, "status": "granted"});
        assert!(broken::<ProjectFields>(project.clone()).is_empty());
        let early = with(project.clone(), json!({"end_on": "2022-02-28"}));
        assert_eq!(broken::<ProjectFields>(early), ["end_on"]);
        let negative = with(project.clone(), json!({"external_funding": -1.5}));
        assert!(broken::<ProjectFields>(negative)[0].contains("0 or more"));
        let unknown_status = with(project, json!({"status": "dreaming"}));
        assert!(broken::<ProjectFields>(unknown_status)[0].starts_with("parse:"));
    }

    #[test]
    fn observations_milestones_and_activities_parse_their_keys() {
        let observation = json!({"metric_key": "social.followers", "dimension": "linkedin",
            "observed_on": "2022-01-31", "value": 1520});
        assert!(broken::<ObservationFields>(observation.clone()).is_empty());
        let no_dimension = json!({"metric_key": "members.employees",
            "observed_on": "2022-12-31", "value": 4100.5});
        assert!(broken::<ObservationFields>(no_dimension).is_empty());
        let bad_key = with(observation, json!({"metric_key": "Social Followers"}));
        assert!(broken::<ObservationFields>(bad_key)[0].starts_with("parse:"));

        let milestone = json!({"kind": "business_association_started",
            "title": "Næringsforening i Eidsvoll", "due_on": "2022-10-01"});
        assert!(broken::<MilestoneFields>(milestone).is_empty());
        let activity = json!({"kind": "member_meeting", "title": "Medlemsmøte",
            "date": "2022-02-10", "status": "held", "participants": 34, "measure_id": 3});
        assert!(broken::<ActivityFields>(activity.clone()).is_empty());
        let unknown = with(activity, json!({"colour": "blue"}));
        assert!(broken::<ActivityFields>(unknown)[0].contains("unknown field"));
    }

    #[test]
    fn every_kind_has_its_collection() {
        let segments: Vec<_> = RecordKind::ALL.iter().map(|k| k.segment()).collect();
        assert_eq!(
            segments,
            [
                "members",
                "activities",
                "surveys",
                "projects",
                "observations",
                "milestones"
            ]
        );
    }
}
