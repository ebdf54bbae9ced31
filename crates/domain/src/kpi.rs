//! KPI definitions (result targets): what a KPI counts or measures, over which records,
//! in which direction, towards which target. This module validates a definition whole;
//! the KPI engine that evaluates definitions against records builds on these types.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{Dimension, Key, MetricKey, Municipality};
use crate::validation::Validator;
use crate::wire::wire_name;

/// The kinds of record a KPI is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiEntity {
    /// Member companies (dated by `joined_on`).
    Member,
    /// Member activities: meetings, network meetings, other arenas, promotion (dated by `date`).
    Activity,
    /// Customer surveys (dated by `conducted_on`).
    Survey,
    /// Business-development projects (counted while `[start, end]` overlaps the period).
    Project,
    /// Metric observations, e.g. `social.followers` per channel.
    Metric,
    /// Milestones such as `business_association_started` (dated by `achieved_on`).
    Milestone,
}

wire_name!(KpiEntity);

impl KpiEntity {
    /// The numeric fields a `sum` or `mean` can take.
    pub fn numeric_fields(self) -> &'static [&'static str] {
        match self {
            KpiEntity::Member => &["employees"],
            KpiEntity::Activity => &["participants"],
            KpiEntity::Survey => &["invited", "responses", "mean_score", "nps"],
            KpiEntity::Project => &["external_funding"],
            KpiEntity::Metric => &["value"],
            KpiEntity::Milestone => &[],
        }
    }

    /// Whether the entity is a stock with a level on any date (`level`, `growth_pct`).
    pub fn has_level(self) -> bool {
        matches!(self, KpiEntity::Member | KpiEntity::Metric)
    }
}

/// How the actual value is computed from the matching records (see product semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiAggregate {
    /// Number of matching records dated in the period so far.
    Count,
    /// Sum of a numeric field over those records.
    Sum,
    /// Mean of a numeric field over those records.
    Mean,
    /// The stock on the date: active members, or the latest metric values summed.
    Level,
    /// Growth of the level since the start (or the baseline), in per cent.
    GrowthPct,
    /// 1 once a matching milestone is achieved in the period, else 0.
    Milestone,
}

wire_name!(KpiAggregate);

/// Whether the target is a floor or a ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    AtLeast,
    AtMost,
}

wire_name!(Direction);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    MemberMeeting,
    NetworkMeeting,
    OtherArena,
    Promotion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Planned,
    Held,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MembershipType {
    Ordinary,
    Associated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyAudience {
    Internal,
    External,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectRole {
    Owner,
    Leader,
    Partner,
}

wire_name!(ActivityKind);

wire_name!(ActivityStatus);

wire_name!(MembershipType);

wire_name!(SurveyAudience);

wire_name!(ProjectRole);

/// Narrows the records a KPI counts. Each filter applies to some entities only; a filter
/// that does not apply to the KPI's entity is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KpiFilters {
    /// activity: only these kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<ActivityKind>>,
    /// activity: only this status (usually `held`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ActivityStatus>,
    /// member, activity, milestone: only this municipality number (4 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<Municipality>,
    /// member: only this membership type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_type: Option<MembershipType>,
    /// survey: only this audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<SurveyAudience>,
    /// project: only these roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<ProjectRole>>,
    /// project: only projects in these statuses (e.g. `granted`, `running`, `completed`, so
    /// that applications do not count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<crate::records::ProjectStatus>>,
    /// project: only projects with external funding granted (> 0 NOK) when true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_funding: Option<bool>,
    /// metric: the metric key, e.g. `social.followers` (required for metric KPIs); the
    /// same rule as an observation's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_key: Option<MetricKey>,
    /// metric: only these dimensions, e.g. `linkedin` (all when absent); each as an
    /// observation's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<Dimension>>,
    /// milestone: the milestone kind, e.g. `business_association_started` (required for
    /// milestone KPIs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone_kind: Option<Key>,
}

impl KpiFilters {
    /// The filters that are set, with the entities each applies to.
    fn set(&self) -> Vec<(&'static str, &'static [KpiEntity])> {
        use KpiEntity::*;
        let mut set: Vec<(&'static str, &'static [KpiEntity])> = Vec::new();
        if self.kinds.is_some() {
            set.push(("kinds", &[Activity]));
        }
        if self.status.is_some() {
            set.push(("status", &[Activity]));
        }
        if self.municipality.is_some() {
            set.push(("municipality", &[Member, Activity, Milestone]));
        }
        if self.membership_type.is_some() {
            set.push(("membership_type", &[Member]));
        }
        if self.audience.is_some() {
            set.push(("audience", &[Survey]));
        }
        if self.roles.is_some() {
            set.push(("roles", &[Project]));
        }
        if self.statuses.is_some() {
            set.push(("statuses", &[Project]));
        }
        if self.external_funding.is_some() {
            set.push(("external_funding", &[Project]));
        }
        if self.metric_key.is_some() {
            set.push(("metric_key", &[Metric]));
        }
        if self.dimensions.is_some() {
            set.push(("dimensions", &[Metric]));
        }
        if self.milestone_kind.is_some() {
            set.push(("milestone_kind", &[Milestone]));
        }
        set
    }
}

/// Where a KPI's numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KpiSource {
    pub entity: KpiEntity,
    pub aggregate: KpiAggregate,
    /// The numeric field for `sum` and `mean` (see each entity's fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default)]
    pub filters: KpiFilters,
}

/// A KPI definition's measurable part, validated as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiDefinition {
    pub source: KpiSource,
    pub direction: Direction,
    pub target: f64,
    pub baseline: Option<f64>,
    /// Own period; `None` means the plan's.
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub tolerance: f64,
}

impl KpiDefinition {
    pub const DEFAULT_TOLERANCE: f64 = 0.10;

    /// The KPI's period: its own dates, or the plan's where it has none.
    pub fn period(&self, plan_start: NaiveDate, plan_end: NaiveDate) -> (NaiveDate, NaiveDate) {
        (
            self.period_start.unwrap_or(plan_start),
            self.period_end.unwrap_or(plan_end),
        )
    }

    /// Checks the definition against itself and the plan period it belongs to. Field names
    /// in the errors are those of the KPI's JSON (`source.field`, `period_start`, ...).
    /// Single fields carry their own rules in their types; these are the rules between them.
    pub fn validate(&self, plan_start: NaiveDate, plan_end: NaiveDate, v: &mut Validator) {
        self.source.check_field(v);
        self.source.check_aggregate(v);
        self.source.check_filters(v);
        self.check_target(v);
        self.check_period(plan_start, plan_end, v);
    }

    /// The target and baseline are finite; a milestone's target is 0 or 1; growth needs a
    /// baseline other than 0 (the tolerance's range is its type's, [`crate::number::Tolerance`]).
    fn check_target(&self, v: &mut Validator) {
        if !self.target.is_finite() {
            v.add("target", "must be a finite number");
        }
        if self.source.aggregate == KpiAggregate::Milestone
            && !(self.target == 0.0 || self.target == 1.0)
        {
            v.add("target", "a milestone KPI's target is 1 (achieved) or 0");
        }
        if self.baseline.is_some_and(|b| !b.is_finite()) {
            v.add("baseline", "must be a finite number");
        }
        if self.source.aggregate == KpiAggregate::GrowthPct && self.baseline == Some(0.0) {
            v.add("baseline", "growth from a baseline of 0 is undefined");
        }
    }

    /// The KPI's own period is in order and overlaps the plan's.
    fn check_period(&self, plan_start: NaiveDate, plan_end: NaiveDate, v: &mut Validator) {
        let (start, end) = self.period(plan_start, plan_end);
        if start > end {
            v.add("period_end", "must not be before period_start");
        } else if end < plan_start || start > plan_end {
            let field = if self.period_start.is_some() {
                "period_start"
            } else {
                "period_end"
            };
            v.add(
                field,
                format!("the KPI's period {start}..{end} lies outside the plan's period {plan_start}..{plan_end}"),
            );
        }
    }
}

impl KpiSource {
    /// `sum` and `mean` need a numeric field of the entity; the other aggregates take none.
    fn check_field(&self, v: &mut Validator) {
        let entity = self.entity;
        match (self.aggregate, self.field.as_deref()) {
            (KpiAggregate::Sum | KpiAggregate::Mean, None) => v.add(
                "source.field",
                format!("is required for {}", self.aggregate.as_str()),
            ),
            (KpiAggregate::Sum | KpiAggregate::Mean, Some(field))
                if !entity.numeric_fields().contains(&field) =>
            {
                let fields = match entity.numeric_fields() {
                    [] => "none".to_owned(),
                    fields => fields.join(", "),
                };
                v.add(
                    "source.field",
                    format!(
                        "`{field}` is not a numeric field of {} (numeric fields: {fields})",
                        entity.as_str()
                    ),
                );
            }
            (KpiAggregate::Sum | KpiAggregate::Mean, Some(_)) | (_, None) => {}
            (_, Some(_)) => v.add(
                "source.field",
                format!("does not apply to {}", self.aggregate.as_str()),
            ),
        }
    }

    /// The aggregate suits the entity: a level needs a stock, a milestone a milestone, and
    /// metric observations are measured, not counted.
    fn check_aggregate(&self, v: &mut Validator) {
        let entity = self.entity;
        match self.aggregate {
            KpiAggregate::Level | KpiAggregate::GrowthPct if !entity.has_level() => v.add(
                "source.entity",
                format!(
                    "{} has no stock to measure: {} needs member or metric",
                    entity.as_str(),
                    self.aggregate.as_str()
                ),
            ),
            KpiAggregate::Milestone if entity != KpiEntity::Milestone => v.add(
                "source.entity",
                "the milestone aggregate needs the milestone entity",
            ),
            KpiAggregate::Count if entity == KpiEntity::Metric => v.add(
                "source.aggregate",
                "metric observations are measured with level, growth_pct, sum or mean, not counted",
            ),
            _ => {}
        }
    }

    /// Every filter set applies to the entity, and metric and milestone KPIs name what they
    /// track.
    fn check_filters(&self, v: &mut Validator) {
        let entity = self.entity;
        for (name, applies_to) in self.filters.set() {
            if !applies_to.contains(&entity) {
                v.add(
                    format!("source.filters.{name}"),
                    format!("does not apply to {}", entity.as_str()),
                );
            }
        }
        if entity == KpiEntity::Metric && self.filters.metric_key.is_none() {
            v.add("source.filters.metric_key", "is required for metric KPIs");
        }
        if entity == KpiEntity::Milestone && self.filters.milestone_kind.is_none() {
            v.add(
                "source.filters.milestone_kind",
                "is required for milestone KPIs",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn kpi(entity: KpiEntity, aggregate: KpiAggregate) -> KpiDefinition {
        KpiDefinition {
            source: KpiSource {
                entity,
                aggregate,
                field: None,
                filters: KpiFilters::default(),
            },
            direction: Direction::AtLeast,
            target: 40.0,
            baseline: None,
            period_start: None,
            period_end: None,
            tolerance: KpiDefinition::DEFAULT_TOLERANCE,
        }
    }

    fn errors(k: &KpiDefinition) -> Vec<String> {
        let mut v = Validator::new();
        k.validate(date("2022-04-01"), date("2022-12-31"), &mut v);
        v.finish()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_seed_targets_are_valid_definitions() {
        let mut activities = kpi(KpiEntity::Activity, KpiAggregate::Count);
        activities.source.filters.status = Some(ActivityStatus::Held);
        activities.period_start = Some(date("2022-01-01"));
        assert!(errors(&activities).is_empty(), "{:?}", errors(&activities));
        let mut projects = kpi(KpiEntity::Project, KpiAggregate::Count);
        projects.source.filters.roles = Some(vec![ProjectRole::Owner, ProjectRole::Leader]);
        projects.source.filters.external_funding = Some(true);
        assert!(errors(&projects).is_empty());
        let mut social = kpi(KpiEntity::Metric, KpiAggregate::GrowthPct);
        social.source.filters.metric_key = MetricKey::parse("social.followers").ok();
        assert!(errors(&social).is_empty());
        let mut association = kpi(KpiEntity::Milestone, KpiAggregate::Milestone);
        association.source.filters.milestone_kind = Key::parse("business_association_started").ok();
        association.target = 1.0;
        assert!(errors(&association).is_empty());
    }

    #[test]
    fn sums_need_a_numeric_field_of_the_entity() {
        let mut k = kpi(KpiEntity::Activity, KpiAggregate::Sum);
        assert_eq!(errors(&k), ["source.field"]);
        k.source.field = Some("title".into());
        assert_eq!(errors(&k), ["source.field"]);
        k.source.field = Some("participants".into());
        assert!(errors(&k).is_empty());
    }

    #[test]
    fn growth_needs_a_stock() {
        assert_eq!(
            errors(&kpi(KpiEntity::Activity, KpiAggregate::GrowthPct)),
            ["source.entity"]
        );
        assert!(errors(&kpi(KpiEntity::Member, KpiAggregate::GrowthPct)).is_empty());
    }

    #[test]
    fn filters_must_apply_to_the_entity() {
        let mut k = kpi(KpiEntity::Member, KpiAggregate::Count);
        k.source.filters.kinds = Some(vec![ActivityKind::Promotion]);
        k.source.filters.audience = Some(SurveyAudience::Internal);
        assert_eq!(
            errors(&k),
            ["source.filters.kinds", "source.filters.audience"]
        );
    }

    #[test]
    fn a_period_outside_the_plan_is_refused() {
        let mut k = kpi(KpiEntity::Member, KpiAggregate::Count);
        k.period_start = Some(date("2021-01-01"));
        k.period_end = Some(date("2021-12-31"));
        assert_eq!(errors(&k), ["period_start"]);
        k.period_end = Some(date("2020-12-31"));
        assert_eq!(errors(&k), ["period_end"]);
    }

    #[test]
    fn milestone_and_metric_kpis_name_what_they_track() {
        assert_eq!(
            errors(&kpi(KpiEntity::Metric, KpiAggregate::Level)),
            ["source.filters.metric_key"]
        );
        let mut m = kpi(KpiEntity::Milestone, KpiAggregate::Milestone);
        m.target = 1.0;
        assert_eq!(errors(&m), ["source.filters.milestone_kind"]);
    }
}
