//! A KPI's monthly series as a small hand-written SVG chart — the actual as a line, the
//! expected pace dashed — whose accessible name states the trend and every value, with
//! the same numbers as a table in a `<details>` beside it.

use std::fmt::Write as _;

use maud::{Markup, html};
use veikart_domain::engine::KpiResult;

use super::lang::Lang;

const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 48.0;
const PAD: f64 = 3.0;

/// The chart and its table, or nothing when the series has no actual yet.
pub fn chart(lang: Lang, unit: Option<&str>, points: &[KpiResult], id: &str) -> Markup {
    let actuals: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.actual.map(|a| (i, a)))
        .collect();
    if actuals.is_empty() {
        return html! {};
    }
    let t = lang.texts();
    let name = accessible_name(lang, unit, points);
    let scale = Scale::of(points);
    let table_id = format!("{id}-table");
    html! {
        figure class="sparkline" {
            svg class="spark" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(name) preserveAspectRatio="none" {
                title { (name) }
                polyline class="pace" points=(scale.line(points, |p| p.expected)) {}
                polyline class="actual" points=(scale.line(points, |p| p.actual)) {}
            }
            details {
                summary { (t.series_table) }
                table id=(table_id) {
                    thead { tr {
                        th scope="col" { (t.month_end) }
                        th scope="col" class="num" { (t.actual) }
                        th scope="col" class="num" { (t.expected_now) }
                    } }
                    tbody {
                        @for p in points {
                            tr {
                                th scope="row" { (lang.date(p.as_of)) }
                                td class="num" { (optional(lang, p.actual)) }
                                td class="num" { (optional(lang, p.expected)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn optional(lang: Lang, value: Option<f64>) -> String {
    value.map_or_else(|| lang.texts().not_available.to_owned(), |v| lang.number(v))
}

/// "Trend: rising. 31 Jan 2022: 3, 28 Feb 2022: 6, …" in the page's language.
fn accessible_name(lang: Lang, unit: Option<&str>, points: &[KpiResult]) -> String {
    let t = lang.texts();
    let values: Vec<f64> = points.iter().filter_map(|p| p.actual).collect();
    let trend = match (values.first(), values.last()) {
        (Some(first), Some(last)) if last > first => t.trend_rising,
        (Some(first), Some(last)) if last < first => t.trend_falling,
        _ => t.trend_flat,
    };
    let mut name = format!("{}: {trend}.", t.trend);
    let listed: Vec<String> = points
        .iter()
        .filter_map(|p| {
            p.actual
                .map(|a| format!("{} {}", lang.date(p.as_of), lang.quantity(a, unit)))
        })
        .collect();
    let _ = write!(name, " {}.", listed.join(", "));
    name
}

/// Where a value falls in the chart.
struct Scale {
    low: f64,
    high: f64,
    steps: usize,
}

impl Scale {
    fn of(points: &[KpiResult]) -> Self {
        let values = points
            .iter()
            .flat_map(|p| [p.actual, p.expected])
            .flatten()
            .chain([0.0]);
        let (low, high) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let high = if high > low { high } else { low + 1.0 };
        Self {
            low,
            high,
            steps: points.len().saturating_sub(1).max(1),
        }
    }

    /// The SVG points of one value of each result.
    fn line(&self, points: &[KpiResult], value: impl Fn(&KpiResult) -> Option<f64>) -> String {
        let mut out = String::new();
        for (i, p) in points.iter().enumerate() {
            if let Some(v) = value(p) {
                let x = PAD + (WIDTH - 2.0 * PAD) * i as f64 / self.steps as f64;
                let y =
                    HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * (v - self.low) / (self.high - self.low);
                let _ = write!(out, "{x:.1},{y:.1} ");
            }
        }
        out.trim_end().to_owned()
    }
}
