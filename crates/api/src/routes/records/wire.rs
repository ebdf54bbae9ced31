//! The wire forms every kind of record shares: [`Record`] (a stored record as served:
//! id, the fields, provenance) and [`RecordPatch`] (a PATCH body: any of the fields). Their
//! schemas are built from the kind's fields schema, so each kind's `Member`/`UpdateMember`
//! follows from one declaration.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};
use veikart_domain::records::RecordFields;
use veikart_store::TenantRow;
use veikart_store::records::{RecordRow, RecordTable};

use crate::error::ApiError;
use crate::time::utc;

/// A stored record as served: its id, its fields, and who made and changed it when.
#[derive(Debug, Serialize)]
pub struct Record<F> {
    pub id: i64,
    #[serde(flatten)]
    pub fields: F,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the ETag is `"v<version>"`.
    pub version: i32,
    /// The import that last wrote the record; `null` when it was last written on its own.
    pub import_id: Option<i64>,
}

impl<F: RecordFields> Record<F> {
    /// The wire form of a stored row.
    pub fn of<T: RecordTable<Fields = F>>(row: &T::Row) -> Result<Self, ApiError> {
        Ok(Record {
            id: row.id(),
            fields: T::fields(row)?,
            created_by: row.created_by().to_owned(),
            updated_by: row.updated_by().to_owned(),
            created_at: utc(row.created_at()),
            updated_at: utc(row.updated_at()),
            version: row.version(),
            import_id: row.import_id(),
        })
    }
}

/// The object schema of a kind's fields.
fn fields_object<F: PartialSchema>() -> Object {
    match F::schema() {
        RefOr::T(Schema::Object(object)) => object,
        _ => Object::new(),
    }
}

fn text() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

fn timestamp() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .into()
}

fn integer(format: KnownFormat) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .into()
}

impl<F: RecordFields + ToSchema> PartialSchema for Record<F> {
    fn schema() -> RefOr<Schema> {
        let fields = fields_object::<F>();
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(fields.description.clone())
            .property("id", integer(KnownFormat::Int64));
        for (name, schema) in fields.properties {
            object = object.property(name, schema);
        }
        object = object
            .property("created_by", text())
            .property("updated_by", text())
            .property("created_at", timestamp())
            .property("updated_at", timestamp())
            .property("version", integer(KnownFormat::Int32))
            .property(
                "import_id",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some(
                        "The import that last wrote the record; null when it was last \
                         written on its own.",
                    )),
            );
        let mut object = object.build();
        // The service writes every field of a record, `null` when it is empty.
        object.required = object.properties.keys().cloned().collect();
        RefOr::T(Schema::Object(object))
    }
}

impl<F: RecordFields + ToSchema> ToSchema for Record<F> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(F::KIND.schema_name())
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        F::schemas(schemas);
    }
}

/// A PATCH body: any of the kind's fields. An absent field stays as it is; `null` clears
/// a field the kind declares optional and is refused (422) for any other.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct RecordPatch<F> {
    changes: Map<String, Value>,
    #[serde(skip)]
    kind: std::marker::PhantomData<F>,
}

impl<F: RecordFields> RecordPatch<F> {
    /// The stored fields with the changes laid over them, read back as the kind's fields
    /// (so every field rule applies, and an unknown field is named).
    pub fn apply(self, current: F) -> Result<F, ApiError> {
        let mut merged = match serde_json::to_value(current) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => {
                return Err(ApiError::Internal(
                    "a record's fields did not serialise as an object".into(),
                ));
            }
        };
        merged.extend(self.changes);
        crate::json::from_value(Value::Object(merged))
    }
}

impl<F: RecordFields + ToSchema> PartialSchema for RecordPatch<F> {
    fn schema() -> RefOr<Schema> {
        let mut object = fields_object::<F>();
        object.required = Vec::new();
        object.description = Some(format!(
            "The fields to change; absent fields stay as they are, `null` clears a nullable \
             one. See `{}`.",
            F::name()
        ));
        RefOr::T(Schema::Object(object))
    }
}

impl<F: RecordFields + ToSchema> ToSchema for RecordPatch<F> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Update{}", F::KIND.schema_name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        F::schemas(schemas);
    }
}
