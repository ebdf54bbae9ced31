//! The six kinds of record: each is an implementation of [`RecordKind`] (its rules that
//! need the database) and one [`record_handlers!`] line declaring its documented
//! operations.

use actix_web::{delete, get, patch, post};
use veikart_domain::records::{
    ActivityFields, MemberFields, MilestoneFields, ObservationFields, ProjectFields, SurveyFields,
};
use veikart_store::records::{
    Activities, Members, Milestones, Observations, Projects, Surveys, observations,
};
use veikart_store::{StoreError, Tx};

use super::{Record, RecordKind, RecordPatch, check_measure};
use crate::pagination::Page;

/// Registers every kind's operations.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    members::configure(cfg);
    activities::configure(cfg);
    surveys::configure(cfg);
    projects::configure(cfg);
    observations_api::configure(cfg);
    milestones::configure(cfg);
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

/// Declares a kind's five documented operations — list, create, get, update, delete —
/// and the `configure` that registers them, each a thin call into the shared handlers
/// with its `#[utoipa::path]`, so the route and its OpenAPI operation come from one place.
macro_rules! record_handlers {
    (
        $module:ident: kind $K:ty, wire $Wire:ty, fields $Fields:ty, update $Update:ty,
        filter $Filter:ty, tag $tag:literal, collection $collection:literal, item $item:literal,
        list $list:ident = $list_doc:literal, create $create:ident = $create_doc:literal,
        get $get:ident = $get_doc:literal, update $update:ident = $update_doc:literal,
        delete $delete:ident = $delete_doc:literal $(,)?
    ) => {
        pub mod $module {
            use super::*;

            pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
                cfg.service($list)
                    .service($create)
                    .service($get)
                    .service($update)
                    .service($delete);
            }

            #[doc = $list_doc]
            #[utoipa::path(
                get, path = $collection, tag = $tag,
                params(crate::routes::orgs::OrgPath, $Filter, crate::pagination::PageParams),
                security(("bearer_auth" = [])),
                responses((status = 200, content(
                    (Page<$Wire> = "application/json"),
                    (String = "text/csv"),
                )))
            )]
            #[get($collection)]
            pub async fn $list(
                req: actix_web::HttpRequest,
                state: actix_web::web::Data<crate::state::AppState>,
                auth: crate::auth::Auth,
                path: actix_web::web::Path<crate::routes::orgs::OrgPath>,
            ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
                crate::routes::records::list::<$K>(&req, &state, auth.0, &path.org).await
            }

            #[doc = $create_doc]
            #[utoipa::path(
                post, path = $collection, tag = $tag,
                params(crate::routes::orgs::OrgPath),
                request_body = $Fields,
                security(("bearer_auth" = [])),
                responses((status = 201, body = $Wire, headers(
                    ("ETag" = String, description = "The version, for If-Match"),
                    ("Location" = String, description = "The new record's URL"),
                )))
            )]
            #[post($collection)]
            pub async fn $create(
                req: actix_web::HttpRequest,
                state: actix_web::web::Data<crate::state::AppState>,
                auth: crate::auth::Auth,
                path: actix_web::web::Path<crate::routes::orgs::OrgPath>,
                body: crate::json::JsonBody<$Fields>,
            ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
                crate::routes::records::create::<$K>(&req, &state, auth.0, &path.org, body.0).await
            }

            #[doc = $get_doc]
            #[utoipa::path(
                get, path = $item, tag = $tag,
                params(
                    crate::routes::records::RecordPath,
                    ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current"),
                ),
                security(("bearer_auth" = [])),
                responses(
                    (status = 200, body = $Wire, headers(("ETag" = String, description = "The version, for If-Match"))),
                    (status = 304, description = "The copy named by If-None-Match is current"),
                )
            )]
            #[get($item)]
            pub async fn $get(
                req: actix_web::HttpRequest,
                state: actix_web::web::Data<crate::state::AppState>,
                auth: crate::auth::Auth,
                path: actix_web::web::Path<crate::routes::records::RecordPath>,
            ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
                crate::routes::records::get::<$K>(&req, &state, auth.0, &path).await
            }

            #[doc = $update_doc]
            #[utoipa::path(
                patch, path = $item, tag = $tag,
                params(
                    crate::routes::records::RecordPath,
                    ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale"),
                ),
                request_body = $Update,
                security(("bearer_auth" = [])),
                responses((status = 200, body = $Wire, headers(("ETag" = String, description = "The new version"))))
            )]
            #[patch($item)]
            pub async fn $update(
                req: actix_web::HttpRequest,
                state: actix_web::web::Data<crate::state::AppState>,
                auth: crate::auth::Auth,
                path: actix_web::web::Path<crate::routes::records::RecordPath>,
                body: crate::json::JsonBody<$Update>,
            ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
                crate::routes::records::update::<$K>(&req, &state, auth.0, &path, body.0).await
            }

            #[doc = $delete_doc]
            #[utoipa::path(
                delete, path = $item, tag = $tag,
                params(
                    crate::routes::records::RecordPath,
                    ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale"),
                ),
                security(("bearer_auth" = [])),
                responses((status = 204, description = "Deleted"))
            )]
            #[delete($item)]
            pub async fn $delete(
                req: actix_web::HttpRequest,
                state: actix_web::web::Data<crate::state::AppState>,
                auth: crate::auth::Auth,
                path: actix_web::web::Path<crate::routes::records::RecordPath>,
            ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
                crate::routes::records::delete::<$K>(&req, &state, auth.0, &path).await
            }
        }
    };
}

record_handlers!(members: kind MemberKind, wire Member, fields MemberFields, update UpdateMember,
    filter veikart_domain::records::MemberFilter, tag "members",
    collection "/orgs/{org}/members", item "/orgs/{org}/members/{id}",
    list list_members = "List members in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
    create create_member = "Record a member (`editor`).",
    get get_member = "Get a member (`viewer`).",
    update update_member = "Change a member (`editor`); honours `If-Match`.",
    delete delete_member = "Delete a member (`editor`); honours `If-Match`.");
record_handlers!(activities: kind ActivityKind, wire Activity, fields ActivityFields,
    update UpdateActivity, filter veikart_domain::records::ActivityFilter, tag "activities",
    collection "/orgs/{org}/activities", item "/orgs/{org}/activities/{id}",
    list list_activities = "List activities in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
    create create_activity = "Record an activity (`editor`).",
    get get_activity = "Get an activity (`viewer`).",
    update update_activity = "Change an activity (`editor`); honours `If-Match`.",
    delete delete_activity = "Delete an activity (`editor`); honours `If-Match`.");
record_handlers!(surveys: kind SurveyKind, wire Survey, fields SurveyFields, update UpdateSurvey,
    filter veikart_domain::records::SurveyFilter, tag "surveys",
    collection "/orgs/{org}/surveys", item "/orgs/{org}/surveys/{id}",
    list list_surveys = "List surveys in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
    create create_survey = "Record a survey (`editor`).",
    get get_survey = "Get a survey (`viewer`).",
    update update_survey = "Change a survey (`editor`); honours `If-Match`.",
    delete delete_survey = "Delete a survey (`editor`); honours `If-Match`.");
record_handlers!(projects: kind ProjectKind, wire Project, fields ProjectFields,
    update UpdateProject, filter veikart_domain::records::ProjectFilter, tag "projects",
    collection "/orgs/{org}/projects", item "/orgs/{org}/projects/{id}",
    list list_projects = "List projects in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
    create create_project = "Record a project (`editor`).",
    get get_project = "Get a project (`viewer`).",
    update update_project = "Change a project (`editor`); honours `If-Match`.",
    delete delete_project = "Delete a project (`editor`); honours `If-Match`.");
record_handlers!(observations_api: kind ObservationKind, wire Observation,
    fields ObservationFields, update UpdateObservation,
    filter veikart_domain::records::ObservationFilter, tag "observations",
    collection "/orgs/{org}/observations", item "/orgs/{org}/observations/{id}",
    list list_observations = "List observations in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
    create create_observation = "Record an observation (`editor`).",
    get get_observation = "Get an observation (`viewer`).",
    update update_observation = "Change an observation (`editor`); honours `If-Match`.",
    delete delete_observation = "Delete an observation (`editor`); honours `If-Match`.");
record_handlers!(milestones: kind MilestoneKind, wire Milestone, fields MilestoneFields,
    update UpdateMilestone, filter veikart_domain::records::MilestoneFilter, tag "milestones",
    collection "/orgs/{org}/milestones", item "/orgs/{org}/milestones/{id}",
    list list_milestones = "List milestones in date order (`viewer`); with `Accept: text/csv`, every matching one as CSV.",
    create create_milestone = "Record a milestone (`editor`).",
    get get_milestone = "Get a milestone (`viewer`).",
    update update_milestone = "Change a milestone (`editor`); honours `If-Match`.",
    delete delete_milestone = "Delete a milestone (`editor`); honours `If-Match`.");
