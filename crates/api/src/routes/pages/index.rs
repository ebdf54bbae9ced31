//! `GET /` — what a newcomer who opens Veikart's address finds: what Veikart is, the
//! organisations with published plans, the API docs — and `GET /p/{org}`, one
//! organisation's published plans, newest period first.

use maud::{Markup, html};
use veikart_store::organisations::Organisation;
use veikart_store::plans::Plan;
use veikart_store::published::PublishingOrganisation;

use super::lang::Lang;
use super::layout::{self, Frame, FrameKind, link};
use crate::app::DOCS_PATH;

pub fn landing(lang: Lang, orgs: &[PublishingOrganisation]) -> Markup {
    let t = lang.texts();
    let frame = Frame {
        lang,
        title: t.landing_title,
        org_name: None,
        path: "/",
        as_of: None,
        kind: FrameKind::Page,
    };
    layout::page(
        &frame,
        html! {
            h1 { (t.landing_title) }
            p { (t.landing_intro) }
            h2 { (t.landing_orgs) }
            @if orgs.is_empty() { p { (t.landing_none) } } @else {
                ul class="plans" {
                    @for org in orgs {
                        li { a href=(link(&format!("/p/{}", org.slug), lang, None)) { (org.name) } }
                    }
                }
            }
            h2 { (t.api_docs) }
            p { a href=(DOCS_PATH) { (t.api_docs) } " (OpenAPI)" }
        },
    )
}

pub fn organisation(lang: Lang, org: &Organisation, plans: &[Plan]) -> Markup {
    let t = lang.texts();
    let path = format!("/p/{}", org.slug);
    let frame = Frame {
        lang,
        title: &format!("{} – {}", t.published_plans, org.name),
        org_name: Some(&org.name),
        path: &path,
        as_of: None,
        kind: FrameKind::Page,
    };
    layout::page(
        &frame,
        html! {
            h1 { (t.published_plans) }
            ul class="plans" {
                @for plan in plans {
                    li {
                        a href=(link(&format!("{path}/plans/{}", plan.id), lang, None)) { (plan.title) }
                        br;
                        span class="meta" {
                            (t.period) " " (lang.date(plan.period_start)) "–" (lang.date(plan.period_end))
                            " · " (t.plan_status) ": "
                            (lang.plan_status(plan.status.0))
                        }
                    }
                }
            }
        },
    )
}
