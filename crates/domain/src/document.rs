//! The plan document: a whole plan as one JSON value — its strategy, goals, focus areas
//! with their KPIs and measures, and budget lines. Plans are exported as, imported from and
//! copied through this one shape. Inside a document, goals are referred to by `key` and
//! budget lines by `code`; database ids never appear, so a document moves between
//! organisations and installations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::date::Date;
use crate::kpi::{Direction, KpiDefinition, KpiSource};
#[cfg(feature = "openapi")]
use crate::number::{Amount, Ordinal, Tolerance};
use crate::number::{AmountRule, Number, NumberRule, OrdinalRule, ToleranceRule};
#[cfg(feature = "openapi")]
use crate::text::{BudgetCode, GoalKey, LongText, Owner};
use crate::text::{
    BudgetCodeRule, GoalKeyRule, Label, LongTextRule, OwnerRule, Text, TextRule, Title, TitleRule,
};
use crate::tree::{MeasureStatus, check_period};
use crate::validation::Validator;

fn default_tolerance() -> f64 {
    KpiDefinition::DEFAULT_TOLERANCE
}

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    #[cfg_attr(feature = "openapi", schema(value_type = Title))]
    pub title: String,
    pub period_start: Date,
    pub period_end: Date,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LongText>))]
    pub intro: Option<String>,
    /// The strategy the plan follows; on import, an existing strategy of the organisation
    /// with the same title and period is reused, otherwise it is created.
    #[serde(default)]
    pub strategy: Option<StrategyDocument>,
    /// The plan's own goals.
    #[serde(default)]
    pub goals: Vec<GoalDocument>,
    #[serde(default)]
    pub focus_areas: Vec<FocusAreaDocument>,
    /// KPIs outside any focus area (e.g. those measuring strategy goals).
    #[serde(default)]
    pub kpis: Vec<KpiDocument>,
    #[serde(default)]
    pub budget_lines: Vec<BudgetLineDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StrategyDocument {
    #[cfg_attr(feature = "openapi", schema(value_type = Title))]
    pub title: String,
    pub period_start: Date,
    pub period_end: Date,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LongText>))]
    pub vision: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LongText>))]
    pub mission: Option<String>,
    #[serde(default)]
    pub goals: Vec<GoalDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalDocument {
    /// Unique within the document; KPIs name their goal by it.
    #[cfg_attr(feature = "openapi", schema(value_type = GoalKey))]
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Title))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LongText>))]
    pub description: Option<String>,
    /// Measurable goals hold KPIs; qualitative ones take check-ins.
    pub measurable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FocusAreaDocument {
    #[cfg_attr(feature = "openapi", schema(value_type = Ordinal))]
    pub number: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = Title))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LongText>))]
    pub description: Option<String>,
    #[serde(default)]
    pub kpis: Vec<KpiDocument>,
    #[serde(default)]
    pub measures: Vec<MeasureDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KpiDocument {
    #[serde(default)]
    pub code: Option<Label>,
    pub title: Title,
    /// The key of the goal this KPI measures, if any.
    #[serde(default)]
    pub goal: Option<String>,
    pub source: KpiSource,
    pub direction: Direction,
    pub target: f64,
    #[serde(default)]
    pub baseline: Option<f64>,
    /// Own period; absent means the plan's.
    #[serde(default)]
    pub period_start: Option<Date>,
    #[serde(default)]
    pub period_end: Option<Date>,
    /// How far below the expected pace still counts as `at_risk`, as a share of the
    /// distance to the target (default 0.10).
    #[serde(default = "default_tolerance")]
    #[cfg_attr(feature = "openapi", schema(value_type = Tolerance))]
    pub tolerance: f64,
    #[serde(default)]
    pub unit: Option<Label>,
}

impl KpiDocument {
    pub fn definition(&self) -> KpiDefinition {
        KpiDefinition {
            source: self.source.clone(),
            direction: self.direction,
            target: self.target,
            baseline: self.baseline,
            period_start: self.period_start.map(Date::get),
            period_end: self.period_end.map(Date::get),
            tolerance: self.tolerance,
        }
    }

    /// Checks the KPI within its plan period (its other fields keep their own rules by
    /// their types).
    pub fn validate(&self, plan_start: NaiveDate, plan_end: NaiveDate, v: &mut Validator) {
        check_number_as::<ToleranceRule>(v, "tolerance", self.tolerance);
        self.definition().validate(plan_start, plan_end, v);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureDocument {
    #[cfg_attr(feature = "openapi", schema(value_type = Ordinal))]
    pub number: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = Title))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<LongText>))]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Owner>))]
    pub owner: Option<String>,
    #[serde(default)]
    pub status: MeasureStatus,
    #[serde(default)]
    pub due_on: Option<Date>,
    /// The code of the budget line that finances it, if any.
    #[serde(default)]
    pub budget_line: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetLineDocument {
    #[cfg_attr(feature = "openapi", schema(value_type = BudgetCode))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Title))]
    pub title: String,
    /// Whole NOK.
    #[cfg_attr(feature = "openapi", schema(value_type = Amount))]
    pub amount: i64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Amount>))]
    pub actual_spent: Option<i64>,
}

impl PlanDocument {
    /// Checks the whole document; every error's field is its path in the document
    /// (`focus_areas[0].kpis[1].source.field`).
    pub fn validate(&self, v: &mut Validator) {
        check_as::<TitleRule>(v, "title", &self.title);
        check_optional_as::<LongTextRule>(v, "intro", self.intro.as_deref());
        check_period(v, self.period_start, self.period_end);
        let goal_kinds = self.check_goals(v);
        let budget_codes = self.check_budget_lines(v);
        let mut numbers = HashSet::new();
        for (i, area) in self.focus_areas.iter().enumerate() {
            let prefix = format!("focus_areas[{i}].");
            let mut a = Validator::new();
            if !numbers.insert(area.number) {
                a.add("number", "is used by another focus area of the plan");
            }
            area.check(&mut a, &budget_codes);
            v.absorb(&prefix, a);
            self.check_kpis(v, &prefix, &area.kpis, &goal_kinds);
        }
        self.check_kpis(v, "", &self.kpis, &goal_kinds);
    }

    /// The strategy and the goals of strategy and plan, their keys unique over both
    /// together; answers whether each key's goal is measurable.
    fn check_goals(&self, v: &mut Validator) -> HashMap<&str, bool> {
        let mut goal_kinds: HashMap<&str, bool> = HashMap::new();
        if let Some(strategy) = &self.strategy {
            let mut s = Validator::new();
            check_as::<TitleRule>(&mut s, "title", &strategy.title);
            check_period(&mut s, strategy.period_start, strategy.period_end);
            check_optional_as::<LongTextRule>(&mut s, "vision", strategy.vision.as_deref());
            check_optional_as::<LongTextRule>(&mut s, "mission", strategy.mission.as_deref());
            for (i, goal) in strategy.goals.iter().enumerate() {
                check_goal(&mut s, &format!("goals[{i}]"), goal, &mut goal_kinds);
            }
            v.absorb("strategy.", s);
        }
        for (i, goal) in self.goals.iter().enumerate() {
            check_goal(v, &format!("goals[{i}]"), goal, &mut goal_kinds);
        }
        goal_kinds
    }

    /// The budget lines, their codes unique in the plan; answers the codes.
    fn check_budget_lines(&self, v: &mut Validator) -> HashSet<&str> {
        let mut budget_codes = HashSet::new();
        for (i, line) in self.budget_lines.iter().enumerate() {
            let mut b = Validator::new();
            check_as::<BudgetCodeRule>(&mut b, "code", &line.code);
            check_as::<TitleRule>(&mut b, "title", &line.title);
            check_number_as::<AmountRule>(&mut b, "amount", line.amount);
            if let Some(spent) = line.actual_spent {
                check_number_as::<AmountRule>(&mut b, "actual_spent", spent);
            }
            if !budget_codes.insert(line.code.as_str()) {
                b.add("code", "is used by another budget line of the plan");
            }
            v.absorb(&format!("budget_lines[{i}]."), b);
        }
        budget_codes
    }

    /// KPIs within the plan's period, each measuring a measurable goal of the document.
    fn check_kpis(
        &self,
        v: &mut Validator,
        prefix: &str,
        kpis: &[KpiDocument],
        goal_kinds: &HashMap<&str, bool>,
    ) {
        for (i, kpi) in kpis.iter().enumerate() {
            let mut k = Validator::new();
            kpi.validate(self.period_start.get(), self.period_end.get(), &mut k);
            match kpi.goal.as_deref().map(|key| (key, goal_kinds.get(key))) {
                Some((key, None)) => {
                    k.add("goal", format!("no goal with key `{key}` in the document"))
                }
                Some((key, Some(false))) => k.add(
                    "goal",
                    format!("goal `{key}` is qualitative: it takes check-ins, not KPIs"),
                ),
                _ => {}
            }
            v.absorb(&format!("{prefix}kpis[{i}]."), k);
        }
    }

    /// The same plan moved in time: every date moved by `years` and then `days`.
    pub fn shifted(mut self, years: i32, days: i64) -> Result<Self, String> {
        let shift = |d: Date| {
            d.shifted(years, days)
                .ok_or_else(|| format!("{d} cannot be moved that far"))
        };
        let shift_opt = |d: Option<Date>| d.map(shift).transpose();
        self.period_start = shift(self.period_start)?;
        self.period_end = shift(self.period_end)?;
        for kpi in self
            .kpis
            .iter_mut()
            .chain(self.focus_areas.iter_mut().flat_map(|a| a.kpis.iter_mut()))
        {
            kpi.period_start = shift_opt(kpi.period_start)?;
            kpi.period_end = shift_opt(kpi.period_end)?;
        }
        for measure in self
            .focus_areas
            .iter_mut()
            .flat_map(|a| a.measures.iter_mut())
        {
            measure.due_on = shift_opt(measure.due_on)?;
        }
        Ok(self)
    }

    /// Next year's starting point: measures back to `planned`, nothing spent yet.
    pub fn reset_progress(mut self) -> Self {
        for measure in self
            .focus_areas
            .iter_mut()
            .flat_map(|a| a.measures.iter_mut())
        {
            measure.status = MeasureStatus::Planned;
        }
        for line in &mut self.budget_lines {
            line.actual_spent = None;
        }
        self
    }
}

impl FocusAreaDocument {
    /// The area's own fields and its measures, their numbers unique in the area.
    fn check(&self, a: &mut Validator, budget_codes: &HashSet<&str>) {
        check_number_as::<OrdinalRule>(a, "number", self.number);
        check_as::<TitleRule>(a, "title", &self.title);
        check_optional_as::<LongTextRule>(a, "description", self.description.as_deref());
        let mut measure_numbers = HashSet::new();
        for (j, measure) in self.measures.iter().enumerate() {
            let mut m = Validator::new();
            if !measure_numbers.insert(measure.number) {
                m.add("number", "is used by another measure of the focus area");
            }
            measure.check(&mut m, budget_codes);
            a.absorb(&format!("measures[{j}]."), m);
        }
    }
}

impl MeasureDocument {
    /// The measure's own fields, and its budget line among the document's.
    fn check(&self, m: &mut Validator, budget_codes: &HashSet<&str>) {
        check_number_as::<OrdinalRule>(m, "number", self.number);
        check_as::<TitleRule>(m, "title", &self.title);
        check_optional_as::<LongTextRule>(m, "description", self.description.as_deref());
        check_optional_as::<OwnerRule>(m, "owner", self.owner.as_deref());
        if let Some(code) = &self.budget_line
            && !budget_codes.contains(code.as_str())
        {
            m.add(
                "budget_line",
                format!("no budget line with code `{code}` in the document"),
            );
        }
    }
}

fn check_goal<'a>(
    v: &mut Validator,
    path: &str,
    goal: &'a GoalDocument,
    kinds: &mut HashMap<&'a str, bool>,
) {
    let mut g = Validator::new();
    check_as::<GoalKeyRule>(&mut g, "key", &goal.key);
    if kinds.contains_key(goal.key.as_str()) {
        g.add("key", "is used by another goal of the document");
    } else {
        kinds.insert(goal.key.as_str(), goal.measurable);
    }
    check_as::<TitleRule>(&mut g, "title", &goal.title);
    check_optional_as::<LongTextRule>(&mut g, "description", goal.description.as_deref());
    v.absorb(&format!("{path}."), g);
}

/// Checks `value` by the rule of the text type the contract declares for `field`
/// (`Text<R>`'s constructor, the one check of that rule).
fn check_as<R: TextRule>(v: &mut Validator, field: &str, value: &str) {
    let _ = v.parsed(field, Text::<R>::parse(value));
}

/// Checks `value` by the rule of the number type the contract declares for `field`
/// (`Number<R>`'s constructor, the one check of that range).
fn check_number_as<R: NumberRule>(v: &mut Validator, field: &str, value: R::Value) {
    let _ = v.parsed(field, Number::<R>::new(value));
}

/// [`check_as`] for a field that may be left out.
fn check_optional_as<R: TextRule>(v: &mut Validator, field: &str, value: Option<&str>) {
    if let Some(value) = value {
        check_as::<R>(v, field, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{KpiAggregate, KpiEntity, KpiFilters};

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn kpi(goal: Option<&str>) -> KpiDocument {
        KpiDocument {
            code: None,
            title: Title::parse("Nye medlemmer").unwrap(),
            goal: goal.map(str::to_owned),
            source: KpiSource {
                entity: KpiEntity::Member,
                aggregate: KpiAggregate::Count,
                field: None,
                filters: KpiFilters::default(),
            },
            direction: Direction::AtLeast,
            target: 15.0,
            baseline: None,
            period_start: None,
            period_end: None,
            tolerance: 0.1,
            unit: None,
        }
    }

    fn document() -> PlanDocument {
        PlanDocument {
            title: "Handlingsplan 2022".into(),
            period_start: date("2022-04-01"),
            period_end: date("2022-12-31"),
            intro: None,
            strategy: None,
            goals: vec![
                GoalDocument {
                    key: "growth".into(),
                    title: "Vekst".into(),
                    description: None,
                    measurable: true,
                },
                GoalDocument {
                    key: "trust".into(),
                    title: "Kredibilitet".into(),
                    description: None,
                    measurable: false,
                },
            ],
            focus_areas: vec![FocusAreaDocument {
                number: 1,
                title: "Medlemsaktiviteter".into(),
                description: None,
                kpis: vec![kpi(Some("growth"))],
                measures: vec![MeasureDocument {
                    number: 1,
                    title: "Medlemsmøter".into(),
                    description: None,
                    owner: None,
                    status: MeasureStatus::Done,
                    due_on: Some(date("2022-06-30")),
                    budget_line: Some("4000".into()),
                }],
            }],
            kpis: vec![],
            budget_lines: vec![BudgetLineDocument {
                code: "4000".into(),
                title: "Arrangementer".into(),
                amount: 100_000,
                actual_spent: Some(20_000),
            }],
        }
    }

    fn errors(d: &PlanDocument) -> Vec<String> {
        let mut v = Validator::new();
        d.validate(&mut v);
        v.finish()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_consistent_document_is_valid() {
        assert!(errors(&document()).is_empty(), "{:?}", errors(&document()));
    }

    #[test]
    fn broken_references_are_reported_by_path() {
        let mut d = document();
        d.focus_areas[0].kpis.push(kpi(Some("nope")));
        d.kpis.push(kpi(Some("trust")));
        d.focus_areas[0].measures[0].budget_line = Some("9999".into());
        d.goals[1].key = "growth".into();
        assert_eq!(
            errors(&d),
            [
                "goals[1].key",
                "focus_areas[0].measures[0].budget_line",
                "focus_areas[0].kpis[1].goal",
                "kpis[0].goal"
            ]
        );
    }

    #[test]
    fn numbers_out_of_range_are_reported_with_the_rest() {
        let mut d = document();
        d.focus_areas[0].number = 0;
        d.focus_areas[0].measures[0].number = -1;
        d.focus_areas[0].kpis[0].tolerance = 1.5;
        d.budget_lines[0].actual_spent = Some(-1);
        d.kpis.push(kpi(Some("nope")));
        assert_eq!(
            errors(&d),
            [
                "budget_lines[0].actual_spent",
                "focus_areas[0].number",
                "focus_areas[0].measures[0].number",
                "focus_areas[0].kpis[0].tolerance",
                "kpis[0].goal"
            ]
        );
    }

    #[test]
    fn invalid_kpis_are_reported_at_their_place() {
        let mut d = document();
        d.focus_areas[0].kpis[0].source.aggregate = KpiAggregate::Sum;
        assert_eq!(errors(&d), ["focus_areas[0].kpis[0].source.field"]);
    }

    #[test]
    fn shifting_moves_every_date_and_reset_clears_progress() {
        let d = document().shifted(1, 0).unwrap().reset_progress();
        assert_eq!(d.period_start, date("2023-04-01"));
        assert_eq!(
            d.focus_areas[0].measures[0].due_on,
            Some(date("2023-06-30"))
        );
        assert_eq!(d.focus_areas[0].measures[0].status, MeasureStatus::Planned);
        assert_eq!(d.budget_lines[0].actual_spent, None);
    }

    #[test]
    fn documents_round_trip_through_json() {
        let d = document();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<PlanDocument>(&json).unwrap(), d);
    }
}
