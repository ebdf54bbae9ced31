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
        strategy_id -> Nullable<BigInt>,
        revision -> Integer,
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

diesel::table! {
    strategies (id) {
        id -> BigInt,
        org_id -> BigInt,
        title -> Text,
        period_start -> Date,
        period_end -> Date,
        vision -> Nullable<Text>,
        mission -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    goals (id) {
        id -> BigInt,
        org_id -> BigInt,
        strategy_id -> Nullable<BigInt>,
        plan_id -> Nullable<BigInt>,
        key -> Text,
        title -> Text,
        description -> Nullable<Text>,
        measurable -> Bool,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    check_ins (id) {
        id -> BigInt,
        org_id -> BigInt,
        goal_id -> BigInt,
        checked_on -> Date,
        status -> Text,
        confidence -> Integer,
        comment -> Nullable<Text>,
        author -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    focus_areas (id) {
        id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        number -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    budget_lines (id) {
        id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        code -> Text,
        title -> Text,
        amount -> BigInt,
        actual_spent -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    measures (id) {
        id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        focus_area_id -> BigInt,
        budget_line_id -> Nullable<BigInt>,
        number -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        owner -> Nullable<Text>,
        status -> Text,
        due_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    kpis (id) {
        id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        focus_area_id -> Nullable<BigInt>,
        goal_id -> Nullable<BigInt>,
        code -> Nullable<Text>,
        title -> Text,
        entity -> Text,
        aggregate -> Text,
        field -> Nullable<Text>,
        filters -> Text,
        direction -> Text,
        target -> Double,
        baseline -> Nullable<Double>,
        tolerance -> Double,
        unit -> Nullable<Text>,
        period_start -> Nullable<Date>,
        period_end -> Nullable<Date>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    plan_revisions (id) {
        id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        revision -> Integer,
        adopted_on -> Nullable<Date>,
        adopted_by -> Nullable<Text>,
        document -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(plans -> organisations (org_id));
diesel::joinable!(audit_log -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    plans,
    audit_log,
    strategies,
    goals,
    check_ins,
    focus_areas,
    budget_lines,
    measures,
    kpis,
    plan_revisions,
);
