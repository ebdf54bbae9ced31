//! What answers when no route matched: 405 with `Allow` when the path exists with other
//! methods, 404 otherwise, both as problem+json. The known paths come from the OpenAPI
//! document, which is built from the same registration as the routes.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// The documented paths and their methods, for telling 404 from 405.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<Method>)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = split(path)
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(s.to_owned())
                        }
                    })
                    .collect();
                let methods = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ]
                .into_iter()
                .filter(|(op, _)| op.is_some())
                .map(|(_, m)| m)
                .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods a path answers to (empty when the path is unknown). When several
    /// routes match, the most specific wins, as in routing: `/plans/import` is the import
    /// route, not a plan whose id is `import`.
    pub fn methods_for(&self, path: &str) -> Vec<Method> {
        let parts: Vec<&str> = split(path).collect();
        let matching: Vec<_> = self
            .routes
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(seg, part)| match seg {
                        Segment::Literal(l) => l == part,
                        Segment::Parameter => !part.is_empty(),
                    })
            })
            .collect();
        let parameters = |segments: &[Segment]| {
            segments
                .iter()
                .filter(|s| **s == Segment::Parameter)
                .count()
        };
        let fewest = matching
            .iter()
            .map(|(segments, _)| parameters(segments))
            .min();
        matching
            .into_iter()
            .filter(|(segments, _)| Some(parameters(segments)) == fewest)
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect()
    }

    /// 405 when the path is known but not with this method, for errors that arise while
    /// a route that matched by pattern reads its parameters.
    pub fn method_not_allowed(&self, req: &HttpRequest) -> Option<ApiError> {
        let allow = self.methods_for(req.path());
        (!allow.is_empty() && !allow.contains(req.method())).then(|| ApiError::MethodNotAllowed {
            method: req.method().clone(),
            allow,
        })
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// The app's default service.
pub async fn not_found_or_not_allowed(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let allow = table.methods_for(req.path());
    Err(if allow.is_empty() {
        ApiError::NotFound
    } else {
        ApiError::MethodNotAllowed {
            method: req.method().clone(),
            allow,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::OpenApiBuilder;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};

    #[test]
    fn paths_match_with_parameters_and_list_their_methods() {
        let doc = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path(
                        "/api/v1/orgs/{org}",
                        PathItem::new(HttpMethod::Get, OperationBuilder::new().build()),
                    )
                    .path(
                        "/api/v1/orgs/{org}/plans",
                        PathItem::new(HttpMethod::Post, OperationBuilder::new().build()),
                    )
                    .path(
                        "/api/v1/orgs/{org}/plans/{id}",
                        PathItem::new(HttpMethod::Delete, OperationBuilder::new().build()),
                    )
                    .path(
                        "/api/v1/orgs/{org}/plans/import",
                        PathItem::new(HttpMethod::Post, OperationBuilder::new().build()),
                    ),
            )
            .build();
        let table = RouteTable::from_openapi(&doc);
        assert_eq!(table.methods_for("/api/v1/orgs/ig"), [Method::GET]);
        assert_eq!(
            table.methods_for("/api/v1/orgs/plans"),
            [Method::GET],
            "a parameter matches any segment"
        );
        assert_eq!(table.methods_for("/api/v1/orgs/ig/plans"), [Method::POST]);
        assert!(table.methods_for("/api/v1/orgs/ig/plans/").is_empty());
        // The literal route wins over the parameter.
        assert_eq!(
            table.methods_for("/api/v1/orgs/ig/plans/import"),
            [Method::POST]
        );
        assert_eq!(
            table.methods_for("/api/v1/orgs/ig/plans/7"),
            [Method::DELETE]
        );
        assert!(table.methods_for("/api/v1/orgs/ig/nothing").is_empty());
        assert!(table.methods_for("/api/v1/orgs").is_empty());
    }
}
