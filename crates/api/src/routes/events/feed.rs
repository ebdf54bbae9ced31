use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use veikart_domain::Role;
use veikart_domain::events::EventType;
use veikart_domain::number::{EventSeq, PageLimit};
use veikart_store::events::{self as store, Feed, FeedRequest};

use super::{Event, EventPage};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::query_params;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// `?after=&type=&limit=` of the feed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only the events after this `seq` (the last one read); from the oldest event kept
    /// when absent or 0.
    #[param(inline)]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub after: Option<EventSeq>,
    /// Only events of these types (repeat the parameter for several).
    #[param(rename = "type", inline)]
    #[serde(default, rename = "type")]
    pub types: Vec<EventType>,
    /// How many events to return (1–500, default 50).
    #[param(inline)]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub limit: Option<PageLimit>,
}

impl FeedParams {
    /// The store's request (the cursor's and the limit's ranges are their types', refused
    /// as the query is read).
    fn request(self) -> FeedRequest {
        FeedRequest {
            after: self.after.map_or(0, EventSeq::get),
            types: self.types,
            limit: i64::from(self.limit.unwrap_or_default().get()),
        }
    }
}

/// List the organisation's events, oldest first (`viewer`): every change that matters —
/// records created, changed and deleted, imports completed, plans adopted, published,
/// unpublished, archived and revised — in the order the changes committed. Events are kept
/// at least 30 days; a cursor older than that answers 410.
#[utoipa::path(
    get, path = "", tag = "events",
    params(OrgPath, FeedParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, body = EventPage),
        (status = 410, description = "Events after `after` were removed (older than the \
                                      retention): read the feed again from its start."),
    )
)]
#[get("")]
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
) -> Result<HttpResponse, ApiError> {
    let request = query_params::<FeedParams>(&req)?.request();
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let after = request.after;
    let feed = state
        .db(move |conn| store::feed(conn, access.org(), &request))
        .await?;
    match feed {
        Feed::Page { events, next_after } => {
            let items = events
                .into_iter()
                .map(|e| Event::of(&path.org, e))
                .collect::<Result<_, _>>()?;
            Ok(HttpResponse::Ok().json(EventPage {
                items,
                next_cursor: next_after,
            }))
        }
        Feed::Pruned { starts_after } => Err(ApiError::Gone(format!(
            "the events after {after} were removed (events are kept for a limited time); \
             the feed now starts after seq {starts_after}: read it again from its start, \
             without `after`"
        ))),
    }
}
