//! Whole plans as documents: export a plan's tree, import a document as a new plan — the
//! one mechanism behind export, import, copy and revision snapshots.

use std::collections::HashMap;

use veikart_domain::document::{
    BudgetLineDocument, FocusAreaDocument, GoalDocument, MeasureDocument, PlanDocument,
    StrategyDocument,
};
use veikart_domain::{Date, PlanStatus};

use crate::budget_lines::{self, BudgetLineValues};
use crate::db::{DbConnection, Tx};
use crate::error::{StoreError, stored_date};
use crate::focus_areas::{self, FocusAreaValues};
use crate::goals::{self, Goal, GoalValues};
use crate::kpis;
use crate::measures::{self, MeasureValues};
use crate::plans::{self, Plan, PlanValues};
use crate::stored::Stored;
use crate::strategies::{self, StrategyValues};

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
        Some(strategy_id) => {
            let strategy = strategies::get(conn, org_id, strategy_id)?;
            let goals = strategy_goals;
            Some(StrategyDocument {
                title: strategy.title,
                period_start: stored_date(strategy.period_start)?,
                period_end: stored_date(strategy.period_end)?,
                vision: strategy.vision,
                mission: strategy.mission,
                goals: goals.into_iter().map(goal_document).collect(),
            })
        }
        None => None,
    };

    let lines = budget_lines::all_for(conn, org_id, plan.id)?;
    let codes: HashMap<i64, String> = lines.iter().map(|l| (l.id, l.code.clone())).collect();
    let mut all_kpis = kpis::all_for(conn, org_id, plan.id)?;
    all_kpis.sort_by_key(|k| (k.position, k.id));
    let mut all_measures = measures::all_for(conn, org_id, plan.id)?;
    all_measures.sort_by_key(|m| (m.number, m.id));
    let mut areas = focus_areas::all_for(conn, org_id, plan.id)?;
    areas.sort_by_key(|a| (a.position, a.id));

    let kpi_documents = |area: Option<i64>| {
        all_kpis
            .iter()
            .filter(|k| k.focus_area_id == area)
            .map(|k| kpis::document_from_row(k, k.goal_id.and_then(|g| goal_keys.get(&g).cloned())))
            .collect::<Result<Vec<_>, _>>()
    };
    let mut focus_area_documents = Vec::with_capacity(areas.len());
    for area in &areas {
        let measures = all_measures
            .iter()
            .filter(|m| m.focus_area_id == area.id)
            .map(|m| {
                Ok(MeasureDocument {
                    number: m.number,
                    title: m.title.clone(),
                    description: m.description.clone(),
                    owner: m.owner.clone(),
                    status: m.status.0,
                    due_on: m.due_on.map(stored_date).transpose()?,
                    budget_line: m.budget_line_id.and_then(|id| codes.get(&id).cloned()),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        focus_area_documents.push(FocusAreaDocument {
            number: area.number,
            title: area.title.clone(),
            description: area.description.clone(),
            kpis: kpi_documents(Some(area.id))?,
            measures,
        });
    }
    Ok(PlanDocument {
        title: plan.title.clone(),
        period_start: stored_date(plan.period_start)?,
        period_end: stored_date(plan.period_end)?,
        intro: plan.intro.clone(),
        strategy,
        goals: plan_goals.into_iter().map(goal_document).collect(),
        focus_areas: focus_area_documents,
        kpis: kpi_documents(None)?,
        budget_lines: lines
            .into_iter()
            .map(|l| BudgetLineDocument {
                code: l.code,
                title: l.title,
                amount: l.amount,
                actual_spent: l.actual_spent,
            })
            .collect(),
    })
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
    let mut goal_ids: HashMap<String, i64> = HashMap::new();
    let strategy_id = match link {
        StrategyLink::Existing(id) => id,
        StrategyLink::FromDocument => match &document.strategy {
            Some(s) => Some(import_strategy(tx, org_id, actor, s)?),
            None => None,
        },
    };
    if let Some(strategy_id) = strategy_id {
        goal_ids.extend(
            goals::of_strategy(tx, org_id, strategy_id)?
                .into_iter()
                .map(|g| (g.key, g.id)),
        );
    }

    let plan = plans::insert(
        tx,
        org_id,
        actor,
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
        },
    )?;

    for (position, goal) in document.goals.iter().enumerate() {
        let row = goals::insert(
            tx,
            org_id,
            actor,
            goal_values(goal, None, Some(plan.id), position)?,
        )?;
        goal_ids.insert(row.key, row.id);
    }
    let mut budget_ids: HashMap<&str, i64> = HashMap::new();
    for line in &document.budget_lines {
        let row = budget_lines::insert(
            tx,
            org_id,
            actor,
            BudgetLineValues {
                plan_id: plan.id,
                code: line.code.clone(),
                title: line.title.trim().to_owned(),
                amount: line.amount,
                actual_spent: line.actual_spent,
            },
        )?;
        budget_ids.insert(line.code.as_str(), row.id);
    }
    let goal_of = |key: &Option<String>| -> Result<Option<i64>, StoreError> {
        key.as_ref()
            .map(|k| {
                goal_ids.get(k).copied().ok_or_else(|| {
                    StoreError::Invalid(vec![veikart_domain::FieldError::new(
                        "goal",
                        format!("no goal `{k}`"),
                    )])
                })
            })
            .transpose()
    };
    let mut kpi_position = 0;
    for (position, area) in document.focus_areas.iter().enumerate() {
        let area_row = focus_areas::insert(
            tx,
            org_id,
            actor,
            FocusAreaValues {
                plan_id: plan.id,
                number: area.number,
                title: area.title.trim().to_owned(),
                description: area.description.clone(),
                position: to_i32(position)?,
            },
        )?;
        for kpi in &area.kpis {
            let values = kpis::values_from_document(
                plan.id,
                Some(area_row.id),
                goal_of(&kpi.goal)?,
                kpi_position,
                kpi,
            )?;
            kpis::insert(tx, org_id, actor, values)?;
            kpi_position += 1;
        }
        for measure in &area.measures {
            measures::insert(
                tx,
                org_id,
                actor,
                MeasureValues {
                    plan_id: plan.id,
                    focus_area_id: area_row.id,
                    budget_line_id: measure
                        .budget_line
                        .as_deref()
                        .and_then(|code| budget_ids.get(code).copied()),
                    number: measure.number,
                    title: measure.title.trim().to_owned(),
                    description: measure.description.clone(),
                    owner: measure.owner.clone(),
                    status: Stored(measure.status),
                    due_on: measure.due_on.map(Date::get),
                },
            )?;
        }
    }
    for kpi in &document.kpis {
        let values =
            kpis::values_from_document(plan.id, None, goal_of(&kpi.goal)?, kpi_position, kpi)?;
        kpis::insert(tx, org_id, actor, values)?;
        kpi_position += 1;
    }
    Ok(plan)
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
            strategies::insert(
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
        goals::insert(
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
