//! The demo organisation: Innovasjon Gardermoen with its strategy 2020–2023 and action plan
//! 2022 (`seed/innovasjon-gardermoen-2022.json`, a plan document), loaded by
//! `veikart serve --demo` into an empty database.

use veikart_domain::Validator;
use veikart_domain::document::PlanDocument;
use veikart_store::documents::{self, StrategyLink};
use veikart_store::organisations::{self, NewOrganisation};
use veikart_store::plans::{self, PlanValues};
use veikart_store::{DatabaseUrl, PageRequest, StoreError, db};

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
            NewOrganisation::new(
                DEMO_ORG.into(),
                "Innovasjon Gardermoen".into(),
                DEMO_ORG_NUMBER.into(),
            ),
        )?;
        let plan = documents::import(tx, org.id, ACTOR, &document, StrategyLink::FromDocument)?;
        // The plan is published on the organisation's web site.
        let published = plans::update(tx, org.id, plan.id, ACTOR, None, |_, p| {
            Ok::<_, StoreError>(PlanValues {
                published: true,
                ..PlanValues::from(p)
            })
        })?;
        Ok(published.id)
    })
    .map_err(|e| e.to_string())?;
    Ok(Some(plan_id))
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
