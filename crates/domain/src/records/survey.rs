//! A customer survey (kundeundersøkelse) among members (`internal`) or others (`external`).

use serde::{Deserialize, Serialize};

use super::{ExternalRef, RecordFields, RecordKind, Title, finite};
use crate::Date;
use crate::kpi::SurveyAudience;
use crate::number::{Count, NetPromoterScore};
use crate::validation::Validator;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = NewSurvey))]
#[serde(deny_unknown_fields)]
pub struct SurveyFields {
    pub audience: SurveyAudience,
    pub title: Title,
    pub conducted_on: Date,
    pub invited: Count,
    /// At most `invited`.
    pub responses: Count,
    /// The lowest answer on the scale; below `scale_max`.
    pub scale_min: f64,
    pub scale_max: f64,
    /// The mean answer, within the scale.
    #[serde(default)]
    pub mean_score: Option<f64>,
    /// Net promoter score, −100 to 100.
    #[serde(default)]
    pub nps: Option<NetPromoterScore>,
    #[serde(default)]
    pub external_ref: Option<ExternalRef>,
}

impl RecordFields for SurveyFields {
    const KIND: RecordKind = RecordKind::Survey;

    fn validate(&self, v: &mut Validator) {
        if self.responses > self.invited {
            v.add("responses", "must not be more than invited");
        }
        finite(v, "scale_min", self.scale_min);
        finite(v, "scale_max", self.scale_max);
        if self.scale_min >= self.scale_max {
            // A mean cannot be judged against a scale that is not one.
            v.add("scale_max", "must be above scale_min");
        } else if self
            .mean_score
            .is_some_and(|mean| !(self.scale_min..=self.scale_max).contains(&mean))
        {
            v.add(
                "mean_score",
                "must be within the scale (scale_min to scale_max)",
            );
        }
    }

    fn external_ref(&self) -> Option<&ExternalRef> {
        self.external_ref.as_ref()
    }
}

/// The filters of the surveys list (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SurveyFilter {
    /// Only surveys dated on or after this day (by `conducted_on`).
    #[serde(default, deserialize_with = "super::present")]
    pub from: Option<Date>,
    /// Only surveys dated on or before this day.
    #[serde(default, deserialize_with = "super::present")]
    pub to: Option<Date>,
    /// The one record with this key.
    #[serde(default, deserialize_with = "super::present")]
    pub external_ref: Option<ExternalRef>,
    #[serde(default, deserialize_with = "super::present")]
    pub audience: Option<SurveyAudience>,
}
