//! The pages' two languages: which one a request asks for (`?lang=`, else
//! `Accept-Language`, else Norwegian bokmål), every fixed text in each, and numbers and
//! dates written as a reader of that language writes them (`32,8 %` and `30.06.2022` in
//! bokmål, `32.8 %` and `30 Jun 2022` in English).

use actix_web::HttpRequest;
use actix_web::http::header;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use veikart_domain::engine::KpiStatus;
use veikart_domain::plan::PlanStatus;
use veikart_domain::tree::{CheckInStatus, MeasureStatus};

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Nb,
    En,
}

impl Lang {
    /// The `lang` attribute and `?lang=` value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Lang {
        match self {
            Lang::Nb => Lang::En,
            Lang::En => Lang::Nb,
        }
    }

    /// `?lang=` when given (`None` for a value that is neither language), else the first
    /// of `Accept-Language` that is one of them, else bokmål.
    pub fn of(req: &HttpRequest, asked: Option<&str>) -> Option<Lang> {
        match asked.map(str::trim) {
            Some("nb" | "no" | "nn") => Some(Lang::Nb),
            Some("en") => Some(Lang::En),
            Some("") | None => Some(Self::accepted(req)),
            Some(_) => None,
        }
    }

    fn accepted(req: &HttpRequest) -> Lang {
        let Some(value) = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::Nb;
        };
        let mut ranges: Vec<(f32, usize, &str)> = value
            .split(',')
            .enumerate()
            .filter_map(|(i, range)| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                Some((q, i, tag))
            })
            .filter(|(q, _, _)| *q > 0.0)
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .iter()
            .find_map(|(_, _, tag)| {
                let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
                match primary.as_str() {
                    "nb" | "no" | "nn" => Some(Lang::Nb),
                    "en" => Some(Lang::En),
                    _ => None,
                }
            })
            .unwrap_or(Lang::Nb)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Nb => &NB,
            Lang::En => &EN,
        }
    }

    /// A number as this language writes it: whole numbers without decimals, others with
    /// one; digit groups of three.
    pub fn number(self, value: f64) -> String {
        let rounded = (value * 10.0).round() / 10.0;
        let whole = rounded.fract() == 0.0;
        let (group, decimal) = match self {
            Lang::Nb => ('\u{a0}', ','),
            Lang::En => (',', '.'),
        };
        let text = if whole {
            format!("{rounded:.0}")
        } else {
            format!("{rounded:.1}")
        };
        let (sign, digits) = match text.strip_prefix('-') {
            Some(rest) if rest.chars().any(|c| c != '0' && c != '.') => ("-", rest),
            Some(rest) => ("", rest),
            None => ("", text.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let mut out = String::from(sign);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(decimal);
            out.push_str(frac);
        }
        out
    }

    /// A number with its unit: `32,8 %`, `18 aktiviteter`.
    pub fn quantity(self, value: f64, unit: Option<&str>) -> String {
        match unit.map(str::trim).filter(|u| !u.is_empty()) {
            Some(unit) => format!("{}\u{a0}{unit}", self.number(value)),
            None => self.number(value),
        }
    }

    /// A share (1.0 = 100 %) as a whole percentage.
    pub fn percent(self, share: f64) -> String {
        format!("{}\u{a0}%", self.number((share * 100.0).round()))
    }

    /// An amount of Norwegian kroner.
    pub fn kroner(self, amount: i64) -> String {
        format!("{}\u{a0}kr", self.number(amount as f64))
    }

    pub fn date(self, date: NaiveDate) -> String {
        match self {
            Lang::Nb => date.format("%d.%m.%Y").to_string(),
            Lang::En => format!(
                "{} {} {}",
                date.day(),
                self.month_short(date.month()),
                date.year()
            ),
        }
    }

    pub fn date_time(self, at: NaiveDateTime) -> String {
        match self {
            Lang::Nb => format!("{} kl. {} UTC", self.date(at.date()), at.format("%H:%M")),
            Lang::En => format!("{} at {} UTC", self.date(at.date()), at.format("%H:%M")),
        }
    }

    /// The month's name (1 = January).
    pub fn month(self, month: u32) -> &'static str {
        let names = &self.texts().months;
        names[(month.clamp(1, 12) - 1) as usize]
    }

    /// The month's short name (1 = January).
    pub fn month_short(self, month: u32) -> &'static str {
        let names = &self.texts().months_short;
        names[(month.clamp(1, 12) - 1) as usize]
    }

    pub fn status(self, status: KpiStatus) -> &'static str {
        let t = self.texts();
        match status {
            KpiStatus::NotStarted => t.not_started,
            KpiStatus::NoData => t.no_data,
            KpiStatus::OnTrack => t.on_track,
            KpiStatus::AtRisk => t.at_risk,
            KpiStatus::OffTrack => t.off_track,
            KpiStatus::Achieved => t.achieved,
            KpiStatus::Missed => t.missed,
        }
    }

    pub fn check_in_status(self, status: CheckInStatus) -> &'static str {
        match status {
            CheckInStatus::OnTrack => self.status(KpiStatus::OnTrack),
            CheckInStatus::AtRisk => self.status(KpiStatus::AtRisk),
            CheckInStatus::OffTrack => self.status(KpiStatus::OffTrack),
            CheckInStatus::Achieved => self.status(KpiStatus::Achieved),
        }
    }

    pub fn measure_status(self, status: MeasureStatus) -> &'static str {
        let t = self.texts();
        match status {
            MeasureStatus::Planned => t.measure_planned,
            MeasureStatus::InProgress => t.measure_in_progress,
            MeasureStatus::Done => t.measure_done,
            MeasureStatus::Cancelled => t.measure_cancelled,
        }
    }

    pub fn plan_status(self, status: PlanStatus) -> &'static str {
        let t = self.texts();
        match status {
            PlanStatus::Draft => t.plan_draft,
            PlanStatus::Adopted => t.plan_adopted,
            PlanStatus::Archived => t.plan_archived,
        }
    }

    /// An activity kind's name (the wire name when it is not one the pages know).
    pub fn activity_kind(self, kind: &str) -> String {
        let t = self.texts();
        match kind {
            "member_meeting" => t.kind_member_meeting.into(),
            "network_meeting" => t.kind_network_meeting.into(),
            "other_arena" => t.kind_other_arena.into(),
            "promotion" => t.kind_promotion.into(),
            other => other.replace('_', " "),
        }
    }
}

/// Every fixed text of the pages, in one language.
pub struct Texts {
    pub skip_to_content: &'static str,
    pub landing_title: &'static str,
    pub landing_intro: &'static str,
    pub landing_orgs: &'static str,
    pub landing_none: &'static str,
    pub api_docs: &'static str,
    pub published_plans: &'static str,
    pub period: &'static str,
    pub plan_status: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub bad_request_title: &'static str,
    pub bad_date: &'static str,
    pub bad_lang: &'static str,
    pub bad_focus_area: &'static str,
    pub to_front_page: &'static str,
    /// Before the request's id on an error page, for a support mail.
    pub request_id: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable_text: &'static str,
    pub failed_title: &'static str,
    pub failed_text: &'static str,
    pub adopted_by_on: &'static str,
    pub status_as_of: &'static str,
    pub change_date: &'static str,
    pub show: &'static str,
    pub data_changed: &'static str,
    pub summary: &'static str,
    pub summary_kpis: &'static str,
    pub mean_progress: &'static str,
    pub no_progress: &'static str,
    pub focus_area: &'static str,
    pub kpis: &'static str,
    pub no_kpis: &'static str,
    pub plan_kpis: &'static str,
    pub actual: &'static str,
    pub target: &'static str,
    pub at_least: &'static str,
    pub at_most: &'static str,
    pub expected_now: &'static str,
    pub progress: &'static str,
    pub forecast: &'static str,
    pub forecast_run_rate: &'static str,
    pub forecast_with_planned: &'static str,
    pub needed_per_month: &'static str,
    pub last_data: &'static str,
    pub no_records: &'static str,
    pub status: &'static str,
    pub not_available: &'static str,
    pub trend_rising: &'static str,
    pub trend_falling: &'static str,
    pub trend_flat: &'static str,
    pub trend: &'static str,
    pub series_table: &'static str,
    pub month_end: &'static str,
    pub measures: &'static str,
    pub no_measures: &'static str,
    pub owner: &'static str,
    pub due: &'static str,
    pub number: &'static str,
    pub title: &'static str,
    pub goals: &'static str,
    pub plan_goals: &'static str,
    pub strategy_goals: &'static str,
    pub measured_by: &'static str,
    pub latest_check_in: &'static str,
    pub no_check_in: &'static str,
    pub confidence: &'static str,
    pub figures: &'static str,
    pub as_csv: &'static str,
    pub as_json: &'static str,
    pub print_view: &'static str,
    pub progress_page: &'static str,
    pub other_language: &'static str,
    pub report_title: &'static str,
    pub budget: &'static str,
    pub budget_code: &'static str,
    pub no_budget: &'static str,
    pub budget_planned: &'static str,
    pub budget_spent: &'static str,
    pub budget_remaining: &'static str,
    pub total: &'static str,
    pub activities_held: &'static str,
    pub activity_kind: &'static str,
    pub no_activities: &'static str,
    pub whole_plan: &'static str,
    pub kpi: &'static str,
    pub made_with: &'static str,
    pub not_started: &'static str,
    pub no_data: &'static str,
    pub on_track: &'static str,
    pub at_risk: &'static str,
    pub off_track: &'static str,
    pub achieved: &'static str,
    pub missed: &'static str,
    pub measure_planned: &'static str,
    pub measure_in_progress: &'static str,
    pub measure_done: &'static str,
    pub measure_cancelled: &'static str,
    pub plan_draft: &'static str,
    pub plan_adopted: &'static str,
    pub plan_archived: &'static str,
    pub kind_member_meeting: &'static str,
    pub kind_network_meeting: &'static str,
    pub kind_other_arena: &'static str,
    pub kind_promotion: &'static str,
    pub months: [&'static str; 12],
    pub months_short: [&'static str; 12],
}

pub static NB: Texts = Texts {
    skip_to_content: "Hopp til innholdet",
    landing_title: "Veikart",
    landing_intro: "Veikart gjør strategier og handlingsplaner om til målbare mål: hvert resultatmål regnes ut fra registrerte data.",
    landing_orgs: "Publiserte planer",
    landing_none: "Ingen organisasjon har publisert en plan ennå.",
    api_docs: "API-dokumentasjon",
    published_plans: "Publiserte planer",
    period: "Periode",
    plan_status: "Planens status",
    not_found_title: "Fant ikke siden",
    not_found_text: "Siden finnes ikke, eller planen er ikke publisert.",
    bad_request_title: "Ugyldig forespørsel",
    bad_date: "Datoen må skrives ÅÅÅÅ-MM-DD, for eksempel 2022-06-30.",
    bad_lang: "Språket må være «nb» eller «en».",
    bad_focus_area: "Innsatsområdet finnes ikke i denne planen.",
    to_front_page: "Til forsiden",
    request_id: "Oppgi denne forespørsels-IDen hvis du kontakter oss:",
    unavailable_title: "Tjenesten er ikke tilgjengelig",
    unavailable_text: "Databasen svarer ikke akkurat nå. Prøv igjen om litt.",
    failed_title: "Noe gikk galt",
    failed_text: "Siden kunne ikke vises. Feilen er logget.",
    adopted_by_on: "Vedtatt av",
    status_as_of: "Status per",
    change_date: "Vis status per dato",
    show: "Vis",
    data_changed: "Data sist endret",
    summary: "Sammendrag",
    summary_kpis: "resultatmål",
    mean_progress: "Gjennomsnittlig fremdrift",
    no_progress: "ingen fremdrift å vise ennå",
    focus_area: "Innsatsområde",
    kpis: "Resultatmål",
    no_kpis: "Ingen resultatmål.",
    plan_kpis: "Resultatmål for hele planen",
    actual: "Faktisk",
    target: "Mål",
    at_least: "minst",
    at_most: "høyst",
    expected_now: "Forventet nå",
    progress: "Fremdrift",
    forecast: "Prognose",
    forecast_run_rate: "med samme tempo",
    forecast_with_planned: "med planlagte aktiviteter",
    needed_per_month: "Trengs per måned",
    last_data: "Siste data",
    no_records: "ingen data ennå",
    status: "Status",
    not_available: "–",
    trend_rising: "økende",
    trend_falling: "synkende",
    trend_flat: "uendret",
    trend: "Utvikling",
    series_table: "Tallene per måned",
    month_end: "Dato",
    measures: "Tiltak",
    no_measures: "Ingen tiltak.",
    owner: "Ansvarlig",
    due: "Frist",
    number: "Nr.",
    title: "Tittel",
    goals: "Mål",
    plan_goals: "Planens mål",
    strategy_goals: "Strategiens mål som planen tjener",
    measured_by: "Måles med",
    latest_check_in: "Siste vurdering",
    no_check_in: "ingen vurdering ennå",
    confidence: "tillit",
    figures: "Tallene",
    as_csv: "Resultatene som CSV",
    as_json: "Resultatene som JSON",
    print_view: "Utskriftsversjon for årsmøtet",
    progress_page: "Fremdriftssiden",
    other_language: "English",
    report_title: "Årsrapport",
    budget: "Budsjett",
    budget_code: "Kode",
    no_budget: "Planen har ingen budsjettposter.",
    budget_planned: "Budsjettert",
    budget_spent: "Brukt",
    budget_remaining: "Gjenstår",
    total: "Sum",
    activities_held: "Gjennomførte aktiviteter per type og måned",
    activity_kind: "Type",
    no_activities: "Ingen gjennomførte aktiviteter i perioden.",
    whole_plan: "Se hele planen",
    kpi: "Resultatmål",
    made_with: "Beregnet av Veikart fra registrerte data.",
    not_started: "Ikke startet",
    no_data: "Mangler data",
    on_track: "I rute",
    at_risk: "Litt etter",
    off_track: "Langt etter",
    achieved: "Nådd",
    missed: "Ikke nådd",
    measure_planned: "Planlagt",
    measure_in_progress: "Pågår",
    measure_done: "Gjennomført",
    measure_cancelled: "Avlyst",
    plan_draft: "Utkast",
    plan_adopted: "Vedtatt",
    plan_archived: "Arkivert",
    kind_member_meeting: "Medlemsmøte",
    kind_network_meeting: "Nettverksmøte",
    kind_other_arena: "Annen arena",
    kind_promotion: "Markedsføring",
    months: [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],
    months_short: [
        "jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des",
    ],
};

pub static EN: Texts = Texts {
    skip_to_content: "Skip to content",
    landing_title: "Veikart",
    landing_intro: "Veikart turns strategies and action plans into measurable goals: every result target is computed from recorded data.",
    landing_orgs: "Published plans",
    landing_none: "No organisation has published a plan yet.",
    api_docs: "API documentation",
    published_plans: "Published plans",
    period: "Period",
    plan_status: "Plan status",
    not_found_title: "Page not found",
    not_found_text: "The page does not exist, or the plan is not published.",
    bad_request_title: "Bad request",
    bad_date: "Write the date as YYYY-MM-DD, for example 2022-06-30.",
    bad_lang: "The language must be “nb” or “en”.",
    bad_focus_area: "The focus area is not one of this plan's.",
    to_front_page: "To the front page",
    request_id: "Quote this request id if you contact us:",
    unavailable_title: "The service is unavailable",
    unavailable_text: "The database is not answering right now. Try again shortly.",
    failed_title: "Something went wrong",
    failed_text: "The page could not be shown. The error has been logged.",
    adopted_by_on: "Adopted by",
    status_as_of: "Status as of",
    change_date: "Show the status on a date",
    show: "Show",
    data_changed: "Data last changed",
    summary: "Summary",
    summary_kpis: "result targets",
    mean_progress: "Mean progress",
    no_progress: "no progress to show yet",
    focus_area: "Focus area",
    kpis: "Result targets",
    no_kpis: "No result targets.",
    plan_kpis: "Result targets of the whole plan",
    actual: "Actual",
    target: "Target",
    at_least: "at least",
    at_most: "at most",
    expected_now: "Expected by now",
    progress: "Progress",
    forecast: "Forecast",
    forecast_run_rate: "at the same pace",
    forecast_with_planned: "with planned activities",
    needed_per_month: "Needed per month",
    last_data: "Latest data",
    no_records: "no data yet",
    status: "Status",
    not_available: "–",
    trend_rising: "rising",
    trend_falling: "falling",
    trend_flat: "unchanged",
    trend: "Trend",
    series_table: "The figures by month",
    month_end: "Date",
    measures: "Measures",
    no_measures: "No measures.",
    owner: "Owner",
    due: "Due",
    number: "No.",
    title: "Title",
    goals: "Goals",
    plan_goals: "The plan's goals",
    strategy_goals: "The strategy goals the plan serves",
    measured_by: "Measured by",
    latest_check_in: "Latest check-in",
    no_check_in: "no check-in yet",
    confidence: "confidence",
    figures: "The figures",
    as_csv: "The results as CSV",
    as_json: "The results as JSON",
    print_view: "Print view for the annual meeting",
    progress_page: "The progress page",
    other_language: "Norsk (bokmål)",
    report_title: "Annual report",
    budget: "Budget",
    budget_code: "Code",
    no_budget: "The plan has no budget lines.",
    budget_planned: "Budgeted",
    budget_spent: "Spent",
    budget_remaining: "Remaining",
    total: "Total",
    activities_held: "Activities held by kind and month",
    activity_kind: "Kind",
    no_activities: "No activities held in the period.",
    whole_plan: "See the whole plan",
    kpi: "Result target",
    made_with: "Computed by Veikart from recorded data.",
    not_started: "Not started",
    no_data: "No data",
    on_track: "On track",
    at_risk: "At risk",
    off_track: "Off track",
    achieved: "Achieved",
    missed: "Missed",
    measure_planned: "Planned",
    measure_in_progress: "In progress",
    measure_done: "Done",
    measure_cancelled: "Cancelled",
    plan_draft: "Draft",
    plan_adopted: "Adopted",
    plan_archived: "Archived",
    kind_member_meeting: "Member meeting",
    kind_network_meeting: "Network meeting",
    kind_other_arena: "Other arena",
    kind_promotion: "Promotion",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    months_short: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(Lang::Nb.number(32.84), "32,8");
        assert_eq!(Lang::En.number(32.84), "32.8");
        assert_eq!(Lang::Nb.number(18.0), "18");
        assert_eq!(Lang::Nb.number(1234567.0), "1\u{a0}234\u{a0}567");
        assert_eq!(Lang::En.number(1234567.25), "1,234,567.3");
        assert_eq!(Lang::En.number(-0.04), "0");
        assert_eq!(Lang::En.number(-12.5), "-12.5");
        assert_eq!(Lang::Nb.quantity(32.8, Some("%")), "32,8\u{a0}%");
        assert_eq!(Lang::En.percent(0.456), "46\u{a0}%");
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let day = NaiveDate::from_ymd_opt(2022, 6, 30).unwrap_or_default();
        assert_eq!(Lang::Nb.date(day), "30.06.2022");
        assert_eq!(Lang::En.date(day), "30 Jun 2022");
    }
}
