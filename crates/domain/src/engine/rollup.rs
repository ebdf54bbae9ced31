//! Summing KPI results up for a focus area, a goal or a whole plan.

use serde::Serialize;

use super::{KpiResult, KpiStatus};

/// How many KPIs are in each status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCounts {
    pub not_started: u32,
    pub no_data: u32,
    pub on_track: u32,
    pub at_risk: u32,
    pub off_track: u32,
    pub achieved: u32,
    pub missed: u32,
}

impl StatusCounts {
    fn add(&mut self, status: KpiStatus) {
        let slot = match status {
            KpiStatus::NotStarted => &mut self.not_started,
            KpiStatus::NoData => &mut self.no_data,
            KpiStatus::OnTrack => &mut self.on_track,
            KpiStatus::AtRisk => &mut self.at_risk,
            KpiStatus::OffTrack => &mut self.off_track,
            KpiStatus::Achieved => &mut self.achieved,
            KpiStatus::Missed => &mut self.missed,
        };
        *slot += 1;
    }

    /// The count of one status.
    pub fn get(&self, status: KpiStatus) -> u32 {
        match status {
            KpiStatus::NotStarted => self.not_started,
            KpiStatus::NoData => self.no_data,
            KpiStatus::OnTrack => self.on_track,
            KpiStatus::AtRisk => self.at_risk,
            KpiStatus::OffTrack => self.off_track,
            KpiStatus::Achieved => self.achieved,
            KpiStatus::Missed => self.missed,
        }
    }
}

/// The KPIs of a focus area, a goal or a plan, summed up.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rollup {
    /// How many KPIs.
    pub kpis: u32,
    pub statuses: StatusCounts,
    /// The mean progress of the KPIs that have one, each capped at 1 (so one KPI far
    /// beyond its target does not hide others behind theirs); `null` when none has.
    pub mean_progress: Option<f64>,
}

impl Rollup {
    pub fn of<'a>(results: impl IntoIterator<Item = &'a KpiResult>) -> Rollup {
        let mut rollup = Rollup::default();
        let (mut sum, mut with_progress) = (0.0, 0u32);
        for result in results {
            rollup.kpis += 1;
            rollup.statuses.add(result.status);
            if let Some(progress) = result.progress {
                sum += progress.min(1.0);
                with_progress += 1;
            }
        }
        rollup.mean_progress = (with_progress > 0).then(|| sum / f64::from(with_progress));
        rollup
    }
}
