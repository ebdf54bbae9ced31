//! `GET /p/{org}/plans/{plan_id}`: the progress page of a published plan for the
//! organisation's web site — the plan's header and date form, a summary in words and
//! numbers, each focus area with its KPIs and measures, the plan's own KPIs, the goals,
//! and links to the same figures as CSV and JSON and to the print view.

use maud::{Markup, html};
use veikart_domain::engine::{KpiStatus, Rollup};
use veikart_store::measures::Measure;

use super::kpi::{self, Level};
use super::lang::Lang;
use super::layout::{self, Frame, FrameKind, link};
use super::view::PlanView;
use crate::routes::results::{GoalCard, KpiCard};

/// The whole progress page.
pub fn render(view: &PlanView, lang: Lang, path: &str) -> Markup {
    let frame = Frame {
        lang,
        title: &format!("{} – {}", view.plan.title, view.org.name),
        org_name: Some(&view.org.name),
        path,
        as_of: Some(view.as_of),
        kind: FrameKind::Page,
    };
    layout::page(
        &frame,
        html! {
            (plan_header(view, lang))
            (date_form(view, lang))
            (summary(lang, &view.card.card.rollup))
            @for area in &view.card.card.focus_areas {
                section class="focus-area" aria-labelledby=(format!("fa-{}", area.focus_area_id)) {
                    h2 id=(format!("fa-{}", area.focus_area_id)) {
                        (lang.texts().focus_area) " " (area.number) ": " (area.title)
                    }
                    @if let Some(text) = view.descriptions.get(&area.focus_area_id) { p { (text) } }
                    h3 { (lang.texts().kpis) }
                    (kpi_list(view, lang, &area.kpis))
                    h3 { (lang.texts().measures) }
                    (measures(lang, view.measures.iter().filter(|m| m.focus_area_id == area.focus_area_id)))
                }
            }
            @if !view.card.card.plan_kpis.is_empty() {
                section aria-labelledby="plan-kpis" {
                    h2 id="plan-kpis" { (lang.texts().plan_kpis) }
                    (kpi_list(view, lang, &view.card.card.plan_kpis))
                }
            }
            (goals(view, lang))
            (figures_links(view, lang, path))
        },
    )
}

/// The plan's title, period, adoption, date and when its data last changed.
pub fn plan_header(view: &PlanView, lang: Lang) -> Markup {
    let t = lang.texts();
    let plan = &view.plan;
    html! {
        h1 { (plan.title) }
        p class="meta" {
            (t.period) " " (lang.date(plan.period_start)) "–" (lang.date(plan.period_end))
            @if let (Some(by), Some(on)) = (&plan.adopted_by, plan.adopted_on) {
                " · " (t.adopted_by_on) " " (by) " " (lang.date(on))
            }
        }
        p class="meta" {
            strong { (t.status_as_of) " " (lang.date(view.as_of)) }
            " · " (t.data_changed) " " (lang.date_time(view.changed_at))
        }
        @if let Some(intro) = &plan.intro { p { (intro) } }
    }
}

/// A plain GET form for another date (no script: the browser sends `?as_of=`).
fn date_form(view: &PlanView, lang: Lang) -> Markup {
    let t = lang.texts();
    html! {
        form class="as-of" method="get" {
            label for="as_of" { (t.change_date) }
            input type="date" id="as_of" name="as_of" value=(view.as_of.to_string()) required;
            @if lang != Lang::Nb { input type="hidden" name="lang" value=(lang.code()); }
            button type="submit" { (t.show) }
        }
    }
}

/// How many KPIs stand in each status, in words and with their shapes, and the mean
/// progress.
pub fn summary(lang: Lang, rollup: &Rollup) -> Markup {
    let t = lang.texts();
    let present: Vec<(KpiStatus, u32)> = KpiStatus::ALL
        .iter()
        .map(|s| (*s, rollup.statuses.get(*s)))
        .filter(|(_, n)| *n > 0)
        .collect();
    html! {
        section aria-labelledby="summary" {
            h2 id="summary" { (t.summary) }
            p {
                (rollup.kpis) " " (t.summary_kpis) ": "
                (present.iter().map(|(s, n)| format!("{n} {}", lang.status(*s).to_lowercase())).collect::<Vec<_>>().join(", "))
                ". " (t.mean_progress) ": "
                @if let Some(p) = rollup.mean_progress { (lang.percent(p)) } @else { (t.no_progress) }
                "."
            }
            ul class="status-counts" aria-label=(t.status) {
                @for (status, n) in &present {
                    li data-status=(status.as_str()) { (layout::status_icon(*status)) (lang.status(*status)) ": " (n) }
                }
            }
        }
    }
}

fn kpi_list(view: &PlanView, lang: Lang, cards: &[KpiCard]) -> Markup {
    html! {
        @if cards.is_empty() {
            p { (lang.texts().no_kpis) }
        } @else {
            div class="kpis" {
                @for card in cards {
                    (kpi::article(lang, card, Some(view.series.get(&card.kpi_id).map_or(&[][..], Vec::as_slice)), Level::H4))
                }
            }
        }
    }
}

/// A focus area's measures as a table: number, title, owner, status, due date.
pub fn measures<'a>(lang: Lang, measures: impl Iterator<Item = &'a Measure>) -> Markup {
    let t = lang.texts();
    let measures: Vec<&Measure> = measures.collect();
    html! {
        @if measures.is_empty() {
            p { (t.no_measures) }
        } @else {
            table class="measures" {
                thead { tr {
                    th scope="col" { (t.number) }
                    th scope="col" { (t.title) }
                    th scope="col" { (t.owner) }
                    th scope="col" { (t.status) }
                    th scope="col" { (t.due) }
                } }
                tbody {
                    @for m in measures {
                        tr {
                            td { (m.number) }
                            th scope="row" { (m.title) }
                            td { (m.owner.as_deref().unwrap_or(t.not_available)) }
                            td { (lang.measure_status(m.status.0)) }
                            td { (m.due_on.map_or_else(|| t.not_available.to_owned(), |d| lang.date(d))) }
                        }
                    }
                }
            }
        }
    }
}

/// The plan's goals and the strategy goals it serves: each with the KPIs that measure it,
/// or its latest check-in.
fn goals(view: &PlanView, lang: Lang) -> Markup {
    let t = lang.texts();
    let card = &view.card.card;
    let (strategy, plan): (Vec<&GoalCard>, Vec<&GoalCard>) =
        card.goals.iter().partition(|g| g.strategy_goal);
    html! {
        @if !card.goals.is_empty() {
            section aria-labelledby="goals" {
                h2 id="goals" { (t.goals) }
                @for (title, list) in [(t.plan_goals, &plan), (t.strategy_goals, &strategy)] {
                    @if !list.is_empty() {
                        h3 { (title) }
                        @for goal in list.iter() { (goal_item(view, lang, goal)) }
                    }
                }
            }
        }
    }
}

fn goal_item(view: &PlanView, lang: Lang, goal: &GoalCard) -> Markup {
    let t = lang.texts();
    let measuring: Vec<&KpiCard> = view
        .card
        .card
        .kpis()
        .filter(|k| goal.kpi_ids.contains(&k.kpi_id))
        .collect();
    html! {
        div class="goal" {
            h4 { (goal.key) " " (goal.title) }
            @if goal.measurable {
                @if !measuring.is_empty() {
                    p { (t.measured_by) ":" }
                    ul {
                        @for k in measuring {
                            li {
                                a href=(format!("#kpi-{}", k.kpi_id)) {
                                    @if let Some(code) = &k.code { (code) " " } (k.title)
                                }
                                " — " (layout::status(lang, k.result.status))
                            }
                        }
                    }
                }
            } @else {
                p {
                    (t.latest_check_in) ": "
                    @if let Some(c) = &goal.latest_check_in {
                        (lang.check_in_status(c.status)) ", " (t.confidence) " " (c.confidence) "/10, "
                        (lang.date(c.checked_on)) " (" (c.author) ")"
                        @if let Some(comment) = &c.comment { ": «" (comment) "»" }
                    } @else { (t.no_check_in) }
                }
            }
        }
    }
}

/// Links to the same figures as CSV and JSON, to the print view and the other language.
fn figures_links(view: &PlanView, lang: Lang, path: &str) -> Markup {
    let t = lang.texts();
    let api = format!(
        "/api/v1/orgs/{}/plans/{}/scorecard?as_of={}",
        view.org.slug, view.plan.id, view.as_of
    );
    html! {
        section aria-labelledby="figures" {
            h2 id="figures" { (t.figures) }
            ul class="links" {
                li { a data-link="scorecard-csv" href=(format!("{api}&format=csv")) type="text/csv" { (t.as_csv) } }
                li { a data-link="scorecard-json" href=(api) type="application/json" { (t.as_json) } }
                li { a data-link="report" href=(link(&format!("{path}/report"), lang, Some(view.as_of))) { (t.print_view) } }
            }
        }
    }
}
