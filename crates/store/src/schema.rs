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
        data_version -> BigInt,
        website -> Nullable<Text>,
        embed_origins -> Nullable<Text>,
        data_changed_at -> Timestamp,
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

diesel::table! {
    members (id) {
        id -> BigInt,
        org_id -> BigInt,
        org_number -> Text,
        name -> Text,
        municipality -> Text,
        membership_type -> Text,
        joined_on -> Date,
        left_on -> Nullable<Date>,
        employees -> Nullable<BigInt>,
        external_ref -> Nullable<Text>,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    activities (id) {
        id -> BigInt,
        org_id -> BigInt,
        kind -> Text,
        title -> Text,
        date -> Date,
        status -> Text,
        participants -> Nullable<BigInt>,
        municipality -> Nullable<Text>,
        measure_id -> Nullable<BigInt>,
        external_ref -> Nullable<Text>,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    surveys (id) {
        id -> BigInt,
        org_id -> BigInt,
        audience -> Text,
        title -> Text,
        conducted_on -> Date,
        invited -> BigInt,
        responses -> BigInt,
        scale_min -> Double,
        scale_max -> Double,
        mean_score -> Nullable<Double>,
        nps -> Nullable<Integer>,
        external_ref -> Nullable<Text>,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        org_id -> BigInt,
        title -> Text,
        role -> Text,
        start_on -> Date,
        end_on -> Nullable<Date>,
        funder -> Nullable<Text>,
        funding_scheme -> Nullable<Text>,
        case_number -> Nullable<Text>,
        external_funding -> Double,
        status -> Text,
        external_ref -> Nullable<Text>,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    observations (id) {
        id -> BigInt,
        org_id -> BigInt,
        metric_key -> Text,
        dimension -> Text,
        observed_on -> Date,
        value -> Double,
        external_ref -> Nullable<Text>,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    milestones (id) {
        id -> BigInt,
        org_id -> BigInt,
        kind -> Text,
        title -> Text,
        due_on -> Nullable<Date>,
        achieved_on -> Nullable<Date>,
        municipality -> Nullable<Text>,
        measure_id -> Nullable<BigInt>,
        listed_on -> Date,
        external_ref -> Nullable<Text>,
        created_by -> Text,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        import_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    imports (id) {
        id -> BigInt,
        org_id -> BigInt,
        kind -> Text,
        format -> Text,
        charset -> Text,
        imported_by -> Text,
        body_sha256 -> Text,
        body_bytes -> BigInt,
        row_count -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        unchanged -> BigInt,
        started_at -> Timestamp,
        finished_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (org_id, key) {
        org_id -> BigInt,
        key -> Text,
        request_sha256 -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        answer -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// An organisation's API keys: the SHA-256 digest of each key (hex), never the key.
    api_keys (id) {
        id -> BigInt,
        org_id -> BigInt,
        digest -> Text,
        prefix -> Text,
        name -> Text,
        role -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        rolled_from -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// What changed in an organisation, in commit order per organisation (`seq`); the
    /// data is the JSON of the event type's data.
    events (seq) {
        seq -> BigInt,
        id -> Text,
        org_id -> BigInt,
        event_type -> Text,
        occurred_at -> Timestamp,
        data -> Text,
    }
}

diesel::table! {
    /// Where an organisation's event feed starts: the last `seq` pruned from it.
    event_feeds (org_id) {
        org_id -> BigInt,
        pruned_through -> BigInt,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        org_id -> BigInt,
        url -> Text,
        description -> Text,
        event_types -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret_sealed -> Text,
        previous_secret_sealed -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        delivered_through -> BigInt,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_messages (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> Text,
        event_seq -> Nullable<BigInt>,
        event_type -> Text,
        attempted_at -> Timestamp,
        succeeded -> Bool,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        latency_ms -> Integer,
        response_excerpt -> Text,
    }
}

diesel::table! {
    kpi_statuses (kpi_id) {
        kpi_id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        status -> Text,
        as_of -> Date,
        changed_at -> Timestamp,
    }
}

diesel::joinable!(plans -> organisations (org_id));
diesel::joinable!(event_feeds -> organisations (org_id));
diesel::joinable!(api_keys -> organisations (org_id));
diesel::joinable!(webhook_endpoints -> organisations (org_id));
diesel::joinable!(webhook_messages -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(audit_log -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    api_keys,
    imports,
    idempotency_keys,
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
    members,
    activities,
    surveys,
    projects,
    observations,
    milestones,
    events,
    event_feeds,
    webhook_endpoints,
    webhook_messages,
    webhook_deliveries,
    kpi_statuses,
);
