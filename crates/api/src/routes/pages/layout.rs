//! The frame every page shares: the document head with the one stylesheet, the "skip to
//! content" link, the header with the language switch, `<main id="main">` and the footer;
//! the status shapes; links that keep the page's language and date; the error pages.
//! Everything an organisation typed goes through maud's escaping.

use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use veikart_domain::engine::KpiStatus;

use super::assets::STYLESHEET_PATH;
use super::http::Bad;
use super::lang::Lang;

/// What the frame around a page shows.
pub struct Frame<'a> {
    pub lang: Lang,
    /// The document's `<title>`.
    pub title: &'a str,
    /// The organisation's name in the header, if the page is one organisation's.
    pub org_name: Option<&'a str>,
    /// The page's own path, for the language switch (with its `as_of`).
    pub path: &'a str,
    pub as_of: Option<NaiveDate>,
    /// A compact frame with no header or footer (the embed), or the print view's.
    pub kind: FrameKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Page,
    Report,
    Embed,
}

/// The whole document around `body`.
pub fn page(frame: &Frame<'_>, body: Markup) -> Markup {
    let t = frame.lang.texts();
    let class = match frame.kind {
        FrameKind::Page => "page",
        FrameKind::Report => "report",
        FrameKind::Embed => "embed",
    };
    html! {
        (DOCTYPE)
        html lang=(frame.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) }
                link rel="stylesheet" href=(STYLESHEET_PATH.as_str());
            }
            body class=(class) {
                a class="skip-link" href="#main" { (t.skip_to_content) }
                @if frame.kind != FrameKind::Embed {
                    (header(frame))
                }
                main id="main" tabindex="-1" { (body) }
                @if frame.kind != FrameKind::Embed {
                    footer class="site-footer" { p { (t.made_with) } }
                }
            }
        }
    }
}

fn header(frame: &Frame<'_>) -> Markup {
    let other = frame.lang.other();
    html! {
        header class="site" {
            p class="org" {
                @if let Some(name) = frame.org_name { (name) } @else { "Veikart" }
            }
            nav aria-label=(match frame.lang { Lang::Nb => "Språk", Lang::En => "Language" }) {
                ul {
                    li {
                        a href=(link(frame.path, other, frame.as_of)) hreflang=(other.code()) lang=(other.code()) {
                            (frame.lang.texts().other_language)
                        }
                    }
                }
            }
        }
    }
}

/// `path` with the query that keeps `lang` (when not the default) and `as_of`.
pub fn link(path: &str, lang: Lang, as_of: Option<NaiveDate>) -> String {
    let mut query = Vec::new();
    if let Some(day) = as_of {
        query.push(format!("as_of={day}"));
    }
    if lang != Lang::Nb {
        query.push(format!("lang={}", lang.code()));
    }
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// A status's shape (the word is always beside it): each of the seven has its own shape,
/// so it reads without colour.
pub fn status_icon(status: KpiStatus) -> Markup {
    let shape = match status {
        // An empty circle: nothing yet.
        KpiStatus::NotStarted => {
            r#"<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2"/>"#
        }
        // A dashed square: no figures.
        KpiStatus::NoData => {
            r#"<rect x="2.5" y="2.5" width="11" height="11" fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="3 2"/>"#
        }
        // A filled circle.
        KpiStatus::OnTrack => r#"<circle cx="8" cy="8" r="7" fill="currentColor"/>"#,
        // A triangle, point up.
        KpiStatus::AtRisk => r#"<path d="M8 1 L15 14.5 L1 14.5 Z" fill="currentColor"/>"#,
        // A diamond.
        KpiStatus::OffTrack => r#"<path d="M8 0.5 L15.5 8 L8 15.5 L0.5 8 Z" fill="currentColor"/>"#,
        // A check mark.
        KpiStatus::Achieved => {
            r#"<path d="M1.5 8.5 L6 13 L14.5 3" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>"#
        }
        // A cross.
        KpiStatus::Missed => {
            r#"<path d="M2.5 2.5 L13.5 13.5 M13.5 2.5 L2.5 13.5" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"/>"#
        }
    };
    html! {
        svg class=(format!("icon {}", status.as_str())) viewBox="0 0 16 16" aria-hidden="true" focusable="false" {
            (PreEscaped(shape))
        }
    }
}

/// A status as its shape and its word.
pub fn status(lang: Lang, status: KpiStatus) -> Markup {
    html! {
        span class="status" data-status=(status.as_str()) {
            (status_icon(status)) span { (lang.status(status)) }
        }
    }
}

/// The 404 page: the same for an unknown organisation, an unknown plan and an unpublished
/// one.
pub fn not_found(lang: Lang) -> Markup {
    let t = lang.texts();
    message_page(lang, t.not_found_title, t.not_found_text)
}

/// The 400 page for a malformed query.
pub fn bad_request(lang: Lang, bad: Bad) -> Markup {
    let t = lang.texts();
    let text = match bad {
        Bad::Date => t.bad_date,
        Bad::Lang => t.bad_lang,
        Bad::FocusArea => t.bad_focus_area,
        Bad::Query => t.bad_date,
    };
    message_page(lang, t.bad_request_title, text)
}

/// The page for a failure of the service's own (5xx): unavailable (503) or failed.
pub fn failed(lang: Lang, unavailable: bool) -> Markup {
    let t = lang.texts();
    if unavailable {
        message_page(lang, t.unavailable_title, t.unavailable_text)
    } else {
        message_page(lang, t.failed_title, t.failed_text)
    }
}

/// A short page saying what went wrong, with the request's id for a support mail.
fn message_page(lang: Lang, title: &str, text: &str) -> Markup {
    let request_id = crate::observe::request_id::current();
    let frame = Frame {
        lang,
        title,
        org_name: None,
        path: "/",
        as_of: None,
        kind: FrameKind::Page,
    };
    page(
        &frame,
        html! {
            h1 { (title) }
            p { (text) }
            @if let Some(id) = &request_id {
                p.request-id { (lang.texts().request_id) " " code { (id.as_str()) } }
            }
            p { a href=(link("/", lang, None)) { (lang.texts().to_front_page) } }
        },
    )
}
