//! The six kinds of record: each is an implementation of [`RecordKind`] (its rules that
//! need the database) and a `resource_handlers!` declaration (`scope: records`) of its
//! documented operations, in a module of its own.

use actix_web::{delete, get, patch, post};
use veikart_domain::records::{
    ActivityFields, ActivityFilter, MemberFields, MemberFilter, MilestoneFields, MilestoneFilter,
    ObservationFields, ObservationFilter, ProjectFields, ProjectFilter, SurveyFields, SurveyFilter,
};
use veikart_store::records::{
    Activities, Members, Milestones, Observations, Projects, Surveys, observations,
};
use veikart_store::{StoreError, Tx};

use super::{Record, RecordKind, RecordPatch, RecordPath, check_measure};
use crate::pagination::Page;
use crate::routes::orgs::OrgPath;
use crate::routes::resource::resource_handlers;

/// Registers every kind's operations, each kind in its own scope (`/members`, …).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use utoipa_actix_web::scope;
    cfg.service(scope("/members").configure(members::configure))
        .service(scope("/activities").configure(activities::configure))
        .service(scope("/surveys").configure(surveys::configure))
        .service(scope("/projects").configure(projects::configure))
        .service(scope("/observations").configure(observations_api::configure))
        .service(scope("/milestones").configure(milestones::configure));
}

pub type Member = Record<MemberFields>;
pub type UpdateMember = RecordPatch<MemberFields>;
pub type Activity = Record<ActivityFields>;
pub type UpdateActivity = RecordPatch<ActivityFields>;
pub type Survey = Record<SurveyFields>;
pub type UpdateSurvey = RecordPatch<SurveyFields>;
pub type Project = Record<ProjectFields>;
pub type UpdateProject = RecordPatch<ProjectFields>;
pub type Observation = Record<ObservationFields>;
pub type UpdateObservation = RecordPatch<ObservationFields>;
pub type Milestone = Record<MilestoneFields>;
pub type UpdateMilestone = RecordPatch<MilestoneFields>;

pub struct MemberKind;
impl RecordKind for MemberKind {
    type Table = Members;
}

pub struct ActivityKind;
impl RecordKind for ActivityKind {
    type Table = Activities;
    fn check(
        tx: &mut Tx<'_>,
        org_id: i64,
        fields: &ActivityFields,
        _id: Option<i64>,
    ) -> Result<(), StoreError> {
        check_measure(tx, org_id, fields.measure_id)
    }
    fn measure_id(fields: &ActivityFields) -> Option<i64> {
        fields.measure_id
    }
}

pub struct SurveyKind;
impl RecordKind for SurveyKind {
    type Table = Surveys;
}

pub struct ProjectKind;
impl RecordKind for ProjectKind {
    type Table = Projects;
}

pub struct ObservationKind;
impl RecordKind for ObservationKind {
    type Table = Observations;
    /// One value per metric, dimension and day: 409 naming the observation that has it.
    fn check(
        tx: &mut Tx<'_>,
        org_id: i64,
        fields: &ObservationFields,
        id: Option<i64>,
    ) -> Result<(), StoreError> {
        match observations::same_key(tx, org_id, fields, id)? {
            Some(existing) => Err(StoreError::Conflict {
                field: Some("observed_on".into()),
                message: format!(
                    "observation {existing} already holds {} ({}) on {}; change that one",
                    fields.metric_key,
                    fields.dimension.as_str(),
                    fields.observed_on
                ),
            }),
            None => Ok(()),
        }
    }
}

pub struct MilestoneKind;
impl RecordKind for MilestoneKind {
    type Table = Milestones;
    fn check(
        tx: &mut Tx<'_>,
        org_id: i64,
        fields: &MilestoneFields,
        _id: Option<i64>,
    ) -> Result<(), StoreError> {
        check_measure(tx, org_id, fields.measure_id)
    }
    fn measure_id(fields: &MilestoneFields) -> Option<i64> {
        fields.measure_id
    }
}

pub mod members {
    use super::*;

    resource_handlers! {
        scope: records, resource: MemberKind, wire: Member, filter: MemberFilter, tag: "members",
        collection: "" (OrgPath),
        item: "/{id}" (RecordPath),
        list: list_members = "List members in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
        create: create_member (MemberFields) = "Record a member (`editor`).",
        get: get_member = "Get a member (`viewer`).",
        update: update_member (UpdateMember) = "Change a member (`editor`); honours `If-Match`.",
        delete: delete_member = "Delete a member (`editor`); honours `If-Match`.",
    }
}

pub mod activities {
    use super::*;

    resource_handlers! {
        scope: records, resource: ActivityKind, wire: Activity, filter: ActivityFilter, tag: "activities",
        collection: "" (OrgPath),
        item: "/{id}" (RecordPath),
        list: list_activities = "List activities in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
        create: create_activity (ActivityFields) = "Record an activity (`editor`).",
        get: get_activity = "Get an activity (`viewer`).",
        update: update_activity (UpdateActivity) = "Change an activity (`editor`); honours `If-Match`.",
        delete: delete_activity = "Delete an activity (`editor`); honours `If-Match`.",
    }
}

pub mod surveys {
    use super::*;

    resource_handlers! {
        scope: records, resource: SurveyKind, wire: Survey, filter: SurveyFilter, tag: "surveys",
        collection: "" (OrgPath),
        item: "/{id}" (RecordPath),
        list: list_surveys = "List surveys in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
        create: create_survey (SurveyFields) = "Record a survey (`editor`).",
        get: get_survey = "Get a survey (`viewer`).",
        update: update_survey (UpdateSurvey) = "Change a survey (`editor`); honours `If-Match`.",
        delete: delete_survey = "Delete a survey (`editor`); honours `If-Match`.",
    }
}

pub mod projects {
    use super::*;

    resource_handlers! {
        scope: records, resource: ProjectKind, wire: Project, filter: ProjectFilter, tag: "projects",
        collection: "" (OrgPath),
        item: "/{id}" (RecordPath),
        list: list_projects = "List projects in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
        create: create_project (ProjectFields) = "Record a project (`editor`).",
        get: get_project = "Get a project (`viewer`).",
        update: update_project (UpdateProject) = "Change a project (`editor`); honours `If-Match`.",
        delete: delete_project = "Delete a project (`editor`); honours `If-Match`.",
    }
}

pub mod observations_api {
    use super::*;

    resource_handlers! {
        scope: records, resource: ObservationKind, wire: Observation, filter: ObservationFilter, tag: "observations",
        collection: "" (OrgPath),
        item: "/{id}" (RecordPath),
        list: list_observations = "List observations in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
        create: create_observation (ObservationFields) = "Record an observation (`editor`).",
        get: get_observation = "Get an observation (`viewer`).",
        update: update_observation (UpdateObservation) = "Change an observation (`editor`); honours `If-Match`.",
        delete: delete_observation = "Delete an observation (`editor`); honours `If-Match`.",
    }
}

pub mod milestones {
    use super::*;

    resource_handlers! {
        scope: records, resource: MilestoneKind, wire: Milestone, filter: MilestoneFilter, tag: "milestones",
        collection: "" (OrgPath),
        item: "/{id}" (RecordPath),
        list: list_milestones = "List milestones in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
        create: create_milestone (MilestoneFields) = "Record a milestone (`editor`).",
        get: get_milestone = "Get a milestone (`viewer`).",
        update: update_milestone (UpdateMilestone) = "Change a milestone (`editor`); honours `If-Match`.",
        delete: delete_milestone = "Delete a milestone (`editor`); honours `If-Match`.",
    }
}
