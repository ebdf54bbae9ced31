//! One KPI as the progress page and the embed show it: code and title, status as a word
//! and a shape, actual and target with the unit, the expected pace, a progress bar with
//! its value in text, the forecasts, what is still needed per month, the newest record
//! counted, and the sparkline. The unrounded figures sit in `data-` attributes, so a
//! machine can hold the page to the scorecard JSON.

use maud::{Markup, html};
use veikart_domain::engine::KpiResult;
use veikart_domain::kpi::Direction;

use super::lang::Lang;
use super::layout;
use super::sparkline;
use crate::routes::results::KpiCard;

/// The heading level of a KPI's title (its place in the page's outline).
#[derive(Debug, Clone, Copy)]
pub enum Level {
    H2,
    H4,
}

/// A KPI as an `<article>`; `series` is its monthly results (none in the embed).
pub fn article(lang: Lang, card: &KpiCard, series: Option<&[KpiResult]>, level: Level) -> Markup {
    let r = &card.result;
    let id = format!("kpi-{}", card.kpi_id);
    let heading_id = format!("{id}-title");
    html! {
        article class=(format!("kpi {}", r.status.as_str())) id=(id) aria-labelledby=(heading_id)
            data-kpi-id=(card.kpi_id) data-status=(r.status.as_str())
            data-actual=(r.actual.map(|a| a.to_string()).unwrap_or_default()) {
            (heading(level, &heading_id, card))
            p { (layout::status(lang, r.status)) }
            dl { (figures(lang, card)) }
            @if let Some(points) = series {
                (sparkline::chart(lang, card.unit.as_deref(), points, &id))
            }
        }
    }
}

fn heading(level: Level, id: &str, card: &KpiCard) -> Markup {
    let inner = html! {
        @if let Some(code) = &card.code { span class="code" { (code) } " " }
        (card.title)
    };
    match level {
        Level::H2 => html! { h2 id=(id) { (inner) } },
        Level::H4 => html! { h4 id=(id) { (inner) } },
    }
}

/// The figures of a KPI as `<dt>`/`<dd>` pairs.
fn figures(lang: Lang, card: &KpiCard) -> Markup {
    let t = lang.texts();
    let r = &card.result;
    let unit = card.unit.as_deref();
    let na = t.not_available;
    html! {
        dt { (t.actual) }
        dd { @if let Some(a) = r.actual { (lang.quantity(a, unit)) } @else { (na) } }
        dt { (t.target) }
        dd { (target(lang, card)) }
        @if let Some(e) = r.expected {
            dt { (t.expected_now) }
            dd { (lang.quantity(e, unit)) }
        }
        dt { (t.progress) }
        dd class="progress" { (progress(lang, r)) }
        @if let Some(f) = forecast(lang, card) {
            dt { (t.forecast) }
            dd { (f) }
        }
        @if let Some(n) = r.needed_per_month {
            dt { (t.needed_per_month) }
            dd { (lang.quantity(n, unit)) }
        }
        dt { (t.last_data) }
        dd { @if let Some(d) = r.last_record_on { (lang.date(d)) } @else { (t.no_records) } }
    }
}

/// "at least 40 activities".
pub fn target(lang: Lang, card: &KpiCard) -> String {
    let t = lang.texts();
    let word = match card.direction {
        Direction::AtLeast => t.at_least,
        Direction::AtMost => t.at_most,
    };
    format!(
        "{word} {}",
        lang.quantity(card.target, card.unit.as_deref())
    )
}

/// A progress bar (a picture of the percentage written beside it).
pub fn progress(lang: Lang, r: &KpiResult) -> Markup {
    let Some(p) = r.progress else {
        return html! { (lang.texts().not_available) };
    };
    let filled = (p.clamp(0.0, 1.0) * 100.0).round();
    html! {
        svg class=(format!("bar {}", r.status.as_str())) viewBox="0 0 100 8" aria-hidden="true" focusable="false" preserveAspectRatio="none" {
            rect class="track" x="0" y="0" width="100" height="8" {}
            rect class="fill" x="0" y="0" width=(filled) height="8" {}
        }
        (lang.percent(p))
    }
}

/// "36.3 at the same pace; 41 with planned activities", or nothing without a forecast.
pub fn forecast(lang: Lang, card: &KpiCard) -> Option<String> {
    let t = lang.texts();
    let unit = card.unit.as_deref();
    let f = &card.result.forecast;
    let mut parts = Vec::new();
    if let Some(run_rate) = f.run_rate {
        parts.push(format!(
            "{} {}",
            lang.quantity(run_rate, unit),
            t.forecast_run_rate
        ));
    }
    if let Some(planned) = f.with_planned {
        parts.push(format!(
            "{} {}",
            lang.quantity(planned, unit),
            t.forecast_with_planned
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
