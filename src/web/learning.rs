//! The pages that learn across postmortems: every service in use, one service's history (its
//! postmortems by month, their durations, the open action items against it, its postmortems a
//! page at a time), and the themes of a period (factors and services, counted).

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::admission::Db;
use super::charts::{self, Bar, Series, Svg};
use super::error::{AppError, Result};
use super::extract::{Path, Query};
use super::layout::Viewer;
use super::paths;
use super::postmortem::TimeView;
use crate::db;
use crate::db::learning::{Counted, Listed, OpenItem, ServiceFigures};
use crate::domain::time::{self as t, Offset};
use crate::domain::{FactorKindId, IncidentId, ServiceId, Severity, Status};

/// Postmortems a page of a service's list.
const PAGE_SIZE: i64 = 20;
/// Open action items shown on a service's page (the count says how many more).
const OPEN_ITEMS_SHOWN: i64 = 25;

#[derive(Template, WebTemplate)]
#[template(path = "services/index.html")]
pub struct ServicesPage {
    viewer: Viewer,
    services: Vec<Counted<ServiceId>>,
}

/// `/services`: every service in use, most named first.
pub async fn index(mut db: Db, viewer: Viewer) -> Result<ServicesPage> {
    Ok(ServicesPage { viewer, services: db::learning::services(&mut *db).await? })
}

/// A postmortem as one line of a list.
pub struct ListedRow {
    id: IncidentId,
    title: String,
    severity: Severity,
    status: Status,
    started: TimeView,
    duration: String,
}

impl From<&Listed> for ListedRow {
    fn from(listed: &Listed) -> ListedRow {
        let offset = Offset::from_minutes(listed.utc_offset_minutes);
        ListedRow {
            id: listed.id,
            title: listed.title.clone(),
            severity: listed.severity,
            status: listed.status,
            started: TimeView::start(listed.start(), offset),
            duration: super::postmortem::duration_text(listed.start(), listed.ended_at),
        }
    }
}

pub struct OpenItemRow {
    item: OpenItem,
    due: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services/show.html")]
pub struct ServicePage {
    viewer: Viewer,
    id: ServiceId,
    name: String,
    figures: ServiceFigures,
    /// The median duration, and its middle half and count beside it.
    median: String,
    spread: String,
    months: Vec<(String, i64)>,
    chart: Svg,
    open_items: Vec<OpenItemRow>,
    postmortems: Vec<ListedRow>,
    next: Option<String>,
    further: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    after: String,
}

/// A page's cursor: the last row's start in microseconds and its id.
fn decode_after(text: &str) -> Result<Option<(OffsetDateTime, IncidentId)>> {
    if text.is_empty() {
        return Ok(None);
    }
    let damaged =
        || AppError::BadRequest("This link to a further page is damaged; start again from the first page.".into());
    let (micros, id) = text.split_once('~').ok_or_else(damaged)?;
    let micros: i128 = micros.parse().map_err(|_| damaged())?;
    let id: i64 = id.parse().map_err(|_| damaged())?;
    let at =
        micros.checked_mul(1000).and_then(|n| OffsetDateTime::from_unix_timestamp_nanos(n).ok()).ok_or_else(damaged)?;
    Ok(Some((at, IncidentId(id))))
}

fn encode_after(listed: &Listed) -> String {
    format!("{}~{}", listed.started_at.unix_timestamp_nanos() / 1000, listed.id)
}

/// Durations as a distribution: the median, and the middle half and how many beside it
/// (saying when they are the newest that ended rather than all).
fn durations(quartiles: Option<[f64; 3]>, count: i64, sampled: bool) -> (String, String) {
    let of = |seconds: f64| t::format_duration(time::Duration::seconds_f64(seconds));
    match quartiles {
        None => ("—".to_owned(), String::new()),
        Some([q1, median, q3]) => {
            let postmortems = match (count, sampled) {
                (_, true) => format!("of the newest {count} postmortems that ended"),
                (1, false) => "of 1 postmortem".to_owned(),
                (_, false) => format!("of {count} postmortems"),
            };
            (of(median), format!("middle half {}–{}, {postmortems}", of(q1), of(q3)))
        }
    }
}

/// `/services/{id}`: a service's history. A service merged into another leads to it.
pub async fn show(
    mut db: Db,
    viewer: Viewer,
    Path(id): Path<ServiceId>,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    let service = db::learning::current_service(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    if service.id != id {
        return Ok(Redirect::permanent(&paths::service(service.id)).into_response());
    }
    let after = decode_after(&query.after)?;
    let figures = db::learning::service_figures(&mut db, id, OffsetDateTime::now_utc()).await?;
    let items = db::learning::service_open_items(&mut *db, id, OPEN_ITEMS_SHOWN).await?;
    let mut listed = db::learning::service_postmortems(&mut *db, id, after, PAGE_SIZE + 1).await?;
    let next = if listed.len() as i64 > PAGE_SIZE {
        listed.truncate(PAGE_SIZE as usize);
        listed.last().map(|last| paths::service_after(id, &encode_after(last)))
    } else {
        None
    };
    let months: Vec<(String, i64)> = figures
        .months
        .iter()
        .map(|(start, n)| (format!("{} {}", &start.month().to_string()[..3], start.year()), *n))
        .collect();
    let labels: Vec<String> = months.iter().map(|(label, _)| label[..3].to_owned()).collect();
    let chart = charts::grouped_bars(
        "service-months",
        &format!("{}: postmortems by month, last 12 months", service.name),
        "How many postmortems that name this service started in each of the last 12 months; the table beside has the same numbers.",
        &labels,
        &[Series { name: "Postmortems", class: "bar-open", values: months.iter().map(|(_, n)| *n).collect() }],
    );
    let (median, spread) = durations(figures.duration_quartiles, figures.ended, figures.durations_sampled());
    Ok(ServicePage {
        viewer,
        id,
        name: service.name,
        median,
        spread,
        months,
        chart,
        figures,
        open_items: items
            .into_iter()
            .map(|item| OpenItemRow { due: item.due_on.map(t::format_date).unwrap_or_default(), item })
            .collect(),
        postmortems: listed.iter().map(ListedRow::from).collect(),
        next,
        further: after.is_some(),
    }
    .into_response())
}

/// A period of days, both ends included (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: Date,
    to: Date,
}

impl Period {
    /// The last `days` days up to `today`.
    fn last(days: i64, today: Date) -> Period {
        Period { from: today - time::Duration::days(days - 1), to: today }
    }

    fn query(self) -> String {
        serde_urlencoded::to_string([("from", t::format_date(self.from)), ("to", t::format_date(self.to))])
            .unwrap_or_default()
    }

    /// The search for postmortems of this period with one more filter.
    fn search(self, filter: (&str, String)) -> String {
        let pairs = [filter, ("from", t::format_date(self.from)), ("to", t::format_date(self.to))];
        paths::search(&serde_urlencoded::to_string(pairs).unwrap_or_default())
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

/// A preset period, as a link.
pub struct Preset {
    label: &'static str,
    href: String,
    chosen: bool,
}

pub struct ThemeRow {
    name: String,
    count: i64,
    href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "themes/index.html")]
pub struct ThemesPage {
    viewer: Viewer,
    query: PeriodQuery,
    period_text: String,
    presets: Vec<Preset>,
    problem: Option<String>,
    postmortems: i64,
    factors: Vec<ThemeRow>,
    services: Vec<ThemeRow>,
    factor_chart: Svg,
    service_chart: Svg,
}

/// The most services the themes page draws (the table lists them all).
const SERVICES_DRAWN: usize = 20;

/// `/themes`: contributing factors and services counted over a period (the last 90 days
/// unless chosen), each leading to the postmortems it counts.
pub async fn themes(mut db: Db, viewer: Viewer, Query(query): Query<PeriodQuery>) -> Result<ThemesPage> {
    let today = OffsetDateTime::now_utc().date();
    let mut problem = None;
    let mut date = |value: &str, what: &str| match value.trim() {
        "" => None,
        text => t::parse_date(text).or_else(|| {
            problem = Some(format!("“{text}” is not a date; use YYYY-MM-DD for the {what} of the period."));
            None
        }),
    };
    let (from, to) = (date(&query.from, "start"), date(&query.to, "end"));
    let mut period = match (from, to) {
        (Some(from), Some(to)) => Period { from, to },
        (Some(from), None) => Period { from, to: today.max(from) },
        (None, Some(to)) => Period { from: to - time::Duration::days(89), to },
        (None, None) => Period::last(90, today),
    };
    if period.from > period.to {
        problem = Some("The period ends before it starts: the two dates were swapped.".to_owned());
        period = Period { from: period.to, to: period.from };
    }
    let presets = [("Last 30 days", 30), ("Last 90 days", 90), ("Last year", 365)]
        .into_iter()
        .map(|(label, days)| {
            let preset = Period::last(days, today);
            Preset { label, href: paths::themes(&preset.query()), chosen: preset == period }
        })
        .collect();
    let themes = db::learning::themes(&mut *db, period.from, period.to).await?;
    let factors: Vec<ThemeRow> = themes
        .factors
        .iter()
        .map(|f| ThemeRow {
            name: f.name.clone(),
            count: f.postmortems,
            href: period.search(("factor", f.id.to_string())),
        })
        .collect();
    let services: Vec<ThemeRow> = themes
        .services
        .iter()
        .map(|s| ThemeRow {
            name: s.name.clone(),
            count: s.postmortems,
            href: period.search(("service", s.id.to_string())),
        })
        .collect();
    let bars = |rows: &[ThemeRow], most: usize| -> Vec<(String, i64, String)> {
        rows.iter().take(most).map(|row| (row.name.clone(), row.count, row.href.clone())).collect()
    };
    let draw = |id: &str, title: &str, description: &str, rows: Vec<(String, i64, String)>| {
        let bars: Vec<Bar<'_>> =
            rows.iter().map(|(label, value, href)| Bar { label, value: *value, href: href.clone() }).collect();
        charts::ranked_bars(id, title, description, &bars)
    };
    let period_text = format!("{} to {}", t::format_date(period.from), t::format_date(period.to));
    let factor_chart = draw(
        "factor-chart",
        &format!("Contributing factors, {period_text}"),
        "How many postmortems of the period name each kind of contributing factor; the table below has the same numbers.",
        bars(&factors, usize::MAX),
    );
    let service_chart = draw(
        "service-chart",
        &format!("Services, {period_text}"),
        "How many postmortems of the period name each service, the 20 most named; the table below lists them all.",
        bars(&services, SERVICES_DRAWN),
    );
    Ok(ThemesPage {
        viewer,
        query: PeriodQuery { from: t::format_date(period.from), to: t::format_date(period.to) },
        period_text,
        presets,
        problem,
        postmortems: themes.postmortems,
        factors,
        services,
        factor_chart,
        service_chart,
    })
}

/// The kinds of factor a search can filter by (the search form's select).
pub async fn factor_choices(db: &mut PgConnection) -> sqlx::Result<Vec<(FactorKindId, String)>> {
    Ok(db::learning::factor_kinds(db).await?.into_iter().map(|(id, name, _)| (id, name)).collect())
}

/// The services a search can filter by, by name (the search form's select).
pub async fn service_choices(db: &mut PgConnection) -> sqlx::Result<Vec<(ServiceId, String)>> {
    let mut services: Vec<(ServiceId, String)> =
        db::learning::services(db).await?.into_iter().map(|s| (s.id, s.name)).collect();
    services.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then(a.0.cmp(&b.0)));
    Ok(services)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_a_distribution() {
        assert_eq!(durations(None, 0, false), ("—".to_owned(), String::new()));
        let (median, spread) = durations(Some([600.0, 3600.0, 7500.0]), 12, false);
        assert_eq!(median, "1 h");
        assert_eq!(spread, "middle half 10 min–2 h 5 min, of 12 postmortems");
        let (_, spread) = durations(Some([600.0, 3600.0, 7500.0]), 500, true);
        assert_eq!(spread, "middle half 10 min–2 h 5 min, of the newest 500 postmortems that ended");
    }

    #[test]
    fn page_cursors_round_trip_and_refuse_damage() {
        let listed = Listed {
            id: IncidentId(7),
            title: String::new(),
            severity: Severity::Sev1,
            status: Status::Draft,
            started_at: OffsetDateTime::UNIX_EPOCH + time::Duration::microseconds(1_234_567),
            ended_at: None,
            start_stated: true,
            utc_offset_minutes: 0,
        };
        assert_eq!(decode_after(&encode_after(&listed)).ok().flatten(), Some((listed.started_at, IncidentId(7))));
        assert!(decode_after("x~1").is_err() && decode_after("12").is_err());
    }
}
