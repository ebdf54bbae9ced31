//! Whole plans as documents: export a plan's tree, import a document as a new plan — the
//! one mechanism behind export, import, copy and revision snapshots.

use std::collections::HashMap;

use veikart_domain::document::{
    BudgetLineDocument, FocusAreaDocument, GoalDocument, KpiDocument, MeasureDocument,
    PlanDocument, StrategyDocument,
};
use veikart_domain::{Date, PlanStatus};

use crate::budget_lines::{self, BudgetLine, BudgetLineValues};
use crate::db::{DbConnection, Tx};
use crate::error::{StoreError, stored_date};
use crate::focus_areas::{self, FocusArea, FocusAreaValues};
use crate::goals::{self, Goal, GoalValues};
use crate::kpis::{self, Kpi};
use crate::measures::{self, Measure, MeasureValues};
use crate::plans::{self, Plan, PlanValues};
use crate::stored::Stored;
use crate::strategies::{self, StrategyValues};
use crate::{ChildTable, TenantTable};

/// The plan's whole tree as a document: six queries at most (the strategy, the goals of
/// plan and strategy together, then each kind of plan part).
pub fn export(conn: &mut DbConnection, plan: &Plan) -> Result<PlanDocument, StoreError> {
    let org_id = plan.org_id;
    let all_goals = goals::of_plan_and_strategy(conn, org_id, plan.id, plan.strategy_id)?;
    let goal_keys: HashMap<i64, String> = all_goals.iter().map(|g| (g.id, g.key.clone())).collect();
    let (plan_goals, strategy_goals): (Vec<Goal>, Vec<Goal>) = all_goals
        .into_iter()
        .partition(|g| g.plan_id == Some(plan.id));
    let strategy = match plan.strategy_id {
        Some(strategy_id) => Some(strategy_document(
            conn,
            org_id,
            strategy_id,
            strategy_goals,
        )?),
        None => None,
    };
    let parts = StoredParts::of(conn, org_id, plan.id)?;
    let focus_areas = parts
        .areas
        .iter()
        .map(|area| parts.focus_area_document(area, &goal_keys))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(PlanDocument {
        title: plan.title.clone(),
        period_start: stored_date(plan.period_start)?,
        period_end: stored_date(plan.period_end)?,
        intro: plan.intro.clone(),
        strategy,
        goals: plan_goals.into_iter().map(goal_document).collect(),
        focus_areas,
        kpis: parts.kpi_documents(None, &goal_keys)?,
        budget_lines: parts.lines.into_iter().map(budget_line_document).collect(),
    })
}

/// The plan's strategy as its document, with the strategy's own goals.
fn strategy_document(
    conn: &mut DbConnection,
    org_id: i64,
    strategy_id: i64,
    goals: Vec<Goal>,
) -> Result<StrategyDocument, StoreError> {
    let strategy = strategies::Rows::get(conn, org_id, strategy_id)?;
    Ok(StrategyDocument {
        title: strategy.title,
        period_start: stored_date(strategy.period_start)?,
        period_end: stored_date(strategy.period_end)?,
        vision: strategy.vision,
        mission: strategy.mission,
        goals: goals.into_iter().map(goal_document).collect(),
    })
}

/// A plan's parts as stored, each kind in its document's order: one query per kind.
struct StoredParts {
    lines: Vec<BudgetLine>,
    /// The budget lines' codes, by id: how a measure names its line in a document.
    codes: HashMap<i64, String>,
    kpis: Vec<Kpi>,
    measures: Vec<Measure>,
    areas: Vec<FocusArea>,
}

impl StoredParts {
    fn of(conn: &mut DbConnection, org_id: i64, plan_id: i64) -> Result<Self, StoreError> {
        let lines = budget_lines::Rows::all_for(conn, org_id, plan_id)?;
        let codes: HashMap<i64, String> = lines.iter().map(|l| (l.id, l.code.clone())).collect();
        let mut all_kpis = kpis::Rows::all_for(conn, org_id, plan_id)?;
        all_kpis.sort_by_key(|k| (k.position, k.id));
        let mut all_measures = measures::Rows::all_for(conn, org_id, plan_id)?;
        all_measures.sort_by_key(|m| (m.number, m.id));
        let mut areas = focus_areas::Rows::all_for(conn, org_id, plan_id)?;
        areas.sort_by_key(|a| (a.position, a.id));
        Ok(StoredParts {
            lines,
            codes,
            kpis: all_kpis,
            measures: all_measures,
            areas,
        })
    }

    /// The KPIs of a focus area (`None`: of the plan itself) as documents, each naming its
    /// goal by key.
    fn kpi_documents(
        &self,
        area: Option<i64>,
        goal_keys: &HashMap<i64, String>,
    ) -> Result<Vec<KpiDocument>, StoreError> {
        self.kpis
            .iter()
            .filter(|k| k.focus_area_id == area)
            .map(|k| kpis::document_from_row(k, k.goal_id.and_then(|g| goal_keys.get(&g).cloned())))
            .collect::<Result<Vec<_>, _>>()
    }

    /// A focus area as its document, with its KPIs and measures.
    fn focus_area_document(
        &self,
        area: &FocusArea,
        goal_keys: &HashMap<i64, String>,
    ) -> Result<FocusAreaDocument, StoreError> {
        let measures = self
            .measures
            .iter()
            .filter(|m| m.focus_area_id == area.id)
            .map(|m| self.measure_document(m))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(FocusAreaDocument {
            number: area.number,
            title: area.title.clone(),
            description: area.description.clone(),
            kpis: self.kpi_documents(Some(area.id), goal_keys)?,
            measures,
        })
    }

    /// A measure as its document, naming its budget line by code.
    fn measure_document(&self, m: &Measure) -> Result<MeasureDocument, StoreError> {
        let codes = &self.codes;
        Ok(MeasureDocument {
            number: m.number,
            title: m.title.clone(),
            description: m.description.clone(),
            owner: m.owner.clone(),
            status: m.status.0,
            due_on: m.due_on.map(stored_date).transpose()?,
            budget_line: m.budget_line_id.and_then(|id| codes.get(&id).cloned()),
        })
    }
}

fn budget_line_document(l: BudgetLine) -> BudgetLineDocument {
    BudgetLineDocument {
        code: l.code,
        title: l.title,
        amount: l.amount,
        actual_spent: l.actual_spent,
    }
}

fn goal_document(goal: Goal) -> GoalDocument {
    GoalDocument {
        key: goal.key,
        title: goal.title,
        description: goal.description,
        measurable: goal.measurable,
    }
}

/// Which strategy an imported plan follows.
#[derive(Debug, Clone, Copy)]
pub enum StrategyLink {
    /// The document's own: an existing strategy with the same title and period, or a new one.
    FromDocument,
    /// This one (a copy keeps its original's strategy).
    Existing(Option<i64>),
}

/// Creates a new draft plan from a validated document, with its whole tree.
pub fn import(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    document: &PlanDocument,
    link: StrategyLink,
) -> Result<Plan, StoreError> {
    let strategy_id = match link {
        StrategyLink::Existing(id) => id,
        StrategyLink::FromDocument => match &document.strategy {
            Some(s) => Some(import_strategy(tx, org_id, actor, s)?),
            None => None,
        },
    };
    let mut goal_ids: HashMap<String, i64> = HashMap::new();
    if let Some(strategy_id) = strategy_id {
        goal_ids.extend(
            goals::of_strategy(tx, org_id, strategy_id)?
                .into_iter()
                .map(|g| (g.key, g.id)),
        );
    }
    let plan = plans::Rows::insert(tx, org_id, actor, plan_values(document, strategy_id))?;
    let mut tree = NewTree {
        tx,
        org_id,
        actor,
        plan_id: plan.id,
        goal_ids,
        budget_ids: HashMap::new(),
        kpi_position: 0,
    };
    tree.goals(&document.goals)?;
    tree.budget_lines(&document.budget_lines)?;
    for (position, area) in document.focus_areas.iter().enumerate() {
        tree.focus_area(position, area)?;
    }
    tree.kpis(None, &document.kpis)?;
    Ok(plan)
}

/// The new plan's own row: a draft, not published, at revision 0.
fn plan_values(document: &PlanDocument, strategy_id: Option<i64>) -> PlanValues {
    PlanValues {
        title: document.title.trim().to_owned(),
        period_start: document.period_start.get(),
        period_end: document.period_end.get(),
        status: Stored(PlanStatus::Draft),
        adopted_on: None,
        adopted_by: None,
        published: false,
        intro: document.intro.clone(),
        strategy_id,
        revision: 0,
    }
}

/// A new plan's tree on its way in: the plan, and the ids its parts refer to by the
/// document's keys (goals by key, budget lines by code), and the next KPI's position.
struct NewTree<'t, 'c, 'a> {
    tx: &'t mut Tx<'c>,
    org_id: i64,
    actor: &'a str,
    plan_id: i64,
    /// The strategy's goals and the plan's, by key.
    goal_ids: HashMap<String, i64>,
    /// The plan's budget lines, by code.
    budget_ids: HashMap<String, i64>,
    /// KPIs are numbered across the plan: its focus areas' in order, then its own.
    kpi_position: i32,
}

impl NewTree<'_, '_, '_> {
    /// The plan's own goals, in the document's order.
    fn goals(&mut self, documents: &[GoalDocument]) -> Result<(), StoreError> {
        for (position, goal) in documents.iter().enumerate() {
            let row = goals::Rows::insert(
                self.tx,
                self.org_id,
                self.actor,
                goal_values(goal, None, Some(self.plan_id), position)?,
            )?;
            self.goal_ids.insert(row.key, row.id);
        }
        Ok(())
    }

    /// The plan's budget lines, in the document's order.
    fn budget_lines(&mut self, lines: &[BudgetLineDocument]) -> Result<(), StoreError> {
        for line in lines {
            let row = budget_lines::Rows::insert(
                self.tx,
                self.org_id,
                self.actor,
                BudgetLineValues {
                    plan_id: self.plan_id,
                    code: line.code.clone(),
                    title: line.title.trim().to_owned(),
                    amount: line.amount,
                    actual_spent: line.actual_spent,
                },
            )?;
            self.budget_ids.insert(line.code.clone(), row.id);
        }
        Ok(())
    }

    /// A focus area at its position, with its KPIs and measures.
    fn focus_area(&mut self, position: usize, area: &FocusAreaDocument) -> Result<(), StoreError> {
        let area_row = focus_areas::Rows::insert(
            self.tx,
            self.org_id,
            self.actor,
            FocusAreaValues {
                plan_id: self.plan_id,
                number: area.number,
                title: area.title.trim().to_owned(),
                description: area.description.clone(),
                position: to_i32(position)?,
            },
        )?;
        self.kpis(Some(area_row.id), &area.kpis)?;
        for measure in &area.measures {
            let values = self.measure_values(area_row.id, measure);
            measures::Rows::insert(self.tx, self.org_id, self.actor, values)?;
        }
        Ok(())
    }

    /// KPIs of a focus area (`None`: of the plan itself), each at the next position.
    fn kpis(&mut self, area_id: Option<i64>, documents: &[KpiDocument]) -> Result<(), StoreError> {
        for kpi in documents {
            let values = kpis::values_from_document(
                self.plan_id,
                area_id,
                self.goal_of(&kpi.goal)?,
                self.kpi_position,
                kpi,
            )?;
            kpis::Rows::insert(self.tx, self.org_id, self.actor, values)?;
            self.kpi_position += 1;
        }
        Ok(())
    }

    /// The id of the goal a KPI names by key (422 when the tree has none by that key).
    fn goal_of(&self, key: &Option<String>) -> Result<Option<i64>, StoreError> {
        key.as_ref()
            .map(|k| {
                self.goal_ids.get(k).copied().ok_or_else(|| {
                    StoreError::Invalid(vec![veikart_domain::FieldError::new(
                        "goal",
                        format!("no goal `{k}`"),
                    )])
                })
            })
            .transpose()
    }

    /// A measure's row in its focus area, its budget line found by code.
    fn measure_values(&self, focus_area_id: i64, measure: &MeasureDocument) -> MeasureValues {
        MeasureValues {
            plan_id: self.plan_id,
            focus_area_id,
            budget_line_id: measure
                .budget_line
                .as_deref()
                .and_then(|code| self.budget_ids.get(code).copied()),
            number: measure.number,
            title: measure.title.trim().to_owned(),
            description: measure.description.clone(),
            owner: measure.owner.clone(),
            status: Stored(measure.status),
            due_on: measure.due_on.map(Date::get),
        }
    }
}

/// Reuses the organisation's strategy with the document's title and period, adding the
/// goals it lacks; or creates it.
fn import_strategy(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    s: &StrategyDocument,
) -> Result<i64, StoreError> {
    let strategy_id = match strategies::find_same(
        tx,
        org_id,
        s.title.trim(),
        s.period_start.get(),
        s.period_end.get(),
    )? {
        Some(existing) => existing.id,
        None => {
            strategies::Rows::insert(
                tx,
                org_id,
                actor,
                StrategyValues {
                    title: s.title.trim().to_owned(),
                    period_start: s.period_start.get(),
                    period_end: s.period_end.get(),
                    vision: s.vision.clone(),
                    mission: s.mission.clone(),
                },
            )?
            .id
        }
    };
    let existing: Vec<String> = goals::of_strategy(tx, org_id, strategy_id)?
        .into_iter()
        .map(|g| g.key)
        .collect();
    let offset = existing.len();
    for (i, goal) in s
        .goals
        .iter()
        .filter(|g| !existing.contains(&g.key))
        .enumerate()
    {
        goals::Rows::insert(
            tx,
            org_id,
            actor,
            goal_values(goal, Some(strategy_id), None, offset + i)?,
        )?;
    }
    Ok(strategy_id)
}

fn goal_values(
    goal: &GoalDocument,
    strategy_id: Option<i64>,
    plan_id: Option<i64>,
    position: usize,
) -> Result<GoalValues, StoreError> {
    Ok(GoalValues {
        strategy_id,
        plan_id,
        key: goal.key.clone(),
        title: goal.title.trim().to_owned(),
        description: goal.description.clone(),
        measurable: goal.measurable,
        position: to_i32(position)?,
    })
}

fn to_i32(n: usize) -> Result<i32, StoreError> {
    i32::try_from(n).map_err(|_| {
        StoreError::Invalid(vec![veikart_domain::FieldError::new(
            "body",
            "too many items",
        )])
    })
}
