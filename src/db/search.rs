//! Full-text search over postmortems (the documents the search migration keeps in step), and
//! the same filters and orders without words, for the postmortem index.

use sqlx::{PgExecutor, Postgres, QueryBuilder};
use time::OffsetDateTime;

use crate::domain::search::{Cursor, SearchFilter, SearchOrder, SearchText};
use crate::domain::{IncidentId, Severity, Status};

/// The delimiters `ts_headline` puts around a matched word in titles and snippets: private-use
/// characters, taken out of every text when its document is made, so only a match carries one.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// How the weights A (title), B (summary), C (sections, action items) and D (timeline,
/// comments) count in the rank, in `ts_rank_cd`'s order {D, C, B, A}.
const WEIGHTS: &str = "'{0.1, 0.2, 0.4, 1.0}'";

/// One result.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hit {
    pub id: IncidentId,
    /// The title, its matched words between [`MARK_START`] and [`MARK_END`].
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub utc_offset_minutes: i32,
    /// The best-matching passages, marked like the title ("" without words).
    pub snippet: String,
    /// The order's key (see [`Cursor`]).
    pub key: f64,
}

impl Hit {
    pub fn cursor(&self) -> Cursor {
        Cursor { key: self.key, started_at: self.started_at, id: self.id.0 }
    }
}

/// How many terms PostgreSQL reads from the words in English (stop words such as `the` and
/// lone signs dropped). None: there is nothing to search for.
pub async fn terms(db: impl PgExecutor<'_>, text: &SearchText) -> sqlx::Result<i32> {
    sqlx::query_scalar::<_, i32>("SELECT numnode(websearch_to_tsquery('english', $1))")
        .bind(&text.text)
        .fetch_one(db)
        .await
}

/// The query the words make: the words as written (English stems, or plain words), or the words
/// before the last with the last as a prefix.
fn push_tsquery<'a>(sql: &mut QueryBuilder<'a, Postgres>, text: &'a SearchText) {
    sql.push("(websearch_to_tsquery('english', ").push_bind(&text.text);
    sql.push(") || websearch_to_tsquery('simple', ").push_bind(&text.text).push(")");
    if let Some((rest, prefix)) = &text.prefix {
        sql.push(" || ((websearch_to_tsquery('english', ").push_bind(rest);
        sql.push(") || websearch_to_tsquery('simple', ").push_bind(rest);
        sql.push(")) && to_tsquery('simple', ").push_bind(prefix).push("))");
    }
    sql.push(")");
}

/// FROM and WHERE for the words and filters (no order, no page).
fn push_matching<'a>(sql: &mut QueryBuilder<'a, Postgres>, text: Option<&'a SearchText>, filter: &'a SearchFilter) {
    match text {
        Some(text) => {
            sql.push(" FROM search_documents d JOIN incidents i ON i.id = d.incident_id CROSS JOIN (SELECT ");
            push_tsquery(sql, text);
            sql.push(" AS query) q WHERE d.document @@ q.query");
        }
        None => {
            sql.push(" FROM incidents i WHERE true");
        }
    }
    if let Some(severity) = filter.severity {
        sql.push(" AND i.severity = ").push_bind(severity.as_str());
    }
    if let Some(status) = filter.status {
        sql.push(" AND i.status = ").push_bind(status.as_str());
    }
    if let Some(team) = filter.team {
        sql.push(" AND EXISTS (SELECT 1 FROM action_items a WHERE a.incident_id = i.id AND a.team_id = ")
            .push_bind(team.0)
            .push(")");
    }
    if let Some(from) = filter.from {
        sql.push(" AND i.started_at >= ").push_bind(from.midnight().assume_utc());
    }
    if let Some(to) = filter.to {
        let end = to.next_day().map(|day| day.midnight().assume_utc()).unwrap_or(OffsetDateTime::now_utc());
        sql.push(" AND i.started_at < ").push_bind(end);
    }
    if filter.open_items {
        sql.push(
            " AND EXISTS (SELECT 1 FROM action_items a WHERE a.incident_id = i.id \
             AND a.status IN ('open', 'in_progress'))",
        );
    }
    if let Some(service) = filter.service {
        sql.push(" AND EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service_id = ")
            .push_bind(service.0)
            .push(")");
    }
    if let Some(factor) = filter.factor {
        sql.push(" AND EXISTS (SELECT 1 FROM incident_factors f WHERE f.incident_id = i.id AND f.factor_id = ")
            .push_bind(factor.0)
            .push(")");
    }
    if let Some(tag) = &filter.tag {
        sql.push(" AND EXISTS (SELECT 1 FROM incident_tags t WHERE t.incident_id = i.id AND lower(t.tag) = lower(")
            .push_bind(tag)
            .push("))");
    }
}

/// The most matches counted: beyond it the page says "more than". Counting stops there so that
/// a common word costs the same at any size.
pub const COUNT_LIMIT: i64 = 1000;

/// How many postmortems match, up to [`COUNT_LIMIT`] + 1.
pub async fn count(db: impl PgExecutor<'_>, text: Option<&SearchText>, filter: &SearchFilter) -> sqlx::Result<i64> {
    let mut sql = QueryBuilder::new("SELECT count(*) FROM (SELECT 1");
    push_matching(&mut sql, text, filter);
    sql.push(format!(" LIMIT {} ) matching", COUNT_LIMIT + 1));
    sql.build_query_scalar().fetch_one(db).await
}

/// A page of results after `after`, at most `limit`. Relevance without words is the date order.
pub async fn page(
    db: impl PgExecutor<'_>,
    text: Option<&SearchText>,
    filter: &SearchFilter,
    order: SearchOrder,
    after: Option<Cursor>,
    limit: i64,
) -> sqlx::Result<Vec<Hit>> {
    let order = if text.is_none() && order == SearchOrder::Relevance { SearchOrder::Date } else { order };
    let key = match order {
        SearchOrder::Relevance => format!("ts_rank_cd({WEIGHTS}, d.document, q.query)::float8"),
        SearchOrder::Date => "0::float8".to_owned(),
        SearchOrder::Severity => "substr(i.severity, 4)::float8".to_owned(),
        SearchOrder::Duration => {
            "extract(epoch FROM coalesce(i.ended_at, i.started_at) - i.started_at)::float8".to_owned()
        }
    };
    // The page is chosen first, then its titles and snippets made: `ts_headline` reads the
    // whole text, so it runs for the page's rows only.
    let mut sql =
        QueryBuilder::new("SELECT p.id, p.severity, p.status, p.started_at, p.ended_at, p.utc_offset_minutes, p.key, ");
    match text {
        Some(_) => {
            sql.push(format!(
                "ts_headline('english', translate(p.title, '{MARK_START}{MARK_END}', ''), p.query, 'HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}') AS title, \
                 ts_headline('english', d.body, p.query, 'MaxFragments=2, MaxWords=28, MinWords=12, \
                 FragmentDelimiter=\" … \", StartSel={MARK_START}, StopSel={MARK_END}') AS snippet"
            ));
        }
        None => {
            sql.push(format!("translate(p.title, '{MARK_START}{MARK_END}', '') AS title, '' AS snippet"));
        }
    }
    sql.push(" FROM (SELECT i.id, i.title, i.severity, i.status, i.started_at, i.ended_at, i.utc_offset_minutes, ");
    sql.push(&key).push(" AS key");
    if text.is_some() {
        sql.push(", q.query");
    }
    push_matching(&mut sql, text, filter);
    if let Some(after) = after {
        match order {
            SearchOrder::Date => {
                sql.push(" AND (i.started_at, i.id) < (").push_bind(after.started_at).push(", ").push_bind(after.id);
                sql.push(")");
            }
            SearchOrder::Severity => {
                let severity = format!("SEV{}", after.key as i64);
                sql.push(" AND (i.severity > ").push_bind(severity.clone()).push(" OR (i.severity = ");
                sql.push_bind(severity).push(" AND (i.started_at, i.id) < (").push_bind(after.started_at);
                sql.push(", ").push_bind(after.id).push(")))");
            }
            SearchOrder::Relevance | SearchOrder::Duration => {
                sql.push(format!(" AND ({key}, i.started_at, i.id) < (")).push_bind(after.key).push("::float8, ");
                sql.push_bind(after.started_at).push(", ").push_bind(after.id).push(")");
            }
        }
    }
    sql.push(match order {
        SearchOrder::Date => " ORDER BY i.started_at DESC, i.id DESC",
        SearchOrder::Severity => " ORDER BY i.severity, i.started_at DESC, i.id DESC",
        SearchOrder::Relevance | SearchOrder::Duration => " ORDER BY key DESC, i.started_at DESC, i.id DESC",
    });
    sql.push(format!(" LIMIT {limit}) p"));
    if text.is_some() {
        sql.push(" JOIN search_documents d ON d.incident_id = p.id");
    }
    sql.push(match order {
        SearchOrder::Date => " ORDER BY p.started_at DESC, p.id DESC",
        SearchOrder::Severity => " ORDER BY p.severity, p.started_at DESC, p.id DESC",
        SearchOrder::Relevance | SearchOrder::Duration => " ORDER BY p.key DESC, p.started_at DESC, p.id DESC",
    });
    sql.build_query_as().fetch_all(db).await
}

/// For a bulk writer in a transaction (the demo data): makes every document it has written so
/// far in one statement, rather than one by one at commit.
pub async fn refresh_pending(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("SELECT search_refresh_pending()").execute(db).await?;
    Ok(())
}
