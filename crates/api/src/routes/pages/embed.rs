//! `GET /p/{org}/plans/{plan_id}/embed`: a compact widget for an `<iframe>` in the
//! intranet or on the web site — no header or footer; the whole plan or one focus area
//! (`?focus_area=`), with a link to the full page. Only this page may be framed, and only
//! by the origins the organisation allows (`frame-ancestors`).

use maud::{Markup, html};

use super::http::{Bad, PageError};
use super::kpi::{self, Level};
use super::lang::Lang;
use super::layout::{self, Frame, FrameKind, link};
use super::view::PlanView;
use crate::routes::results::KpiCard;

pub fn render(
    view: &PlanView,
    lang: Lang,
    path: &str,
    focus_area: Option<i64>,
) -> Result<Markup, PageError> {
    let t = lang.texts();
    let card = &view.card.card;
    let (heading, cards): (String, Vec<&KpiCard>) = match focus_area {
        None => (view.plan.title.clone(), card.kpis().collect()),
        Some(id) => {
            let area = card
                .focus_areas
                .iter()
                .find(|a| a.focus_area_id == id)
                .ok_or(PageError::BadRequest(lang, Bad::FocusArea))?;
            (
                format!("{}: {} {}", view.plan.title, area.number, area.title),
                area.kpis.iter().collect(),
            )
        }
    };
    let page_path = path.trim_end_matches("/embed");
    let frame = Frame {
        lang,
        title: &heading,
        org_name: Some(&view.org.name),
        path,
        as_of: Some(view.as_of),
        kind: FrameKind::Embed,
    };
    Ok(layout::page(
        &frame,
        html! {
            h1 { (heading) }
            p class="meta" { (t.status_as_of) " " (lang.date(view.as_of)) " · " (view.org.name) }
            div class="kpis" {
                @for card in cards { (kpi::article(lang, card, None, Level::H2)) }
            }
            p { a href=(link(page_path, lang, Some(view.as_of))) target="_top" { (t.whole_plan) } }
        },
    ))
}
