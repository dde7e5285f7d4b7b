//! `/search` and `/api/search`: postmortems found by their words, filtered and ordered, a
//! page at a time after a cursor (never an offset: a deep page costs what the first does).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::admission::Db;
use super::error::{AppError, Result};
use super::extract::Query;
use super::layout::Viewer;
use super::paths;
use super::pickers::Shared;
use super::postmortem::TimeView;
use crate::db;
use crate::db::search::{Hit, MARK_END, MARK_START};
use crate::domain::search::{Cursor, SearchFilter, SearchOrder, SearchText};
use crate::domain::time::{self as t, Offset};
use crate::domain::{FactorKindId, IncidentId, ServiceId, Severity, Status, Team, TeamId};
use crate::markdown::{SafeHtml, marked};

/// Results per page.
pub const PAGE_SIZE: i64 = 20;

/// The search and its filters as sent: every field optional text, so the form shows back what
/// was chosen, and the same names in the page's links and the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchQuery {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub q: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub severity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub team: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub open: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub factor: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tag: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub order: String,
    #[serde(skip_serializing)]
    pub after: String,
}

/// A search as understood: the words (none: every postmortem), the filters, the order, and
/// the cursor.
pub struct Asked {
    pub text: Option<SearchText>,
    pub filter: SearchFilter,
    pub order: SearchOrder,
    pub after: Option<Cursor>,
}

impl SearchQuery {
    pub fn asked(&self) -> Result<Asked> {
        let bad = |what: &str, value: &str| AppError::BadRequest(format!("There is no {what} {value:?} to filter by."));
        fn choice<T: std::str::FromStr>(value: &str) -> std::result::Result<Option<T>, ()> {
            if value.is_empty() { Ok(None) } else { value.parse().map(Some).map_err(|_| ()) }
        }
        let date = |what: &str, value: &str| -> Result<Option<time::Date>> {
            if value.is_empty() { Ok(None) } else { t::parse_date(value).map(Some).ok_or_else(|| bad(what, value)) }
        };
        let text = SearchText::parse(&self.q).map_err(|error| AppError::BadRequest(error.to_string()))?;
        let order = match self.order.as_str() {
            "" if text.is_some() => SearchOrder::Relevance,
            "" => SearchOrder::Date,
            other => SearchOrder::parse(other).ok_or_else(|| bad("order", other))?,
        };
        let after = match self.after.as_str() {
            "" => None,
            other => Some(Cursor::decode(other).ok_or_else(|| {
                AppError::BadRequest("This link to a further page is damaged; start again from the first page.".into())
            })?),
        };
        Ok(Asked {
            filter: SearchFilter {
                severity: choice::<Severity>(&self.severity).map_err(|()| bad("severity", &self.severity))?,
                status: choice::<Status>(&self.status).map_err(|()| bad("status", &self.status))?,
                team: choice::<i64>(&self.team).map_err(|()| bad("team", &self.team))?.map(TeamId),
                from: date("date", &self.from)?,
                to: date("date", &self.to)?,
                open_items: !self.open.is_empty(),
                service: choice::<i64>(&self.service).map_err(|()| bad("service", &self.service))?.map(ServiceId),
                factor: choice::<i64>(&self.factor).map_err(|()| bad("factor", &self.factor))?.map(FactorKindId),
                tag: Some(self.tag.trim()).filter(|tag| !tag.is_empty()).map(str::to_owned),
            },
            text,
            order,
            after,
        })
    }

    /// The query string that selects the same results (without the cursor).
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// Whether any filter is chosen (words, order and cursor aside).
    pub fn filtered(&self) -> bool {
        let filters = SearchQuery { q: String::new(), order: String::new(), after: String::new(), ..self.clone() };
        !filters.query_string().is_empty()
    }

    pub fn order_is(&self, order: SearchOrder) -> bool {
        match self.order.as_str() {
            "" => order == if self.q.trim().is_empty() { SearchOrder::Date } else { SearchOrder::Relevance },
            other => other == order.as_str(),
        }
    }
}

/// What a search found: a page of hits, the count, the next page's cursor, or why nothing
/// was searched.
struct Found {
    hits: Vec<Hit>,
    total: i64,
    /// More postmortems hold the words than a search looks at (`db::search::WINDOW`).
    beyond_window: bool,
    next: Option<Cursor>,
    /// Words that amount to nothing to search for (only stop words, `-` alone).
    nothing_to_find: bool,
}

async fn find(db: &mut Db, asked: &Asked) -> Result<Found> {
    // A service merged into another is searched as the one it became, so old links still work.
    let merged;
    let asked = match asked.filter.service {
        Some(service) => {
            let current = db::learning::current_service(&mut **db, service).await?;
            let mut filter = asked.filter.clone();
            // An unknown service matches nothing, as an unknown id would.
            filter.service = Some(current.map_or(service, |s| s.id));
            merged = Asked { filter, text: asked.text.clone(), order: asked.order, after: asked.after };
            &merged
        }
        None => asked,
    };
    let (mut hits, total, beyond_window) = match &asked.text {
        Some(text) => {
            // Words PostgreSQL drops in English (`the`, `of`, signs alone) leave nothing to look for.
            if db::search::terms(&mut **db, text).await? == 0 {
                return Ok(Found {
                    hits: Vec::new(),
                    total: 0,
                    beyond_window: false,
                    next: None,
                    nothing_to_find: true,
                });
            }
            let found = db::search::search(db, text, &asked.filter, asked.order, asked.after, PAGE_SIZE + 1).await?;
            (found.hits, found.total, found.beyond_window)
        }
        None => {
            let hits = db::search::browse(&mut **db, &asked.filter, asked.order, asked.after, PAGE_SIZE + 1).await?;
            (hits, db::search::count(&mut **db, &asked.filter).await?, false)
        }
    };
    let next = if hits.len() as i64 > PAGE_SIZE {
        hits.truncate(PAGE_SIZE as usize);
        hits.last().map(Hit::cursor)
    } else {
        None
    };
    Ok(Found { hits, total, beyond_window, next, nothing_to_find: false })
}

pub struct ResultRow {
    id: IncidentId,
    title: SafeHtml,
    snippet: SafeHtml,
    severity: Severity,
    status: Status,
    started: TimeView,
    duration: String,
}

impl ResultRow {
    fn new(hit: Hit) -> ResultRow {
        let offset = Offset::from_minutes(hit.utc_offset_minutes);
        ResultRow {
            id: hit.id,
            title: marked(&hit.title, MARK_START, MARK_END),
            snippet: marked(&hit.snippet, MARK_START, MARK_END),
            severity: hit.severity,
            status: hit.status,
            started: TimeView::start(hit.start(), offset),
            duration: super::postmortem::duration_text(hit.start(), hit.ended_at),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search/index.html")]
pub struct SearchPage {
    viewer: Viewer,
    query: SearchQuery,
    /// Why the search could not run as typed (too long), shown above the form.
    problem: Option<String>,
    rows: Vec<ResultRow>,
    total: i64,
    beyond_window: bool,
    nothing_to_find: bool,
    /// The next page, with these words and filters.
    next: Option<String>,
    /// Whether this is a further page (it links back to the first).
    further: bool,
    teams: Shared<Team>,
    services: Vec<(ServiceId, String)>,
    factors: Vec<(FactorKindId, String)>,
    orders: [SearchOrder; 4],
}

impl SearchPage {
    fn first_page(&self) -> String {
        paths::search(&self.query.query_string())
    }

    fn filtered(&self) -> bool {
        self.query.filtered()
    }
}

/// `GET /search`: the search page; without words, every postmortem through the filters.
pub async fn page(
    State(state): State<AppState>,
    mut db: Db,
    viewer: Viewer,
    Query(query): Query<SearchQuery>,
) -> Result<SearchPage> {
    let teams = state.pickers.teams(&mut db, None).await?;
    let services = super::learning::service_choices(&mut db).await?;
    let factors = super::learning::factor_choices(&mut db).await?;
    let mut page = SearchPage {
        viewer,
        query: query.clone(),
        problem: None,
        rows: Vec::new(),
        total: 0,
        beyond_window: false,
        nothing_to_find: false,
        next: None,
        further: !query.after.is_empty(),
        teams,
        services,
        factors,
        orders: SearchOrder::ALL,
    };
    let asked = match query.asked() {
        Ok(asked) => asked,
        // Words that cannot be searched are said above the form, which keeps them to correct.
        Err(AppError::BadRequest(message)) => {
            page.problem = Some(message);
            return Ok(page);
        }
        Err(error) => return Err(error),
    };
    let found = find(&mut db, &asked).await?;
    page.next = found.next.map(|cursor| paths::search_after(&query.query_string(), &cursor.encode()));
    page.rows = found.hits.into_iter().map(ResultRow::new).collect();
    page.total = found.total;
    page.beyond_window = found.beyond_window;
    page.nothing_to_find = found.nothing_to_find;
    Ok(page)
}

/// One result in the API: the snippet as plain text, and where its matched words are.
#[derive(Debug, Serialize)]
pub struct HitJson {
    id: i64,
    title: String,
    severity: Severity,
    status: Status,
    /// `null` for a draft that does not say yet.
    started_at: Option<String>,
    ended_at: Option<String>,
    url: String,
    snippet: String,
    /// `[start, end)` in characters of `snippet`.
    matches: Vec<[usize; 2]>,
}

#[derive(Debug, Serialize)]
pub struct SearchJson {
    /// How many match, counted up to `count_limit` (more: `count` is `count_limit` + 1).
    count: i64,
    count_limit: i64,
    /// With words: more postmortems hold them than a search looks at (the newest
    /// `window` through the filters); `count` counts the matches among those.
    beyond_window: bool,
    window: i64,
    results: Vec<HitJson>,
    /// Send as `after` (with the same other parameters) for the next page; null on the last.
    next: Option<String>,
}

/// The text without its markers, and where the marked parts were (in characters).
fn unmark(text: &str) -> (String, Vec<[usize; 2]>) {
    let mut plain = String::with_capacity(text.len());
    let mut matches = Vec::new();
    let mut at = 0;
    let mut start = None;
    for c in text.chars() {
        if c == MARK_START {
            start = Some(at);
        } else if c == MARK_END {
            if let Some(begun) = start.take() {
                matches.push([begun, at]);
            }
        } else {
            plain.push(c);
            at += 1;
        }
    }
    (plain, matches)
}

/// `GET /api/search`: the same search as JSON.
pub async fn api(mut db: Db, Query(query): Query<SearchQuery>) -> Result<Json<SearchJson>> {
    let asked = query.asked()?;
    let found = find(&mut db, &asked).await?;
    let results = found
        .hits
        .into_iter()
        .map(|hit| {
            let offset = Offset::from_minutes(hit.utc_offset_minutes);
            let (snippet, matches) = unmark(&hit.snippet);
            HitJson {
                id: hit.id.0,
                title: unmark(&hit.title).0,
                severity: hit.severity,
                status: hit.status,
                started_at: hit.start().map(|start| t::format_rfc3339(start, offset)),
                ended_at: hit.ended_at.map(|end| t::format_rfc3339(end, offset)),
                url: paths::incident(hit.id),
                snippet,
                matches,
            }
        })
        .collect();
    Ok(Json(SearchJson {
        count: found.total,
        count_limit: db::search::COUNT_LIMIT,
        beyond_window: found.beyond_window,
        window: db::search::WINDOW,
        results,
        next: found.next.map(|cursor| cursor.encode()),
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn unmarking_gives_character_offsets() {
        let (plain, matches) = super::unmark("é \u{E000}pool\u{E001} x");
        assert_eq!(plain, "é pool x");
        assert_eq!(matches, vec![[2, 6]]);
    }
}
