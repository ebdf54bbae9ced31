//! A metric observation: one value of a metric (e.g. `social.followers`) in one
//! dimension (e.g. `linkedin`) on one day; one per (metric_key, dimension, observed_on).

use serde::{Deserialize, Serialize};

use super::{Dimension, ExternalRef, MetricKey, RecordFields, RecordKind, finite};
use crate::Date;
use crate::validation::Validator;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewObservation))]
#[serde(deny_unknown_fields)]
pub struct ObservationFields {
    pub metric_key: MetricKey,
    /// Empty when the metric has no dimensions.
    #[serde(default)]
    pub dimension: Dimension,
    pub observed_on: Date,
    pub value: f64,
    #[serde(default)]
    pub external_ref: Option<ExternalRef>,
}

impl RecordFields for ObservationFields {
    const KIND: RecordKind = RecordKind::Observation;

    fn validate(&self, v: &mut Validator) {
        finite(v, "value", self.value);
    }

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}

/// The filters of the observations list (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ObservationFilter {
    /// Only observations dated on or after this day (by `observed_on`).
    #[serde(default, deserialize_with = "super::present")]
    pub from: Option<Date>,
    /// Only observations dated on or before this day.
    #[serde(default, deserialize_with = "super::present")]
    pub to: Option<Date>,
    /// The one record with this key.
    #[serde(default, deserialize_with = "super::present")]
    pub external_ref: Option<ExternalRef>,
    #[serde(default, deserialize_with = "super::present")]
    pub metric_key: Option<MetricKey>,
    #[serde(default, deserialize_with = "super::present")]
    pub dimension: Option<Dimension>,
}
