//! [`resource_handlers!`]: the one declaration of a resource's documented operations, in
//! any scope.
//!
//! A macro, because `#[utoipa::path]` and actix's route attributes read literal paths and
//! summaries: a generic function cannot carry them. Everything else is generic code in
//! the scope's module; the declaration only names the resource, its types, its paths and
//! its summaries.

/// Declares the documented operations of a resource in a scope — list, create, get,
/// update (unless the resource is never changed), delete — and the `configure` that
/// registers them, each a thin call into the scope's generic `list`, `create`, `get`,
/// `update` and `delete` with its `#[utoipa::path]`, so that a route and its OpenAPI
/// operation come from one place.
///
/// The scope decides who reads and what the list answers in; the declaration gives the
/// rest:
///
/// | scope | generic code | read by | the list answers |
/// |---|---|---|---|
/// | `org` | `resource::org` ([`super::OrgChild`]) | a token (`viewer`) | JSON pages |
/// | `plan` | `resource::plan` ([`super::PlanChild`]) | anyone, for a published plan | JSON pages |
/// | `records` | `routes::records` (`RecordKind`) | a token (`viewer`) | JSON pages, or CSV for `Accept: text/csv` |
///
/// Every list reads its filters and page from the query string one way
/// ([`crate::pagination::query_params`]: a repeated parameter is a list).
///
/// `collection` and `item` name their paths' types; `filter` the list's query filters
/// (`NoFilter` when it has none); `links` adds OpenAPI links to the create's answer. The
/// calling module imports `actix_web::{delete, get, patch, post}` and
/// `crate::pagination::Page`, which the attribute macros look up by name.
macro_rules! resource_handlers {
    (scope: org, $($declaration:tt)*) => {
        $crate::routes::resource::resource_handlers! { @declare
            scope: [crate::routes::resource::org], reader: $crate::auth::Auth,
            read_security: (("bearer_auth" = [])),
            location: "The new resource's URL", list_formats: [],
            $($declaration)*
        }
    };
    (scope: plan, $($declaration:tt)*) => {
        $crate::routes::resource::resource_handlers! { @declare
            scope: [crate::routes::resource::plan], reader: $crate::auth::MaybeAuth,
            read_security: ((), ("bearer_auth" = [])),
            location: "The new resource's URL", list_formats: [],
            $($declaration)*
        }
    };
    (scope: records, $($declaration:tt)*) => {
        $crate::routes::resource::resource_handlers! { @declare
            scope: [crate::routes::records], reader: $crate::auth::Auth,
            read_security: (("bearer_auth" = [])),
            location: "The new record's URL", list_formats: [, (String = "text/csv")],
            $($declaration)*
        }
    };
    (
        @declare scope: [$($scope:tt)*], reader: $Reader:ty, read_security: $read_security:tt,
        location: $location:literal, list_formats: [$($format:tt)*],
        resource: $C:ty, wire: $Wire:ty, filter: $Filter:ty, tag: $tag:literal,
        collection: $collection:literal ($CollectionPath:ty),
        item: $item:literal ($ItemPath:ty),
        list: $list:ident = $list_doc:literal,
        create: $create:ident ($Create:ty) = $create_doc:literal $(links $links:tt)?,
        get: $get:ident = $get_doc:literal,
        $(update: $update:ident ($Update:ty) = $update_doc:literal,)?
        delete: $delete:ident = $delete_doc:literal $(,)?
    ) => {
        /// Registers the resource's operations.
        pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
            cfg.service($list)
                .service($create)
                .service($get)
                $(.service($update))?
                .service($delete);
        }

        #[doc = $list_doc]
        #[utoipa::path(
            get, path = $collection, tag = $tag,
            params($CollectionPath, $Filter, $crate::pagination::PageParams),
            security $read_security,
            responses((status = 200, content((Page<$Wire> = "application/json") $($format)*)))
        )]
        #[get($collection)]
        pub async fn $list(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $Reader,
            path: actix_web::web::Path<$CollectionPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            let filter: $Filter = $crate::pagination::query_params(&req)?;
            let page: $crate::pagination::PageParams = $crate::pagination::query_params(&req)?;
            $($scope)*::list::<$C>(&req, &state, auth.0, &*path, filter, &page).await
        }

        #[doc = $create_doc]
        #[utoipa::path(
            post, path = $collection, tag = $tag,
            params($CollectionPath),
            request_body = $Create,
            security(("bearer_auth" = [])),
            responses((status = 201, body = $Wire, headers(
                ("ETag" = String, description = "The version, for If-Match"),
                ("Location" = String, description = $location),
            ) $(, links $links)?))
        )]
        #[post($collection)]
        pub async fn $create(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$CollectionPath>,
            body: $crate::json::JsonBody<$Create>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $($scope)*::create::<$C>(&req, &state, auth.0, &*path, body.0).await
        }

        #[doc = $get_doc]
        #[utoipa::path(
            get, path = $item, tag = $tag,
            params(
                $ItemPath,
                ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current"),
            ),
            security $read_security,
            responses(
                (status = 200, body = $Wire, headers(("ETag" = String, description = "The version, for If-Match"))),
                (status = 304, description = "The copy named by If-None-Match is current"),
            )
        )]
        #[get($item)]
        pub async fn $get(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $Reader,
            path: actix_web::web::Path<$ItemPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $($scope)*::get::<$C>(&req, &state, auth.0, &*path).await
        }

        $crate::routes::resource::resource_handlers! { @update
            scope: [$($scope)*], resource: $C, wire: $Wire, tag: $tag, item: $item ($ItemPath),
            $($update ($Update) = $update_doc)?
        }

        #[doc = $delete_doc]
        #[utoipa::path(
            delete, path = $item, tag = $tag,
            params(
                $ItemPath,
                ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale"),
            ),
            security(("bearer_auth" = [])),
            responses((status = 204, description = "Deleted"))
        )]
        #[delete($item)]
        pub async fn $delete(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$ItemPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $($scope)*::delete::<$C>(&req, &state, auth.0, &*path).await
        }
    };
    (
        @update scope: [$($scope:tt)*], resource: $C:ty, wire: $Wire:ty, tag: $tag:literal,
        item: $item:literal ($ItemPath:ty),
    ) => {};
    (
        @update scope: [$($scope:tt)*], resource: $C:ty, wire: $Wire:ty, tag: $tag:literal,
        item: $item:literal ($ItemPath:ty),
        $update:ident ($Update:ty) = $update_doc:literal
    ) => {
        #[doc = $update_doc]
        #[utoipa::path(
            patch, path = $item, tag = $tag,
            params(
                $ItemPath,
                ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale"),
            ),
            request_body = $Update,
            security(("bearer_auth" = [])),
            responses((status = 200, body = $Wire, headers(("ETag" = String, description = "The new version"))))
        )]
        #[patch($item)]
        pub async fn $update(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$ItemPath>,
            body: $crate::json::JsonBody<$Update>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $($scope)*::update::<$C>(&req, &state, auth.0, &*path, body.0).await
        }
    };
}

pub(crate) use resource_handlers;
