//! `GET /p/{org}/plans/{plan_id}/report`: the print view for the annual meeting — what
//! the board reports on the year, in tables that print on A4: every KPI's result per
//! focus area, the measures and their status, the budget (planned against spent, with
//! totals) and the activities held per kind and month. The stylesheet's print rules start
//! each focus area on a new page, repeat table headers and never split a row.

use std::collections::BTreeMap;

use chrono::Datelike;
use maud::{Markup, html};
use veikart_store::budget_lines::BudgetLine;
use veikart_store::published::HeldOnDay;

use super::kpi;
use super::lang::Lang;
use super::layout::{self, Frame, FrameKind};
use super::progress;
use super::view::PlanView;
use crate::routes::results::KpiCard;

pub fn render(view: &PlanView, lang: Lang, path: &str) -> Markup {
    let t = lang.texts();
    let frame = Frame {
        lang,
        title: &format!(
            "{}: {} – {}",
            t.report_title, view.plan.title, view.org.name
        ),
        org_name: Some(&view.org.name),
        path,
        as_of: Some(view.as_of),
        kind: FrameKind::Report,
    };
    let card = &view.card.card;
    layout::page(
        &frame,
        html! {
            (progress::plan_header(view, lang))
            (progress::summary(lang, &card.rollup))
            @for area in &card.focus_areas {
                section class="focus-area" aria-labelledby=(format!("fa-{}", area.focus_area_id)) {
                    h2 id=(format!("fa-{}", area.focus_area_id)) {
                        (t.focus_area) " " (area.number) ": " (area.title)
                    }
                    h3 { (t.kpis) }
                    (kpi_table(lang, &area.kpis))
                    h3 { (t.measures) }
                    (progress::measures(lang, view.measures.iter().filter(|m| m.focus_area_id == area.focus_area_id)))
                }
            }
            @if !card.plan_kpis.is_empty() {
                section class="report-section" aria-labelledby="plan-kpis" {
                    h2 id="plan-kpis" { (t.plan_kpis) }
                    (kpi_table(lang, &card.plan_kpis))
                }
            }
            section class="report-section" aria-labelledby="budget" {
                h2 id="budget" { (t.budget) }
                (budget_table(lang, &view.budget))
                h2 id="activities" { (t.activities_held) }
                (activities_table(lang, &view.held))
            }
        },
    )
}

/// The KPIs as table rows: code and title, target, actual, progress, status, forecast.
fn kpi_table(lang: Lang, cards: &[KpiCard]) -> Markup {
    let t = lang.texts();
    let na = t.not_available;
    html! {
        @if cards.is_empty() { p { (t.no_kpis) } } @else {
            table class="kpi-table" {
                thead { tr {
                    th scope="col" { (t.kpi) }
                    th scope="col" class="num" { (t.target) }
                    th scope="col" class="num" { (t.actual) }
                    th scope="col" class="num" { (t.progress) }
                    th scope="col" { (t.status) }
                    th scope="col" { (t.forecast) }
                } }
                tbody {
                    @for card in cards {
                        @let r = &card.result;
                        tr data-kpi-id=(card.kpi_id) data-status=(r.status.as_str())
                            data-actual=(r.actual.map(|a| a.to_string()).unwrap_or_default()) {
                            th scope="row" { @if let Some(code) = &card.code { (code) " " } (card.title) }
                            td class="num" { (kpi::target(lang, card)) }
                            td class="num" { (r.actual.map_or_else(|| na.to_owned(), |a| lang.quantity(a, card.unit.as_deref()))) }
                            td class="num" { (r.progress.map_or_else(|| na.to_owned(), |p| lang.percent(p))) }
                            td { (layout::status(lang, r.status)) }
                            td { (kpi::forecast(lang, card).unwrap_or_else(|| na.to_owned())) }
                        }
                    }
                }
            }
        }
    }
}

/// The budget lines, planned against spent, with totals.
fn budget_table(lang: Lang, lines: &[BudgetLine]) -> Markup {
    let t = lang.texts();
    let na = t.not_available;
    let planned: i64 = lines.iter().map(|l| l.amount).sum();
    let spent: i64 = lines.iter().filter_map(|l| l.actual_spent).sum();
    if lines.is_empty() {
        return html! { p { (t.no_budget) } };
    }
    html! {
        table class="budget" {
            thead { tr {
                th scope="col" { (t.budget_code) }
                th scope="col" { (t.title) }
                th scope="col" class="num" { (t.budget_planned) }
                th scope="col" class="num" { (t.budget_spent) }
                th scope="col" class="num" { (t.budget_remaining) }
            } }
            tbody {
                @for line in lines {
                    tr {
                        td { (line.code) }
                        th scope="row" { (line.title) }
                        td class="num" { (lang.kroner(line.amount)) }
                        td class="num" { (line.actual_spent.map_or_else(|| na.to_owned(), |s| lang.kroner(s))) }
                        td class="num" { (line.actual_spent.map_or_else(|| na.to_owned(), |s| lang.kroner(line.amount - s))) }
                    }
                }
            }
            tfoot { tr {
                th scope="row" colspan="2" { (t.total) }
                td class="num" { (lang.kroner(planned)) }
                td class="num" { (lang.kroner(spent)) }
                td class="num" { (lang.kroner(planned - spent)) }
            } }
        }
    }
}

/// The activities held, one row per kind, one column per month, with totals.
fn activities_table(lang: Lang, held: &[HeldOnDay]) -> Markup {
    let t = lang.texts();
    let mut months: Vec<(i32, u32)> = held
        .iter()
        .map(|h| (h.date.year(), h.date.month()))
        .collect();
    months.sort_unstable();
    months.dedup();
    let mut by_kind: BTreeMap<&str, BTreeMap<(i32, u32), i64>> = BTreeMap::new();
    for h in held {
        *by_kind
            .entry(h.kind.as_str())
            .or_default()
            .entry((h.date.year(), h.date.month()))
            .or_default() += h.held;
    }
    let month_total = |m: &(i32, u32)| -> i64 { by_kind.values().filter_map(|k| k.get(m)).sum() };
    html! {
        @if held.is_empty() { p { (t.no_activities) } } @else {
            table class="activities" {
                thead { tr {
                    th scope="col" { (t.activity_kind) }
                    @for (year, month) in &months {
                        th scope="col" class="num" { abbr title=(format!("{} {year}", lang.month(*month))) { (lang.month_short(*month)) } }
                    }
                    th scope="col" class="num" { (t.total) }
                } }
                tbody {
                    @for (kind, counts) in &by_kind {
                        tr {
                            th scope="row" { (lang.activity_kind(kind)) }
                            @for m in &months { td class="num" { (counts.get(m).copied().unwrap_or(0)) } }
                            td class="num" { (counts.values().sum::<i64>()) }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" { (t.total) }
                    @for m in &months { td class="num" { (month_total(m)) } }
                    td class="num" { (held.iter().map(|h| h.held).sum::<i64>()) }
                } }
            }
        }
    }
}
