//! Team pages: how each team is doing with its action items, and an overview comparing them.

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::AppState;
use super::admission::Db;
use super::charts::{self, Series, Svg};
use super::error::{AppError, Result};
use super::extract::Path;
use super::kept::{self, Kept};
use super::layout::Viewer;
use crate::db;
use crate::db::team_stats::{Month, TeamStats};
use crate::domain::TeamId;

/// The age buckets of open items, as labelled.
const AGES: [&str; 4] = ["0–7 days", "8–30 days", "31–90 days", "over 90 days"];

/// A duration in days, in words.
fn days(days: f64) -> String {
    if days < 1.0 {
        "under a day".to_owned()
    } else {
        format!("{:.0} day{}", days.round(), if days.round() == 1.0 { "" } else { "s" })
    }
}

/// Time to close as a distribution: the median, the middle half, and how many it is of.
fn time_to_close(quartiles: Option<[f64; 3]>, done: i64) -> (String, String) {
    match quartiles {
        None => ("—".to_owned(), String::new()),
        Some([q1, median, q3]) => {
            let items = if done == 1 { "1 item".to_owned() } else { format!("{done} items") };
            (days(median), format!("middle half {}–{}, of {items}", days_number(q1), days(q3)))
        }
    }
}

/// Whole days as a number ("0" under a day), for the low end of a range.
fn days_number(days: f64) -> String {
    format!("{:.0}", days.round())
}

fn percent(value: Option<i64>) -> String {
    value.map_or_else(|| "—".to_owned(), |p| format!("{p}%"))
}

pub struct TeamRow {
    stats: TeamStats,
    on_time: String,
    /// The median time to close, and its spread and count beside it.
    median: String,
    spread: String,
}

impl From<TeamStats> for TeamRow {
    fn from(stats: TeamStats) -> TeamRow {
        let (median, spread) = time_to_close(stats.days_to_close, stats.done);
        TeamRow { on_time: percent(stats.on_time_percent()), median, spread, stats }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "teams/overview.html")]
pub struct OverviewPage {
    viewer: Viewer,
    rows: Vec<TeamRow>,
    chart: Svg,
}

/// How long an instance keeps team figures while nothing changes: "overdue" moves with the
/// clock, so not for long.
const FIGURES_KEPT_FOR: Duration = Duration::from_secs(60);

/// Team figures sum every action item, so they cost more the more items there are. An
/// instance keeps what it computed for up to [`FIGURES_KEPT_FOR`], and only while no action
/// item or team has changed (see `kept`): a view with nothing changed costs one indexed query.
pub struct FigureCache(Kept<Option<TeamId>, (Vec<TeamStats>, Vec<Month>)>);

impl Default for FigureCache {
    fn default() -> FigureCache {
        FigureCache(Kept::new(FIGURES_KEPT_FOR))
    }
}

impl FigureCache {
    /// Every team's figures (`team` is `None`), or one team's with its last 12 months.
    async fn get(&self, db: &mut PgConnection, team: Option<TeamId>) -> sqlx::Result<(Vec<TeamStats>, Vec<Month>)> {
        let version = kept::version(&mut *db, "action_items").await?;
        if let Some(figures) = self.0.get(&team, version) {
            return Ok(figures);
        }
        let now = OffsetDateTime::now_utc();
        let stats = db::team_stats::teams(&mut *db, now, team).await?;
        let months = match team {
            Some(id) if !stats.is_empty() => db::team_stats::months(&mut *db, id, now).await?,
            _ => Vec::new(),
        };
        self.0.put(team, version, (stats.clone(), months.clone()));
        Ok((stats, months))
    }
}

/// `/teams`: every team side by side.
pub async fn overview(State(state): State<AppState>, mut db: Db, viewer: Viewer) -> Result<OverviewPage> {
    let (stats, _) = state.figures.get(&mut db, None).await?;
    let names: Vec<String> = stats.iter().map(|s| s.team.name.clone()).collect();
    let series = [
        Series { name: "Open", class: "bar-open", values: stats.iter().map(|s| s.open).collect() },
        Series { name: "Overdue", class: "bar-overdue", values: stats.iter().map(|s| s.overdue).collect() },
        Series { name: "Done", class: "bar-done", values: stats.iter().map(|s| s.done).collect() },
    ];
    let chart = charts::grouped_bars(
        "teams-chart",
        "Action items by team",
        "Open, overdue and done action items of each team; the table below has the same numbers.",
        &names,
        &series,
    );
    Ok(OverviewPage { viewer, rows: stats.into_iter().map(TeamRow::from).collect(), chart })
}

pub struct MonthRow {
    label: String,
    month: Month,
}

#[derive(Template, WebTemplate)]
#[template(path = "teams/show.html")]
pub struct TeamPage {
    viewer: Viewer,
    row: TeamRow,
    ages: Vec<(&'static str, i64)>,
    months: Vec<MonthRow>,
    chart: Svg,
}

/// `/teams/{team}`: one team's figures and its last 12 months.
pub async fn show(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<TeamId>,
) -> Result<TeamPage> {
    let (stats, months) = state.figures.get(&mut db, Some(id)).await?;
    let stats = stats.into_iter().next().ok_or(AppError::NotFound)?;
    let months: Vec<MonthRow> = months
        .into_iter()
        .map(|month| MonthRow {
            label: format!("{} {}", &month.start.month().to_string()[..3], month.start.year()),
            month,
        })
        .collect();
    let labels: Vec<String> = months.iter().map(|m| m.label[..3].to_owned()).collect();
    let series = [
        Series { name: "Open at month end", class: "bar-open", values: months.iter().map(|m| m.month.open).collect() },
        Series { name: "Closed in month", class: "bar-done", values: months.iter().map(|m| m.month.closed).collect() },
    ];
    let chart = charts::grouped_bars(
        "months-chart",
        &format!("{}: open and closed action items, last 12 months", stats.team.name),
        "For each of the last 12 months, the action items open at its end and those closed during it; the table beside has the same numbers.",
        &labels,
        &series,
    );
    let ages = AGES.into_iter().zip(stats.aging).collect();
    Ok(TeamPage { viewer, row: TeamRow::from(stats), ages, months, chart })
}
