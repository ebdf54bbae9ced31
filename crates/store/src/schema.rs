//! The diesel schema, kept by hand so that it uses only column types that both
//! PostgreSQL and SQLite have (`migrations/postgres` and `migrations/sqlite` must agree
//! with it).

diesel::table! {
    organisations (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        org_number -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    plans (id) {
        id -> BigInt,
        org_id -> BigInt,
        title -> Text,
        period_start -> Date,
        period_end -> Date,
        status -> Text,
        adopted_on -> Nullable<Date>,
        adopted_by -> Nullable<Text>,
        published -> Bool,
        intro -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        org_id -> BigInt,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> BigInt,
        at -> Timestamp,
    }
}

diesel::joinable!(plans -> organisations (org_id));
diesel::joinable!(audit_log -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(organisations, plans, audit_log);
