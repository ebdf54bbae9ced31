//! The demo organisation: Innovasjon Gardermoen with its strategy 2020–2023 and action plan
//! 2022 (`seed/innovasjon-gardermoen-2022.json`, a plan document) and the records of its
//! year 2022 (`demo_year`), loaded by `veikart serve --demo` into an empty database.

use veikart_domain::Validator;
use veikart_domain::document::PlanDocument;
use veikart_store::documents::{self, StrategyLink};
use veikart_store::organisations::{self, NewOrganisation};
use veikart_store::plans::{self, PlanValues};
use veikart_store::{DatabaseUrl, PageRequest, StoreError, Tx, db, focus_areas, measures};

use crate::demo_year::{self, DemoRecord};
use crate::routes::records::{self, Fields, RecordKind, kinds};

/// The demo organisation's slug.
pub const DEMO_ORG: &str = "innovasjon-gardermoen";
/// A MOD11-valid organisation number reserved for the demo (not a registered one).
pub const DEMO_ORG_NUMBER: &str = "999999999";
/// Innovasjon Gardermoen's strategy 2020–2023 and action plan 2022 as a plan document.
pub const SEED_DOCUMENT: &str = include_str!("../seed/innovasjon-gardermoen-2022.json");
const ACTOR: &str = "veikart-demo";

/// The seed as a validated plan document.
pub fn seed_document() -> Result<PlanDocument, String> {
    let document: PlanDocument =
        serde_json::from_str(SEED_DOCUMENT).map_err(|e| format!("the seed document: {e}"))?;
    let mut v = Validator::new();
    document.validate(&mut v);
    v.finish().map_err(|errors| {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        format!("the seed document is invalid: {}", list.join("; "))
    })?;
    Ok(document)
}

/// Loads the demo organisation and its published plan when the database holds no
/// organisation yet; returns the plan's id, or `None` when there was data already.
pub fn load_if_empty(url: &DatabaseUrl) -> Result<Option<i64>, String> {
    let document = seed_document()?;
    let mut conn = db::connect(url).map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    let existing = organisations::list(
        &mut conn,
        PageRequest {
            after: None,
            limit: 1,
        },
    )
    .map_err(|e| e.to_string())?;
    if !existing.items.is_empty() {
        return Ok(None);
    }
    let plan_id = db::write_transaction(&mut conn, |tx| {
        let org = organisations::create(
            tx,
            ACTOR,
            NewOrganisation {
                website: Some("https://www.innovasjongardermoen.no".into()),
                ..NewOrganisation::new(
                    DEMO_ORG.into(),
                    "Innovasjon Gardermoen".into(),
                    DEMO_ORG_NUMBER.into(),
                )
            },
        )?;
        let plan = documents::import(tx, org.id, ACTOR, &document, StrategyLink::FromDocument)?;
        load_year(tx, org.id, plan.id)?;
        // The plan is published on the organisation's web site.
        let published = plans::update(tx, org.id, plan.id, ACTOR, None, |_, p| {
            Ok::<_, StoreError>(PlanValues {
                published: true,
                ..PlanValues::from(p)
            })
        })?;
        Ok::<_, StoreError>(published.id)
    })
    .map_err(|e| e.to_string())?;
    Ok(Some(plan_id))
}

/// The records of the demo year, written through the same checks as the API's create.
fn load_year(tx: &mut Tx<'_>, org_id: i64, plan_id: i64) -> Result<(), StoreError> {
    let areas = focus_areas::all_for(tx, org_id, plan_id)?;
    let measures = measures::all_for(tx, org_id, plan_id)?;
    let measure_id = |area_number: i32, measure_number: i32| {
        let area = areas.iter().find(|a| a.number == area_number)?;
        measures
            .iter()
            .find(|m| m.focus_area_id == area.id && m.number == measure_number)
            .map(|m| m.id)
    };
    for record in demo_year::records(measure_id).map_err(StoreError::Corrupt)? {
        match record {
            DemoRecord::Member(fields) => insert::<kinds::MemberKind>(tx, org_id, fields),
            DemoRecord::Activity(fields) => insert::<kinds::ActivityKind>(tx, org_id, fields),
            DemoRecord::Survey(fields) => insert::<kinds::SurveyKind>(tx, org_id, fields),
            DemoRecord::Project(fields) => insert::<kinds::ProjectKind>(tx, org_id, fields),
            DemoRecord::Observation(fields) => insert::<kinds::ObservationKind>(tx, org_id, fields),
            DemoRecord::Milestone(fields) => insert::<kinds::MilestoneKind>(tx, org_id, fields),
        }?;
    }
    Ok(())
}

/// Writes one demo record as the API's create would.
fn insert<K: RecordKind>(
    tx: &mut Tx<'_>,
    org_id: i64,
    fields: Fields<K>,
) -> Result<(), StoreError> {
    records::insert::<K>(tx, org_id, ACTOR, fields).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_is_a_valid_plan_document() {
        let document = seed_document().unwrap();
        assert_eq!(document.focus_areas.len(), 5);
    }

    #[test]
    fn the_demo_organisation_number_passes_mod11() {
        assert!(veikart_domain::OrganisationNumber::parse(DEMO_ORG_NUMBER).is_ok());
    }
}
