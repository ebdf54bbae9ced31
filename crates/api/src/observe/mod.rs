//! Following the running service: every request's id ([`request_id`]) and the
//! service's metrics ([`metrics`]), both set up around each request by [`around_request`].

pub mod metrics;
pub mod request_id;

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use self::metrics::Metrics;
use self::request_id::RequestId;
use crate::state::AppState;

/// The metrics of an application, when they are on (`VEIKART_METRICS_BIND` set); off,
/// requests cost nothing for them.
#[derive(Clone, Default)]
pub struct MetricsSwitch(pub Option<Arc<Metrics>>);

/// Names the request (its id is current while it is handled, and the response carries
/// it) and counts the request in the metrics. Errors are rendered while the id is
/// current, so a problem's `instance` has it.
pub async fn around_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = RequestId::from_client(req.headers().get(request_id::HEADER));
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.metrics.0.clone());
    let method = req.method().clone();
    let header = (
        HeaderName::from_static(request_id::HEADER),
        HeaderValue::from_str(id.as_str()),
    );
    let outcome = id
        .scope(async move {
            // A middleware inside may fail rather than answer (none of Veikart's own
            // does): its error is rendered here, while the id is current.
            next.call(req).await.map_err(|e| {
                let response = e.error_response();
                (e, response)
            })
        })
        .await;
    match outcome {
        Ok(mut res) => {
            if let (name, Ok(value)) = header {
                res.headers_mut().insert(name, value);
            }
            if let Some(metrics) = metrics {
                let route = res.request().match_pattern();
                metrics.request(route.as_deref(), &method, res.status(), started.elapsed());
            }
            Ok(res.map_into_boxed_body())
        }
        Err((e, mut response)) => {
            if let (name, Ok(value)) = header {
                response.headers_mut().insert(name, value);
            }
            if let Some(metrics) = metrics {
                metrics.request(None, &method, response.status(), started.elapsed());
            }
            Err(InternalError::from_response(e, response).into())
        }
    }
}
