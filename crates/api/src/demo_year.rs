//! The demo organisation's year 2022: every record (members, activities, surveys, projects,
//! metric observations, milestones) that Innovasjon Gardermoen's action plan 2022 is measured
//! on, so that `veikart serve --demo` shows a plan whose KPIs compute from real-looking data.
//!
//! The year is generated, not stored: a small hand-written PRNG (splitmix64) with a fixed
//! seed picks names, organisation numbers, dates and counts, so the records are identical on
//! every call, run and platform. No floating-point arithmetic decides anything; the few
//! decimal values (survey scores) are written as tenths.
//!
//! **Organisation numbers are fake on purpose.** Norway's register (Enhetsregisteret) hands
//! out organisation numbers starting with 8 or 9; every number made here starts with 1 and
//! carries a valid MOD11 check digit, so it passes validation but can never be a real
//! company's number. The company names are invented from place names and trades; any
//! likeness to a real company is a coincidence.
//!
//! Municipality numbers are those valid in 2022 (Gjerdrum 3032, Ullensaker 3033, Nes 3034,
//! Eidsvoll 3035, Nannestad 3036, Hurdal 3037); the 2024 county reform renumbered them.
//!
//! The records reference nothing but the demo plan's measures, through the `measure_id`
//! callback; they may be created in any order once the plan exists.
//!
//! Each record is the typed fields of its kind (`MemberFields`, …), every rule-carrying
//! value made through its type, so that a change to a record's fields breaks the demo
//! here, at compile time.

use veikart_domain::kpi::{
    ActivityKind, ActivityStatus, MembershipType, ProjectRole, SurveyAudience,
};
use veikart_domain::number::{Count, Funding, NetPromoterScore};
use veikart_domain::records::{
    ActivityFields, Dimension, Key, MemberFields, MetricKey, MilestoneFields, ObservationFields,
    ProjectFields, ProjectStatus, RecordKind, ShortText, SurveyFields,
};
use veikart_domain::{Date as Day, OrganisationNumber};

/// One record of the demo year: the fields of its kind, as `POST
/// /api/v1/orgs/{org}/<kind>` takes them. Built from the typed fields, so that a field or
/// a rule type that changes breaks the demo where it is written.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoRecord {
    Member(MemberFields),
    Activity(ActivityFields),
    Survey(SurveyFields),
    Project(ProjectFields),
    Observation(ObservationFields),
    Milestone(MilestoneFields),
}

impl DemoRecord {
    pub fn kind(&self) -> RecordKind {
        match self {
            DemoRecord::Member(_) => RecordKind::Member,
            DemoRecord::Activity(_) => RecordKind::Activity,
            DemoRecord::Survey(_) => RecordKind::Survey,
            DemoRecord::Project(_) => RecordKind::Project,
            DemoRecord::Observation(_) => RecordKind::Observation,
            DemoRecord::Milestone(_) => RecordKind::Milestone,
        }
    }

    /// Gives the record its stable `external_ref`: `demo-<kind>-001`, … (`index` from 0).
    fn numbered(mut self, index: usize) -> Result<Self, String> {
        let reference = Some(typed(&format!(
            "demo-{}-{:03}",
            self.kind().as_str(),
            index + 1
        ))?);
        match &mut self {
            DemoRecord::Member(f) => f.external_ref = reference,
            DemoRecord::Activity(f) => f.external_ref = reference,
            DemoRecord::Survey(f) => f.external_ref = reference,
            DemoRecord::Project(f) => f.external_ref = reference,
            DemoRecord::Observation(f) => f.external_ref = reference,
            DemoRecord::Milestone(f) => f.external_ref = reference,
        }
        Ok(self)
    }
}

/// Every record of the demo year, in a fixed order, the same on every call, or the first
/// value that breaks its field's rule. `measure_id(focus_area_number, measure_number)`
/// gives the id of one of the demo plan's measures, if it exists.
///
/// The order is: members (by joining date), activities (by date), surveys, projects,
/// observations, milestones.
pub fn records(measure_id: impl Fn(i32, i32) -> Option<i64>) -> Result<Vec<DemoRecord>, String> {
    let members = members();
    let kinds = [
        numbered(member_fields(&members)?, DemoRecord::Member),
        numbered(activities(&measure_id)?, DemoRecord::Activity),
        numbered(surveys(&members)?, DemoRecord::Survey),
        numbered(projects()?, DemoRecord::Project),
        numbered(observations(&members)?, DemoRecord::Observation),
        numbered(milestones(&measure_id)?, DemoRecord::Milestone),
    ];
    kinds.into_iter().flatten().collect()
}

/// The records of one kind, each with its number within the kind.
fn numbered<F>(fields: Vec<F>, record: fn(F) -> DemoRecord) -> Vec<Result<DemoRecord, String>> {
    let records = fields.into_iter().map(record).enumerate();
    records.map(|(i, r)| r.numbered(i)).collect()
}

/// A value of a type that carries its field's rule (a title, a municipality number, …),
/// or which rule the demo's value breaks.
fn typed<T: TryFrom<String, Error = String>>(value: &str) -> Result<T, String> {
    T::try_from(value.to_owned()).map_err(|e| format!("the demo value {value:?} {e}"))
}

/// An optional value of such a type.
fn typed_opt<T: TryFrom<String, Error = String>>(value: Option<&str>) -> Result<Option<T>, String> {
    value.map(typed).transpose()
}

/// A count as the records store it.
fn count(n: i64) -> Result<Count, String> {
    i32::try_from(n)
        .map_err(|_| format!("the demo count {n} is out of range"))
        .and_then(Count::new)
}

// ---------------------------------------------------------------------------------------
// Determinism: a fixed-seed PRNG and calendar dates without any library.

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    const SEED: u64 = 0x5645_494B_4152_5434; // "VEIKART4"

    fn new() -> Self {
        Self(Self::SEED)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1);
        lo + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index into `weights`, each picked with probability proportional to its weight.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut pick = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                return i;
            }
            pick -= w;
        }
        weights.len().saturating_sub(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = u64::try_from(items.len()).unwrap_or(1);
        let i = usize::try_from(self.below(n)).unwrap_or(0);
        items.get(i).copied().unwrap_or_default()
    }
}

/// A calendar date; the derived order is the calendar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Date {
    y: i32,
    m: u32,
    d: u32,
}

const fn date(y: i32, m: u32, d: u32) -> Date {
    Date { y, m, d }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The `n`th day of year `y` (1-based, clamped to the year).
    fn ordinal(y: i32, n: u32) -> Date {
        let mut left = n.max(1);
        for m in 1..=12 {
            let len = days_in_month(y, m);
            if left <= len {
                return date(y, m, left);
            }
            left -= len;
        }
        date(y, 12, 31)
    }

    fn days_in_year(y: i32) -> u32 {
        if is_leap(y) { 366 } else { 365 }
    }

    /// A uniformly drawn day of year `y`.
    fn random_in(rng: &mut Rng, y: i32) -> Date {
        let n = rng.range(1, i64::from(Self::days_in_year(y)));
        Date::ordinal(y, u32::try_from(n).unwrap_or(1))
    }

    /// The day as the records hold it.
    fn day(self) -> Result<Day, String> {
        chrono::NaiveDate::from_ymd_opt(self.y, self.m, self.d)
            .and_then(Day::new)
            .ok_or_else(|| format!("the demo date {self:?} is not a day the records hold"))
    }

    fn month_end(y: i32, m: u32) -> Date {
        date(y, m, days_in_month(y, m))
    }
}

// ---------------------------------------------------------------------------------------
// Members.

/// The six municipalities (numbers valid 2020–2023), their weight among the member
/// companies (Ullensaker, around the airport, has most) and local place names.
struct Municipality {
    number: &'static str,
    name: &'static str,
    weight: u64,
    places: &'static [&'static str],
    joined: Date,
}

const MUNICIPALITIES: [Municipality; 6] = [
    Municipality {
        number: "3032",
        name: "Gjerdrum",
        weight: 8,
        places: &["Gjerdrum", "Ask", "Heni"],
        joined: date(2009, 1, 1),
    },
    Municipality {
        number: "3033",
        name: "Ullensaker",
        weight: 42,
        places: &[
            "Gardermoen",
            "Jessheim",
            "Kløfta",
            "Algarheim",
            "Mogreina",
            "Nordkisa",
            "Ullensaker",
            "Borgen",
            "Hovin",
        ],
        joined: date(2005, 2, 1),
    },
    Municipality {
        number: "3034",
        name: "Nes",
        weight: 14,
        places: &["Årnes", "Nes", "Vormsund", "Fenstad", "Auli", "Hvam"],
        joined: date(2006, 1, 1),
    },
    Municipality {
        number: "3035",
        name: "Eidsvoll",
        weight: 16,
        places: &[
            "Eidsvoll",
            "Råholt",
            "Eidsvoll Verk",
            "Dal",
            "Feiring",
            "Vilberg",
        ],
        joined: date(2005, 2, 1),
    },
    Municipality {
        number: "3036",
        name: "Nannestad",
        weight: 13,
        places: &["Nannestad", "Maura", "Holter", "Eltonåsen", "Preståsen"],
        joined: date(2005, 2, 1),
    },
    Municipality {
        number: "3037",
        name: "Hurdal",
        weight: 7,
        places: &["Hurdal", "Hurdalssjøen", "Hurdal Verk"],
        joined: date(2012, 1, 1),
    },
];

/// Regional names a company anywhere in the six municipalities may carry.
const REGIONAL: [&str; 3] = ["Romerike", "Øvre Romerike", "Gardermoregionen"];

/// "<place> <trade>", with the largest size class a company of that trade reaches
/// (see [`employees`]).
const TRADES: [(&str, usize); 40] = [
    ("Bygg AS", 4),
    ("Regnskap AS", 2),
    ("Transport AS", 4),
    ("Rørlegger AS", 2),
    ("Eiendom AS", 1),
    ("Logistikk AS", 4),
    ("Elektro AS", 3),
    ("Catering AS", 4),
    ("IT AS", 2),
    ("Maskin AS", 2),
    ("Tak AS", 2),
    ("Maler AS", 1),
    ("Anlegg AS", 3),
    ("Revisjon AS", 2),
    ("Bilverksted AS", 1),
    ("Trafikkskole AS", 1),
    ("Snekkeri AS", 1),
    ("Graving AS", 2),
    ("Ventilasjon AS", 2),
    ("Renhold AS", 4),
    ("Reklame AS", 1),
    ("Kontorservice AS", 1),
    ("Rådgivning AS", 1),
    ("Fysioterapi AS", 1),
    ("Bakeri AS", 1),
    ("Gartneri AS", 1),
    ("Vakt og Sikkerhet AS", 4),
    ("Flyservice AS", 4),
    ("Lager AS", 3),
    ("Kran AS", 2),
    ("Stillas AS", 2),
    ("Energi AS", 2),
    ("Data AS", 2),
    ("Media AS", 1),
    ("Arkitekter AS", 2),
    ("Hotelldrift AS", 3),
    ("Frakt AS", 3),
    ("Byggservice AS", 2),
    ("Kjøleteknikk AS", 2),
    ("Eiendomsmegling AS", 1),
];

/// "<prefix> <place> AS" (small businesses, at most 29 employees).
const PREFIXED: [&str; 6] = [
    "Advokatfirmaet",
    "Tannlegesenteret",
    "Legesenteret",
    "Regnskapskontoret",
    "Kafé",
    "Blomsterhuset",
];

/// Companies that were members before 2022 (the six municipalities come on top).
const COMPANIES_BEFORE_2022: usize = 168;
/// Companies that had left before 2022.
const LEFT_BEFORE_2022: usize = 6;
/// The days on which the twelve new members of 2022 joined.
const JOINED_2022: [Date; 12] = [
    date(2022, 1, 18),
    date(2022, 2, 9),
    date(2022, 3, 15),
    date(2022, 4, 26),
    date(2022, 6, 8),
    date(2022, 8, 23),
    date(2022, 9, 6),
    date(2022, 9, 20),
    date(2022, 10, 11),
    date(2022, 10, 25),
    date(2022, 11, 15),
    date(2022, 12, 6),
];
/// The days on which members left during 2022 (a membership ending on the 31st of
/// December no longer counts on that day).
const LEFT_2022: [Date; 4] = [
    date(2022, 2, 28),
    date(2022, 8, 31),
    date(2022, 10, 31),
    date(2022, 12, 31),
];

#[derive(Debug, Clone)]
struct Member {
    org_number: String,
    name: String,
    municipality: &'static str,
    associated: bool,
    joined_on: Date,
    left_on: Option<Date>,
    employees: Option<i64>,
}

impl Member {
    fn active_on(&self, d: Date) -> bool {
        self.joined_on <= d && self.left_on.is_none_or(|left| left > d)
    }

    fn fields(&self) -> Result<MemberFields, String> {
        Ok(MemberFields {
            org_number: typed::<OrganisationNumber>(&self.org_number)?,
            name: typed(&self.name)?,
            municipality: typed(self.municipality)?,
            membership_type: if self.associated {
                MembershipType::Associated
            } else {
                MembershipType::Ordinary
            },
            joined_on: self.joined_on.day()?,
            left_on: self.left_on.map(Date::day).transpose()?,
            employees: self.employees.map(count).transpose()?,
            external_ref: None,
        })
    }
}

/// The MOD11 check digit of an organisation number's first eight digits (weights
/// 3,2,7,6,5,4,3,2), or `None` when no check digit fits (remainder 1).
fn mod11_check_digit(first8: u32) -> Option<u32> {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let mut rest = first8;
    let mut sum = 0;
    for w in WEIGHTS.iter().rev() {
        sum += (rest % 10) * w;
        rest /= 10;
    }
    match sum % 11 {
        0 => Some(0),
        1 => None,
        r => Some(11 - r),
    }
}

/// A fresh, MOD11-valid organisation number in the fake range 1xxxxxxxx.
fn fake_org_number(rng: &mut Rng, taken: &mut Vec<String>) -> String {
    loop {
        let first8 = 10_000_000 + u32::try_from(rng.below(10_000_000)).unwrap_or(0);
        let Some(check) = mod11_check_digit(first8) else {
            continue;
        };
        let number = format!("{first8}{check}");
        if !taken.contains(&number) {
            taken.push(number.clone());
            return number;
        }
    }
}

/// A company size: most members are small, a few are large; a trade's companies grow no
/// larger than its size class `max_class` (0: 1–9 employees … 4: 250–650).
fn employees(rng: &mut Rng, max_class: usize) -> Option<i64> {
    if rng.chance(9) {
        return None;
    }
    const CLASSES: [(u64, i64, i64); 5] = [
        (38, 1, 9),
        (31, 10, 29),
        (19, 30, 99),
        (9, 100, 249),
        (3, 250, 650),
    ];
    let classes = CLASSES.get(..=max_class).unwrap_or(&CLASSES);
    let weights: Vec<u64> = classes.iter().map(|c| c.0).collect();
    let (_, lo, hi) = classes
        .get(rng.weighted(&weights))
        .copied()
        .unwrap_or(CLASSES[0]);
    Some(rng.range(lo, hi))
}

fn company(
    rng: &mut Rng,
    names: &mut Vec<String>,
    numbers: &mut Vec<String>,
    joined_on: Date,
) -> Member {
    let weights: Vec<u64> = MUNICIPALITIES.iter().map(|m| m.weight).collect();
    let municipality = &MUNICIPALITIES[rng.weighted(&weights).min(MUNICIPALITIES.len() - 1)];
    let mut name = String::new();
    let mut max_class = 0;
    for attempt in 0..200 {
        let place = if rng.chance(12) {
            rng.pick(&REGIONAL)
        } else {
            rng.pick(municipality.places)
        };
        if rng.chance(8) {
            name = format!("{} {place} AS", rng.pick(&PREFIXED));
            max_class = 1;
        } else {
            let i = usize::try_from(rng.below(TRADES.len() as u64)).unwrap_or(0);
            let (trade, class) = TRADES.get(i).copied().unwrap_or(TRADES[0]);
            name = format!("{place} {trade}");
            max_class = class;
        }
        if attempt == 199 {
            name = format!("{name} {}", names.len() + 1);
        }
        if !names.contains(&name) {
            break;
        }
    }
    names.push(name.clone());
    Member {
        org_number: fake_org_number(rng, numbers),
        name,
        municipality: municipality.number,
        associated: false,
        joined_on,
        left_on: None,
        employees: employees(rng, max_class),
    }
}

/// Every member of the demo organisation, ever, ordered by joining date.
fn members() -> Vec<Member> {
    let mut rng = Rng::new();
    let mut names = Vec::new();
    let mut numbers = Vec::new();
    let mut members = municipalities(&mut rng, &mut names, &mut numbers);
    members.extend(companies_before_2022(&mut rng, &mut names, &mut numbers));
    leave_before_2022(&mut rng, &mut members);
    leave_in_2022(&mut rng, &mut members);
    // The twelve new members of 2022.
    for joined in JOINED_2022 {
        members.push(company(&mut rng, &mut names, &mut numbers, joined));
    }
    members.sort_by(|a, b| {
        a.joined_on
            .cmp(&b.joined_on)
            .then_with(|| a.name.cmp(&b.name))
    });
    members
}

/// The municipalities, associated members.
fn municipalities(
    rng: &mut Rng,
    names: &mut Vec<String>,
    numbers: &mut Vec<String>,
) -> Vec<Member> {
    let mut members = Vec::new();
    for m in &MUNICIPALITIES {
        let name = format!("{} kommune", m.name);
        names.push(name.clone());
        members.push(Member {
            org_number: fake_org_number(rng, numbers),
            name,
            municipality: m.number,
            associated: true,
            joined_on: m.joined,
            left_on: None,
            employees: None,
        });
    }
    members
}

/// Companies that joined 2005–2021, more in later years.
fn companies_before_2022(
    rng: &mut Rng,
    names: &mut Vec<String>,
    numbers: &mut Vec<String>,
) -> Vec<Member> {
    let years: Vec<i32> = (2005..=2021).collect();
    let weights: Vec<u64> = (0..years.len() as u64).map(|i| 6 + i / 2).collect();
    let mut members = Vec::new();
    for _ in 0..COMPANIES_BEFORE_2022 {
        let year = years.get(rng.weighted(&weights)).copied().unwrap_or(2021);
        let joined = Date::random_in(rng, year);
        members.push(company(rng, names, numbers, joined));
    }
    members
}

/// Some companies that joined by 2018 left before 2022, at a month end.
fn leave_before_2022(rng: &mut Rng, members: &mut [Member]) {
    let mut leavers = 0;
    while leavers < LEFT_BEFORE_2022 {
        let i = usize::try_from(rng.below(members.len() as u64)).unwrap_or(0);
        let Some(m) = members.get_mut(i) else {
            continue;
        };
        if m.associated || m.left_on.is_some() || m.joined_on.y > 2018 {
            continue;
        }
        let year = i32::try_from(rng.range(i64::from(m.joined_on.y) + 1, 2021)).unwrap_or(2021);
        m.left_on = Some(Date::month_end(
            year,
            u32::try_from(rng.range(1, 12)).unwrap_or(12),
        ));
        leavers += 1;
    }
}

/// Four companies leave during 2022, on the days of `LEFT_2022`.
fn leave_in_2022(rng: &mut Rng, members: &mut [Member]) {
    let mut left_2022 = LEFT_2022.iter();
    let mut next_leave = left_2022.next();
    while let Some(left_on) = next_leave {
        let i = usize::try_from(rng.below(members.len() as u64)).unwrap_or(0);
        let Some(m) = members.get_mut(i) else {
            continue;
        };
        if m.associated || m.left_on.is_some() {
            continue;
        }
        m.left_on = Some(*left_on);
        next_leave = left_2022.next();
    }
}

/// The members' fields, as the records hold them.
fn member_fields(members: &[Member]) -> Result<Vec<MemberFields>, String> {
    members.iter().map(Member::fields).collect()
}

// ---------------------------------------------------------------------------------------
// Activities.

const MEMBER_MEETING: ActivityKind = ActivityKind::MemberMeeting;
const NETWORK_MEETING: ActivityKind = ActivityKind::NetworkMeeting;
const OTHER_ARENA: ActivityKind = ActivityKind::OtherArena;
const PROMOTION: ActivityKind = ActivityKind::Promotion;

const HELD: ActivityStatus = ActivityStatus::Held;
const CANCELLED: ActivityStatus = ActivityStatus::Cancelled;
const PLANNED: ActivityStatus = ActivityStatus::Planned;

/// Which measure an activity serves.
#[derive(Clone, Copy)]
enum Link {
    /// The focus area 1 measure of its kind (member meetings → 1.1, … promotion → 1.4).
    ByKind,
    /// Another measure (focus area, measure number).
    Measure(i32, i32),
    /// None (e.g. the statutory annual meeting).
    Unlinked,
}

/// How many took part in a held activity.
#[derive(Clone, Copy)]
enum Turnout {
    /// Drawn from the usual range for its kind.
    Usual,
    /// A known count.
    Exactly(i64),
    /// Not countable (a campaign in the media).
    Unknown,
}

struct Activity {
    date: Date,
    kind: ActivityKind,
    status: ActivityStatus,
    municipality: Option<&'static str>,
    title: &'static str,
    link: Link,
    turnout: Turnout,
}

const fn act(
    date: Date,
    kind: ActivityKind,
    status: ActivityStatus,
    municipality: Option<&'static str>,
    title: &'static str,
) -> Activity {
    Activity {
        date,
        kind,
        status,
        municipality,
        title,
        link: Link::ByKind,
        turnout: Turnout::Usual,
    }
}

impl Activity {
    const fn link(mut self, link: Link) -> Self {
        self.link = link;
        self
    }

    const fn turnout(mut self, turnout: Turnout) -> Self {
        self.turnout = turnout;
        self
    }

    fn fields(
        &self,
        index: usize,
        measure_id: &impl Fn(i32, i32) -> Option<i64>,
    ) -> Result<ActivityFields, String> {
        Ok(ActivityFields {
            kind: self.kind,
            title: typed(self.title)?,
            date: self.date.day()?,
            status: self.status,
            participants: self.participants(index).map(count).transpose()?,
            municipality: typed_opt(self.municipality)?,
            measure_id: self.measure(measure_id),
            external_ref: None,
        })
    }

    /// The measure the activity carries out.
    fn measure(&self, measure_id: &impl Fn(i32, i32) -> Option<i64>) -> Option<i64> {
        match self.link {
            Link::ByKind => match self.kind {
                ActivityKind::MemberMeeting => measure_id(1, 1),
                ActivityKind::NetworkMeeting => measure_id(1, 2),
                ActivityKind::OtherArena => measure_id(1, 3),
                ActivityKind::Promotion => measure_id(1, 4),
            },
            Link::Measure(area, number) => measure_id(area, number),
            Link::Unlinked => None,
        }
    }

    /// How many took part, for a held activity whose turnout is known. Each activity
    /// draws from its own stream (by position `index`), so changing one row's turnout
    /// leaves every other row's as it was.
    fn participants(&self, index: usize) -> Option<i64> {
        let mut rng = Rng(Rng::SEED ^ (0xAC71_0000 + index as u64));
        match (self.status, self.turnout) {
            (ActivityStatus::Held, Turnout::Exactly(n)) => Some(n),
            (ActivityStatus::Held, Turnout::Usual) => Some(match self.kind {
                ActivityKind::MemberMeeting => rng.range(22, 64),
                ActivityKind::NetworkMeeting => rng.range(8, 24),
                ActivityKind::OtherArena => rng.range(40, 140),
                ActivityKind::Promotion => rng.range(10, 40),
            }),
            _ => None,
        }
    }
}

/// The activities' fields, as the records hold them.
fn activities(
    measure_id: &impl Fn(i32, i32) -> Option<i64>,
) -> Result<Vec<ActivityFields>, String> {
    let activities = ACTIVITIES.iter().enumerate();
    activities.map(|(i, a)| a.fields(i, measure_id)).collect()
}

const GJE: Option<&str> = Some("3032");
const ULL: Option<&str> = Some("3033");
const NES: Option<&str> = Some("3034");
const EID: Option<&str> = Some("3035");
const NAN: Option<&str> = Some("3036");
const HUR: Option<&str> = Some("3037");
const ONLINE: Option<&str> = None;

/// The activity calendar of 2022, as reported on 31 December: 43 held, 4 cancelled and 3
/// still planned (the last days of December, not yet reported).
#[rustfmt::skip]
const ACTIVITIES: [Activity; 50] = [
    act(date(2022, 1, 13), MEMBER_MEETING, CANCELLED, ULL, "Frokostmøte januar: Næringsutsikter 2022"),
    act(date(2022, 1, 20), NETWORK_MEETING, HELD, ONLINE, "HR-nettverket (digitalt): Hjemmekontor og arbeidsmiljø"),
    act(date(2022, 1, 26), PROMOTION, HELD, ONLINE, "Kampanje i sosiale medier: Bli medlem i 2022").turnout(Turnout::Unknown),
    act(date(2022, 2, 9), MEMBER_MEETING, HELD, ULL, "Frokostmøte februar: Gardermoen etter pandemien"),
    act(date(2022, 2, 17), NETWORK_MEETING, HELD, ULL, "Logistikknettverket: Bemanning og kompetanse"),
    act(date(2022, 2, 24), NETWORK_MEETING, CANCELLED, EID, "Byggnettverket: Bærekraftig bygging"),
    act(date(2022, 3, 9), MEMBER_MEETING, HELD, ULL, "Frokostmøte mars: Ny arealplan for næringsområdene i Ullensaker"),
    act(date(2022, 3, 17), NETWORK_MEETING, HELD, NES, "Lederforum Nes"),
    act(date(2022, 3, 24), MEMBER_MEETING, HELD, ULL, "Årsmøte 2022 i Innovasjon Gardermoen").link(Link::Unlinked).turnout(Turnout::Exactly(48)),
    act(date(2022, 3, 31), OTHER_ARENA, HELD, ULL, "Gardermoen næringsforum: Grønn luftfart"),
    act(date(2022, 4, 6), NETWORK_MEETING, HELD, EID, "Byggnettverket: Bærekraftig bygging (ny dato)"),
    act(date(2022, 4, 21), PROMOTION, HELD, NAN, "Presentasjon av Innovasjon Gardermoen for formannskapet i Nannestad").turnout(Turnout::Exactly(11)),
    act(date(2022, 4, 27), MEMBER_MEETING, HELD, ULL, "Frokostmøte april: Handlingsplan 2022 og medlemsfordeler"),
    act(date(2022, 5, 5), NETWORK_MEETING, HELD, ULL, "HR-nettverket: Rekruttering i et stramt arbeidsmarked"),
    act(date(2022, 5, 11), MEMBER_MEETING, HELD, EID, "Frokostmøte mai på Råholt: Lokalmat og reiseliv"),
    act(date(2022, 5, 19), OTHER_ARENA, HELD, ULL, "Næringslivsdagen på Jessheim").turnout(Turnout::Exactly(212)),
    act(date(2022, 5, 31), PROMOTION, HELD, ONLINE, "Artikkelserie i lokalavisen: Medlemsbedrifter forteller").turnout(Turnout::Unknown),
    act(date(2022, 6, 2), NETWORK_MEETING, HELD, ULL, "Logistikknettverket: Oppstartsmøte Fremtidens logistikk"),
    act(date(2022, 6, 9), MEMBER_MEETING, HELD, NES, "Frokostmøte juni på Årnes: Sirkulærøkonomi i praksis"),
    act(date(2022, 6, 15), OTHER_ARENA, HELD, HUR, "Sommerseminar i Hurdal: Innovasjon og grønn omstilling"),
    act(date(2022, 6, 22), NETWORK_MEETING, HELD, GJE, "Nettverksmøte Gjerdrum: Næringsliv og kommune"),
    act(date(2022, 8, 18), MEMBER_MEETING, HELD, ULL, "Frokostmøte august: Arbeidskraft til flyplassen"),
    act(date(2022, 8, 25), NETWORK_MEETING, HELD, ULL, "Reiselivsnettverket: Evaluering av sommersesongen"),
    act(date(2022, 8, 30), PROMOTION, HELD, ONLINE, "Lansering av ny nettside og nyhetsbrev").turnout(Turnout::Unknown),
    act(date(2022, 8, 31), OTHER_ARENA, HELD, NES, "Åpen gård på Årnes: Lokalmat Øvre Romerike").link(Link::Measure(5, 2)),
    act(date(2022, 9, 7), MEMBER_MEETING, HELD, NAN, "Frokostmøte september i Nannestad: Energipriser og strømstøtte"),
    act(date(2022, 9, 14), NETWORK_MEETING, HELD, ULL, "HR-nettverket: Lederutvikling"),
    act(date(2022, 9, 21), OTHER_ARENA, HELD, ULL, "Gardermokonferansen 2022").turnout(Turnout::Exactly(164)),
    act(date(2022, 9, 22), NETWORK_MEETING, HELD, EID, "Byggnettverket: Ombruk av byggematerialer"),
    act(date(2022, 9, 28), MEMBER_MEETING, HELD, ULL, "Medlemsmøte: Slik bruker du fordelsprogrammet på intranettet"),
    act(date(2022, 9, 29), PROMOTION, HELD, EID, "Møte med næringslivet i Eidsvoll om en lokal næringsforening").link(Link::Measure(3, 1)).turnout(Turnout::Exactly(27)),
    act(date(2022, 10, 5), MEMBER_MEETING, HELD, GJE, "Frokostmøte oktober i Gjerdrum: Digital sikkerhet"),
    act(date(2022, 10, 13), NETWORK_MEETING, HELD, ULL, "Logistikknettverket: Elektrifisering av tungtransport"),
    act(date(2022, 10, 19), OTHER_ARENA, HELD, ULL, "Bedriftsbesøk i Gardermoen næringspark"),
    act(date(2022, 10, 20), NETWORK_MEETING, CANCELLED, HUR, "Nettverksmøte Hurdal (avlyst, for få påmeldte)"),
    act(date(2022, 10, 26), MEMBER_MEETING, HELD, EID, "Frokostmøte på Eidsvoll Verk: Kompetanse og fagskole"),
    act(date(2022, 10, 27), NETWORK_MEETING, HELD, ONLINE, "Lederforum (digitalt): Økonomistyring i urolige tider"),
    act(date(2022, 11, 2), OTHER_ARENA, HELD, NES, "Fagdag sirkulærøkonomi på Årnes").link(Link::Measure(5, 1)),
    act(date(2022, 11, 9), MEMBER_MEETING, HELD, ULL, "Frokostmøte november: Statsbudsjettet og næringslivet"),
    act(date(2022, 11, 16), NETWORK_MEETING, HELD, ULL, "HR-nettverket: Inkludering og mangfold"),
    act(date(2022, 11, 17), PROMOTION, HELD, ULL, "Stand på karrieredagen ved Jessheim videregående skole").turnout(Turnout::Exactly(140)),
    act(date(2022, 11, 23), NETWORK_MEETING, HELD, NAN, "Nettverksmøte Nannestad: Næringsareal og vekst"),
    act(date(2022, 11, 24), OTHER_ARENA, CANCELLED, HUR, "Fagdag i Hurdal: Lokal energiproduksjon"),
    act(date(2022, 11, 30), OTHER_ARENA, HELD, ULL, "Innovasjonsverksted: Fremtidens logistikk").link(Link::Measure(5, 3)),
    act(date(2022, 12, 7), MEMBER_MEETING, HELD, ULL, "Frokostmøte desember og julemingling"),
    act(date(2022, 12, 8), NETWORK_MEETING, HELD, ULL, "Logistikknettverket: Oppsummering av 2022"),
    act(date(2022, 12, 14), MEMBER_MEETING, HELD, ULL, "Medlemsmøte: Erfaringer fra 2022 og veien mot 2023"),
    act(date(2022, 12, 19), NETWORK_MEETING, PLANNED, ULL, "Lederforum: Julelunsj"),
    act(date(2022, 12, 20), MEMBER_MEETING, PLANNED, ONLINE, "Medlemsmøte (digitalt): Handlingsplan 2023 på høring"),
    act(date(2022, 12, 21), PROMOTION, PLANNED, ONLINE, "Årsoppsummering og julehilsen til medlemmene"),
];

// ---------------------------------------------------------------------------------------
// Surveys, projects, observations, milestones.

/// `n` tenths: the double nearest to the decimal (3.8 for 38).
fn tenths(n: i64) -> f64 {
    n as f64 / 10.0
}

/// The internal survey (members, in May) and the external one (the region's businesses,
/// in October).
fn surveys(members: &[Member]) -> Result<Vec<SurveyFields>, String> {
    let conducted = date(2022, 5, 12);
    let invited = members.iter().filter(|m| m.active_on(conducted)).count() as i64;
    let responses = (invited * 38 + 50) / 100;
    Ok(vec![
        SurveyFields {
            audience: SurveyAudience::Internal,
            title: typed("Medlemsundersøkelsen 2022")?,
            conducted_on: conducted.day()?,
            invited: count(invited)?,
            responses: count(responses)?,
            scale_min: 1.0,
            scale_max: 5.0,
            mean_score: Some(tenths(38)),
            nps: Some(NetPromoterScore::new(22)?),
            external_ref: None,
        },
        SurveyFields {
            audience: SurveyAudience::External,
            title: typed(
                "Omdømmeundersøkelse 2022: Innovasjon Gardermoen sett fra næringslivet i regionen",
            )?,
            conducted_on: date(2022, 10, 18).day()?,
            invited: count(640)?,
            responses: count(151)?,
            scale_min: 1.0,
            scale_max: 5.0,
            mean_score: Some(tenths(35)),
            nps: Some(NetPromoterScore::new(6)?),
            external_ref: None,
        },
    ])
}

/// A project as the demo writes it: the fields that differ from one project to the next.
struct Project {
    title: &'static str,
    role: ProjectRole,
    start_on: Date,
    end_on: Date,
    funder: &'static str,
    funding_scheme: &'static str,
    case_number: Option<&'static str>,
    external_funding: f64,
    status: ProjectStatus,
}

/// The innovation projects: three the organisation owns or leads with external funding,
/// and one partner application not yet decided.
const PROJECTS: [Project; 4] = [
    Project {
        title: "Sirkulærøkonomi i Gardermoregionen",
        role: ProjectRole::Leader,
        start_on: date(2021, 3, 1),
        end_on: date(2022, 11, 30),
        funder: "Viken fylkeskommune",
        funding_scheme: "Regionalt forskningsfond Viken",
        case_number: Some("2021/0417"),
        external_funding: 1_200_000.0,
        status: ProjectStatus::Completed,
    },
    Project {
        title: "Lokalmat Øvre Romerike",
        role: ProjectRole::Owner,
        start_on: date(2022, 5, 2),
        end_on: date(2023, 12, 31),
        funder: "Innovasjon Norge",
        funding_scheme: "Bedriftsnettverk",
        case_number: Some("2022/1234"),
        external_funding: 450_000.0,
        status: ProjectStatus::Running,
    },
    Project {
        title: "Fremtidens logistikk",
        role: ProjectRole::Owner,
        start_on: date(2022, 11, 1),
        end_on: date(2024, 10, 31),
        funder: "Viken fylkeskommune",
        funding_scheme: "Regionale utviklingsmidler",
        case_number: Some("2022/3391"),
        external_funding: 850_000.0,
        status: ProjectStatus::Granted,
    },
    Project {
        title: "Grønn flyplassregion: hydrogen til tungtransport",
        role: ProjectRole::Partner,
        start_on: date(2023, 3, 1),
        end_on: date(2025, 2, 28),
        funder: "Forskningsrådet",
        funding_scheme: "Innovasjonsprosjekt i næringslivet",
        case_number: None,
        external_funding: 0.0,
        status: ProjectStatus::Applied,
    },
];

impl Project {
    fn fields(&self) -> Result<ProjectFields, String> {
        Ok(ProjectFields {
            title: typed(self.title)?,
            role: self.role,
            start_on: self.start_on.day()?,
            end_on: Some(self.end_on.day()?),
            funder: Some(typed::<ShortText>(self.funder)?),
            funding_scheme: Some(typed::<ShortText>(self.funding_scheme)?),
            case_number: typed_opt::<ShortText>(self.case_number)?,
            external_funding: Funding::new(self.external_funding)?,
            status: self.status,
            external_ref: None,
        })
    }
}

/// The projects' fields, as the records hold them.
fn projects() -> Result<Vec<ProjectFields>, String> {
    PROJECTS.iter().map(Project::fields).collect()
}

/// Followers per social-media channel: the count on 2021-12-31 and the share (percent) of
/// each month's total gain.
const CHANNELS: [(&str, i64, i64); 3] = [
    ("linkedin", 1840, 46),
    ("facebook", 2310, 22),
    ("instagram", 655, 32),
];

/// Total new followers per month of 2022: slow before the plan starts in April, faster once
/// the information strategy is in place.
const MONTHLY_GAIN: [i64; 12] = [62, 58, 76, 128, 142, 154, 104, 148, 176, 186, 178, 168];

/// Monthly `social.followers` per channel (2021-12-31 and the last day of every month of
/// 2022), and the yearly `members.employees` (employees in the member companies).
fn observations(members: &[Member]) -> Result<Vec<ObservationFields>, String> {
    let mut out = followers()?;
    let year_end = date(2022, 12, 31);
    let employees_2022: i64 = members
        .iter()
        .filter(|m| m.active_on(year_end))
        .filter_map(|m| m.employees)
        .sum();
    // The year-end figure is the total over the members active on 2022-12-31; the year
    // before is 6.2 % lower.
    let employees_2021 = (employees_2022 * 1000 + 531) / 1062;
    out.push(observation(
        "members.employees",
        "",
        date(2021, 12, 31),
        employees_2021,
    )?);
    out.push(observation(
        "members.employees",
        "",
        year_end,
        employees_2022,
    )?);
    Ok(out)
}

/// The followers of each channel at the end of 2021 and at every month end of 2022.
fn followers() -> Result<Vec<ObservationFields>, String> {
    let mut rng = Rng(Rng::SEED ^ 0x50C1_A100);
    let mut out = Vec::new();
    for (channel, base, share) in CHANNELS {
        let mut followers = base;
        out.push(observation(
            "social.followers",
            channel,
            date(2021, 12, 31),
            followers,
        )?);
        for (month, gain) in (1..=12).zip(MONTHLY_GAIN) {
            followers += (gain * share + 50) / 100 + rng.range(-4, 4);
            let month_end = Date::month_end(2022, month);
            out.push(observation(
                "social.followers",
                channel,
                month_end,
                followers,
            )?);
        }
    }
    Ok(out)
}

fn observation(
    key: &str,
    dimension: &str,
    on: Date,
    value: i64,
) -> Result<ObservationFields, String> {
    Ok(ObservationFields {
        metric_key: typed::<MetricKey>(key)?,
        dimension: typed::<Dimension>(dimension)?,
        observed_on: on.day()?,
        value: value as f64,
        external_ref: None,
    })
}

fn milestones(
    measure_id: &impl Fn(i32, i32) -> Option<i64>,
) -> Result<Vec<MilestoneFields>, String> {
    Ok(vec![
        MilestoneFields {
            kind: typed::<Key>("information_strategy_adopted")?,
            title: typed("Informasjonsstrategi vedtatt av styret")?,
            due_on: Some(date(2022, 5, 31).day()?),
            achieved_on: Some(date(2022, 4, 28).day()?),
            municipality: None,
            measure_id: measure_id(4, 1),
            external_ref: None,
        },
        MilestoneFields {
            kind: typed::<Key>("benefit_programme_launched")?,
            title: typed("Fordelsprogram for medlemmer lansert på intranettet")?,
            due_on: Some(date(2022, 6, 30).day()?),
            achieved_on: Some(date(2022, 6, 15).day()?),
            municipality: None,
            measure_id: measure_id(2, 2),
            external_ref: None,
        },
        MilestoneFields {
            kind: typed::<Key>("business_association_started")?,
            title: typed("Oppstart av Eidsvoll næringsforening")?,
            due_on: Some(date(2022, 11, 30).day()?),
            achieved_on: None,
            municipality: Some(typed("3035")?),
            measure_id: measure_id(3, 1),
            external_ref: None,
        },
    ])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::HashSet;

    fn all() -> Vec<DemoRecord> {
        records(|area, number| Some(i64::from(area * 10 + number))).unwrap()
    }

    /// A record as a client sends it.
    fn body(record: &DemoRecord) -> Value {
        match record {
            DemoRecord::Member(f) => serde_json::to_value(f),
            DemoRecord::Activity(f) => serde_json::to_value(f),
            DemoRecord::Survey(f) => serde_json::to_value(f),
            DemoRecord::Project(f) => serde_json::to_value(f),
            DemoRecord::Observation(f) => serde_json::to_value(f),
            DemoRecord::Milestone(f) => serde_json::to_value(f),
        }
        .unwrap()
    }

    /// The records of a kind, by its collection's name, as clients send them.
    fn of_kind(records: &[DemoRecord], kind: &str) -> Vec<Value> {
        records
            .iter()
            .filter(|r| r.kind().segment() == kind)
            .map(body)
            .collect()
    }

    fn text<'a>(body: &'a Value, field: &str) -> &'a str {
        body[field].as_str().unwrap()
    }

    fn passes_mod11(number: &str) -> bool {
        let digits: Vec<u32> = number.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let weights = [3, 2, 7, 6, 5, 4, 3, 2];
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        let check = match sum % 11 {
            0 => 0,
            1 => return false,
            r => 11 - r,
        };
        digits.len() == 9 && digits[8] == check
    }

    #[test]
    fn the_output_is_the_same_on_every_call() {
        assert_eq!(all(), all());
        let without_plan = records(|_, _| None).unwrap();
        assert_eq!(without_plan.len(), all().len());
    }

    #[test]
    fn every_org_number_passes_mod11_and_is_in_the_fake_range() {
        let records = all();
        for m in &of_kind(&records, "members") {
            let number = text(m, "org_number");
            assert!(passes_mod11(number), "{number}");
            assert!(number.starts_with('1'), "{number}");
        }
    }

    #[test]
    fn org_numbers_names_and_external_refs_are_unique() {
        let records = all();
        let members = of_kind(&records, "members");
        let numbers: HashSet<&str> = members.iter().map(|m| text(m, "org_number")).collect();
        let names: HashSet<&str> = members.iter().map(|m| text(m, "name")).collect();
        assert_eq!(numbers.len(), members.len());
        assert_eq!(names.len(), members.len());
        let bodies: Vec<(RecordKind, Value)> =
            records.iter().map(|r| (r.kind(), body(r))).collect();
        let refs: HashSet<(RecordKind, &str)> = bodies
            .iter()
            .map(|(kind, body)| (*kind, text(body, "external_ref")))
            .collect();
        assert_eq!(refs.len(), records.len());
        for (_, r) in refs {
            assert!(r.starts_with("demo-") && r.len() <= 100, "{r}");
        }
    }

    #[test]
    fn twelve_members_joined_and_four_left_in_2022() {
        let records = all();
        let members = of_kind(&records, "members");
        let joined = members
            .iter()
            .filter(|m| text(m, "joined_on").starts_with("2022"))
            .count();
        let left = members
            .iter()
            .filter(|m| m["left_on"].as_str().is_some_and(|d| d.starts_with("2022")))
            .count();
        assert_eq!(joined, 12);
        assert_eq!(left, 4);
        for m in &members {
            if let Some(left_on) = m["left_on"].as_str() {
                assert!(left_on >= text(m, "joined_on"));
            }
        }
    }

    #[test]
    fn observation_keys_are_unique() {
        let records = all();
        let observations = of_kind(&records, "observations");
        let keys: HashSet<(&str, &str, &str)> = observations
            .iter()
            .map(|o| {
                (
                    text(o, "metric_key"),
                    text(o, "dimension"),
                    text(o, "observed_on"),
                )
            })
            .collect();
        assert_eq!(keys.len(), observations.len());
    }

    #[test]
    fn every_survey_is_consistent() {
        let records = all();
        for s in &of_kind(&records, "surveys") {
            let invited = s["invited"].as_i64().unwrap();
            let responses = s["responses"].as_i64().unwrap();
            assert!((0..=invited).contains(&responses));
            let (min, max) = (
                s["scale_min"].as_f64().unwrap(),
                s["scale_max"].as_f64().unwrap(),
            );
            assert!(min < max);
            if let Some(mean) = s["mean_score"].as_f64() {
                assert!((min..=max).contains(&mean));
            }
            if let Some(nps) = s["nps"].as_i64() {
                assert!((-100..=100).contains(&nps));
            }
        }
    }

    #[test]
    fn activities_are_in_2022_and_only_late_december_is_unreported() {
        let records = all();
        for a in &of_kind(&records, "activities") {
            let date = text(a, "date");
            assert!(date.starts_with("2022-"));
            if text(a, "status") == "planned" {
                assert!(date > "2022-12-15", "{date}");
            }
            assert!(a["measure_id"].is_null() || a["measure_id"].is_i64());
        }
    }

    /// The counts that `docs/demo.md` promises; change the document with the data.
    #[test]
    fn the_documented_counts_hold() {
        let records = all();
        let count = |kind: &str| {
            records
                .iter()
                .filter(|r| r.kind().segment() == kind)
                .count()
        };
        assert_eq!(
            [
                count("members"),
                count("activities"),
                count("surveys"),
                count("projects"),
                count("observations"),
                count("milestones")
            ],
            [186, 50, 2, 4, 41, 3]
        );
        let members = of_kind(&records, "members");
        let active_on = |d: &str| {
            members
                .iter()
                .filter(|m| text(m, "joined_on") <= d)
                .filter(|m| m["left_on"].as_str().is_none_or(|left| left > d))
                .count()
        };
        assert_eq!(
            [
                active_on("2022-01-01"),
                active_on("2022-06-30"),
                active_on("2022-12-31")
            ],
            [168, 172, 176]
        );
        let activities = of_kind(&records, "activities");
        let held = |kind: &str| {
            activities
                .iter()
                .filter(|a| text(a, "status") == "held" && text(a, "kind") == kind)
                .count()
        };
        assert_eq!(
            [
                held("member_meeting"),
                held("network_meeting"),
                held("other_arena"),
                held("promotion")
            ],
            [14, 15, 8, 6]
        );
        let held_by_midyear = activities
            .iter()
            .filter(|a| text(a, "status") == "held" && text(a, "date") <= "2022-06-30")
            .count();
        assert_eq!(held_by_midyear, 19);
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert_eq!(Date::ordinal(2020, 60), date(2020, 2, 29));
        assert_eq!(Date::ordinal(2022, 365), date(2022, 12, 31));
        assert_eq!(Date::month_end(2022, 2), date(2022, 2, 28));
    }

    #[test]
    fn the_check_digit_follows_mod11() {
        // 999999999 is the demo organisation's own (valid) number.
        assert_eq!(mod11_check_digit(99_999_999), Some(9));
    }
}
