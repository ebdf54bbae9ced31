//! `GET /p/{org}/plans/{plan_id}/kpis/{kpi_id}/badge.svg`: a KPI's status as a small badge
//! for a web page or a README — its code, the status in words and the actual value — a
//! well-formed SVG image with `role="img"`, a `<title>` and an `aria-label`.

use maud::{Markup, html};

use super::lang::Lang;
use crate::routes::results::KpiCard;

/// Width of a character of the badge's 11px sans-serif text, roughly.
const CHAR_WIDTH: f64 = 6.6;
const PAD: f64 = 6.0;
const HEIGHT: f64 = 20.0;

pub fn render(lang: Lang, card: &KpiCard) -> Markup {
    let r = &card.result;
    let label = card
        .code
        .clone()
        .unwrap_or_else(|| lang.texts().kpi.to_owned());
    let value = r.actual.map_or_else(
        || lang.status(r.status).to_owned(),
        |a| {
            format!(
                "{} · {}",
                lang.status(r.status),
                lang.quantity(a, card.unit.as_deref())
            )
        },
    );
    let name = format!("{label} {}: {value}", card.title);
    let left = width(&label);
    let right = width(&value);
    let colour = colour(r.status);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(left + right) height=(HEIGHT)
            viewBox=(format!("0 0 {} {HEIGHT}", left + right)) role="img" aria-label=(name)
            lang=(lang.code()) data-status=(r.status.as_str()) {
            title { (name) }
            rect width=(left) height=(HEIGHT) fill="#444" {}
            rect x=(left) width=(right) height=(HEIGHT) fill=(colour) {}
            g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" {
                text x=(PAD) y="14" { (label) }
                text x=(left + PAD) y="14" { (value) }
            }
        }
    }
}

fn width(text: &str) -> f64 {
    (text.chars().count() as f64 * CHAR_WIDTH + 2.0 * PAD).round()
}

/// The badge's background: white text on each has at least 4.5:1 contrast.
fn colour(status: veikart_domain::engine::KpiStatus) -> &'static str {
    use veikart_domain::engine::KpiStatus as S;
    match status {
        S::OnTrack => "#1b6e34",
        S::AtRisk => "#8a4b00",
        S::OffTrack => "#b3261e",
        S::Achieved => "#1a4fa0",
        S::Missed => "#7a1f1f",
        S::NotStarted | S::NoData => "#595959",
    }
}
