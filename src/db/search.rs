//! Full-text search over postmortems (the documents the search migration keeps in step), and
//! the same filters and orders without words, for the postmortem index.

use sqlx::{Acquire as _, PgConnection, PgExecutor, Postgres, QueryBuilder};
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
    /// The start of impact, or (while `start_stated` is false) only the draft's place in the
    /// order: see the `start_stated` migration.
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub start_stated: bool,
    pub utc_offset_minutes: i32,
    /// The best-matching passages, marked like the title ("" without words).
    pub snippet: String,
    /// The order's key (see [`Cursor`]).
    pub key: f64,
}

impl Hit {
    /// The start of impact, when stated.
    pub fn start(&self) -> Option<OffsetDateTime> {
        self.start_stated.then_some(self.started_at)
    }

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
    sql.push("(websearch_to_tsquery('english', ").push_bind(&text.text).push(")");
    if let Some((rest, prefix)) = &text.prefix {
        sql.push(" || (websearch_to_tsquery('english', ").push_bind(rest);
        sql.push(") && to_tsquery('simple', ").push_bind(prefix).push("))");
    }
    sql.push(")");
}

/// Which rows a query walks to find postmortems: the postmortems, their search documents (which
/// carry how many of their action items are open), or the links to the service, factor, tag or
/// team the filter names (see [`push_source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walked {
    Incidents,
    Documents,
    Services,
    Factors,
    Tags,
    Teams,
}

/// The filters, as `AND` clauses on a row whose postmortem's id is `id` and whose
/// `started_at`, `severity` and `status` are the postmortem's, under the alias `table`.
fn push_filters<'a>(
    sql: &mut QueryBuilder<'a, Postgres>,
    table: &str,
    id: &str,
    filter: &'a SearchFilter,
    walked: Walked,
) {
    if let Some(severity) = filter.severity {
        sql.push(format!(" AND {table}.severity = ")).push_bind(severity.as_str());
    }
    if let Some(status) = filter.status {
        sql.push(format!(" AND {table}.status = ")).push_bind(status.as_str());
    }
    if let Some(team) = filter.team.filter(|_| walked != Walked::Teams) {
        sql.push(format!(" AND EXISTS (SELECT 1 FROM incident_teams a WHERE a.incident_id = {id} AND a.team_id = "))
            .push_bind(team.0)
            .push(")");
    }
    if let Some(from) = filter.from {
        sql.push(format!(" AND {table}.started_at >= ")).push_bind(from.midnight().assume_utc());
    }
    if let Some(to) = filter.to {
        let end = to.next_day().map(|day| day.midnight().assume_utc()).unwrap_or(OffsetDateTime::now_utc());
        sql.push(format!(" AND {table}.started_at < ")).push_bind(end);
    }
    if filter.open_items && walked == Walked::Documents {
        sql.push(format!(" AND {table}.open_items > 0"));
    } else if filter.open_items {
        sql.push(format!(
            " AND EXISTS (SELECT 1 FROM action_items a WHERE a.incident_id = {id} \
             AND a.status IN ('open', 'in_progress'))"
        ));
    }
    if let Some(service) = filter.service.filter(|_| walked != Walked::Services) {
        sql.push(format!(
            " AND EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = {id} AND s.service_id = "
        ))
        .push_bind(service.0)
        .push(")");
    }
    if let Some(factor) = filter.factor.filter(|_| walked != Walked::Factors) {
        sql.push(format!(
            " AND EXISTS (SELECT 1 FROM incident_factors f WHERE f.incident_id = {id} AND f.factor_id = "
        ))
        .push_bind(factor.0)
        .push(")");
    }
    if let Some(tag) = filter.tag.as_ref().filter(|_| walked != Walked::Tags) {
        sql.push(format!(
            " AND EXISTS (SELECT 1 FROM incident_tags t WHERE t.incident_id = {id} AND lower(t.tag) = lower("
        ))
        .push_bind(tag)
        .push("))");
    }
}

/// The most matches counted: beyond it the page says "more than". Counting stops there so that
/// a common filter costs the same at any size.
pub const COUNT_LIMIT: i64 = 1000;

/// The most postmortems a search with words looks at: the newest this many (through the
/// filters) whose documents hold every word, found in the GIN index alone without reading a
/// document. Only they are tested against the exact query (phrases, `-word`), ranked, counted
/// and paged, so a search costs the same whether a hundred or a hundred thousand postmortems
/// hold its words. When more hold them, the page says so: a date filter or another word looks
/// further back.
pub const WINDOW: i64 = 1000;

/// A page of a search with words.
#[derive(Debug, Clone)]
pub struct Found {
    pub hits: Vec<Hit>,
    /// How many of the window match the exact query (at most [`WINDOW`]).
    pub total: i64,
    /// Whether more than [`WINDOW`] postmortems hold the words: older ones were not looked at.
    pub beyond_window: bool,
}

/// What a query reads of the postmortems the filters start from (see [`push_source`]).
#[derive(Debug, Clone, Copy)]
enum Read<'k> {
    /// The columns of a [`Hit`] but the snippet, `key` being the given expression over the
    /// postmortem `i`.
    Rows(&'k str),
    /// Only what the filters test, for counting: a walk of links to a service, factor, tag or
    /// team then reads the postmortems themselves only if it filters on their severity or
    /// status. (Each link's postmortem exists: the links go with it. Joined to a thousand
    /// links, it was most of a count's time.)
    Count,
}

/// The postmortems the filters start from, as a subquery `p` with the columns `read` asks for,
/// for `push_filters` and `push_after_and_order` to narrow and order. When the filter names a
/// service, a factor, a tag or a team (of its action items), the links to it are walked newest
/// first (each link carries its postmortem's start, indexed with the key, and `p`'s start and
/// id are the link's), so the postmortems named by a rare one are found without reading every
/// other postmortem. Otherwise the postmortems themselves.
fn push_source<'a>(sql: &mut QueryBuilder<'a, Postgres>, filter: &'a SearchFilter, read: Read<'_>) -> Walked {
    let columns = match read {
        Read::Rows(key) => format!(
            "SELECT {{started}}.id, i.title, i.severity, i.status, {{started}}.started_at, i.ended_at, \
             i.start_stated, i.utc_offset_minutes, {key} AS key"
        ),
        Read::Count => "SELECT {started}.id, {started}.started_at, i.severity, i.status".to_owned(),
    };
    let reads_incident = match read {
        Read::Rows(_) => true,
        Read::Count => filter.severity.is_some() || filter.status.is_some(),
    };
    let linked = |sql: &mut QueryBuilder<'a, Postgres>, table: &str| {
        let columns = columns.replace("{started}.id", "l.incident_id AS id").replace("{started}", "l");
        if reads_incident {
            sql.push(format!("({columns} FROM {table} l JOIN incidents i ON i.id = l.incident_id WHERE "));
        } else {
            sql.push(format!("(SELECT l.incident_id AS id, l.started_at FROM {table} l WHERE "));
        }
    };
    let walked = if let Some(service) = filter.service {
        linked(sql, "incident_services");
        sql.push("l.service_id = ").push_bind(service.0);
        Walked::Services
    } else if let Some(factor) = filter.factor {
        linked(sql, "incident_factors");
        sql.push("l.factor_id = ").push_bind(factor.0);
        Walked::Factors
    } else if let Some(tag) = &filter.tag {
        linked(sql, "incident_tags");
        sql.push("lower(l.tag) = lower(").push_bind(tag).push(")");
        Walked::Tags
    } else if let Some(team) = filter.team {
        linked(sql, "incident_teams");
        sql.push("l.team_id = ").push_bind(team.0);
        Walked::Teams
    } else {
        sql.push(format!("({} FROM incidents i WHERE true", columns.replace("{started}", "i")));
        Walked::Incidents
    };
    sql.push(") p");
    walked
}

/// How many postmortems the filters let through, up to [`COUNT_LIMIT`] + 1 (no words).
pub async fn count(db: impl PgExecutor<'_>, filter: &SearchFilter) -> sqlx::Result<i64> {
    let mut sql = QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM ");
    let walked = push_source(&mut sql, filter, Read::Count);
    sql.push(" WHERE true");
    push_filters(&mut sql, "p", "p.id", filter, walked);
    sql.push(format!(" LIMIT {} ) matching", COUNT_LIMIT + 1));
    sql.build_query_scalar().fetch_one(db).await
}

/// The SQL expression of an order's key over a postmortem row `i` (and, for relevance, the
/// document `d` and query `q`).
fn order_key(order: SearchOrder) -> String {
    match order {
        SearchOrder::Relevance => format!("ts_rank_cd({WEIGHTS}, d.document, q.query)::float8"),
        SearchOrder::Date => "0::float8".to_owned(),
        SearchOrder::Severity => "substr(i.severity, 4)::float8".to_owned(),
        SearchOrder::Duration => {
            "extract(epoch FROM coalesce(i.ended_at, i.started_at) - i.started_at)::float8".to_owned()
        }
    }
}

/// `AND` the rows of `table` (with columns `key`, `severity`, `started_at`, `id`) after the
/// cursor, then `ORDER BY` the order.
fn push_after_and_order<'a>(
    sql: &mut QueryBuilder<'a, Postgres>,
    table: &str,
    order: SearchOrder,
    after: Option<Cursor>,
) {
    if let Some(after) = after {
        match order {
            SearchOrder::Date => {
                sql.push(format!(" AND ({table}.started_at, {table}.id) < ("))
                    .push_bind(after.started_at)
                    .push(", ")
                    .push_bind(after.id)
                    .push(")");
            }
            SearchOrder::Severity => {
                let severity = format!("SEV{}", after.key as i64);
                sql.push(format!(" AND ({table}.severity > ")).push_bind(severity.clone());
                sql.push(format!(" OR ({table}.severity = ")).push_bind(severity);
                sql.push(format!(" AND ({table}.started_at, {table}.id) < (")).push_bind(after.started_at);
                sql.push(", ").push_bind(after.id).push(")))");
            }
            SearchOrder::Relevance | SearchOrder::Duration => {
                sql.push(format!(" AND ({table}.key, {table}.started_at, {table}.id) < ("))
                    .push_bind(after.key)
                    .push("::float8, ");
                sql.push_bind(after.started_at).push(", ").push_bind(after.id).push(")");
            }
        }
    }
    sql.push(match order {
        SearchOrder::Date => format!(" ORDER BY {table}.started_at DESC, {table}.id DESC"),
        SearchOrder::Severity => format!(" ORDER BY {table}.severity, {table}.started_at DESC, {table}.id DESC"),
        SearchOrder::Relevance | SearchOrder::Duration => {
            format!(" ORDER BY {table}.key DESC, {table}.started_at DESC, {table}.id DESC")
        }
    });
}

/// A page of postmortems through the filters, without words, after `after`, at most `limit`.
/// Relevance without words is the date order.
pub async fn browse(
    db: impl PgExecutor<'_>,
    filter: &SearchFilter,
    order: SearchOrder,
    after: Option<Cursor>,
    limit: i64,
) -> sqlx::Result<Vec<Hit>> {
    let order = if order == SearchOrder::Relevance { SearchOrder::Date } else { order };
    let mut sql = QueryBuilder::new(format!(
        "SELECT p.id, p.severity, p.status, p.started_at, p.ended_at, p.start_stated, p.utc_offset_minutes, p.key, \
         translate(p.title, '{MARK_START}{MARK_END}', '') AS title, '' AS snippet FROM "
    ));
    let walked = push_source(&mut sql, filter, Read::Rows(&order_key(order)));
    sql.push(" WHERE true");
    push_filters(&mut sql, "p", "p.id", filter, walked);
    push_after_and_order(&mut sql, "p", order, after);
    sql.push(format!(" LIMIT {limit}"));
    sql.build_query_as().fetch_all(db).await
}

/// `WITH q` (the query) and `window_rows`: the [`WINDOW`] + 1 newest postmortems through the
/// filters that hold every word of its loose form (every phrase loosened to "all these words"
/// and every `-word` dropped by `querytree`, which the GIN index answers exactly without reading
/// a document). The exact query is tested on the window's documents only.
///
/// The window's condition is written out rather than read from `q`, so that the planner sees
/// the words (the search plans each query for its own words) and weighs how many documents hold
/// them: a rare word is found in the GIN index and its few documents sorted; a common one (that
/// every postmortem holds) walks the documents newest first (`search_documents_recent_idx`) and
/// stops at the window's end, instead of sorting every document that holds it.
fn push_window<'a>(sql: &mut QueryBuilder<'a, Postgres>, text: &'a SearchText, filter: &'a SearchFilter) {
    sql.push("WITH q AS MATERIALIZED (SELECT ");
    push_tsquery(sql, text);
    sql.push(
        " AS query), window_rows AS MATERIALIZED (SELECT d.incident_id, d.started_at \
         FROM search_documents d WHERE d.document @@ ",
    );
    push_loose(sql, text);
    push_filters(sql, "d", "d.incident_id", filter, Walked::Documents);
    sql.push(format!(" ORDER BY d.started_at DESC, d.incident_id DESC LIMIT {})", WINDOW + 1));
}

/// The loose form of the search's tsquery: phrases as "all these words", `-word` dropped.
fn push_loose<'a>(sql: &mut QueryBuilder<'a, Postgres>, text: &'a SearchText) {
    sql.push("(CASE WHEN querytree(");
    push_tsquery(sql, text);
    sql.push(") = 'T' THEN ");
    push_tsquery(sql, text);
    sql.push(" ELSE regexp_replace(querytree(");
    push_tsquery(sql, text);
    sql.push("), ' <[0-9-]+> ', ' & ', 'g')::tsquery END)");
}

/// One row of a search with words: the hit, and the page's counts (the same on every row).
#[derive(sqlx::FromRow)]
struct SearchRow {
    #[sqlx(flatten)]
    hit: Hit,
    total: i64,
    beyond_window: bool,
}

/// A page of the postmortems matching the words and filters, after `after`, at most `limit`,
/// looked for among the [`WINDOW`] newest that hold every word.
pub async fn search(
    db: &mut PgConnection,
    text: &SearchText,
    filter: &SearchFilter,
    order: SearchOrder,
    after: Option<Cursor>,
    limit: i64,
) -> sqlx::Result<Found> {
    let mut tx = db.begin().await?;
    // The window is chosen from the GIN index's bitmap or by walking the documents newest
    // first. A sequential scan would test every document against the words, reading each one
    // from TOAST: on a common word the planner thinks it cheaper, and it is a hundred times
    // slower. Each search is planned for its own words (a plan kept for the statement would
    // guess how many documents hold them, and walk or sort in the wrong case).
    sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").execute(&mut *tx).await?;
    let mut sql = QueryBuilder::new("");
    push_window(&mut sql, text, filter);
    // `ts_match_vq` is `@@` as a function, which no index can answer: the exact query is
    // tested on the window's documents, found by id, rather than planned as a second search
    // through the whole index. A hit carries only what its order reads, from the document's
    // row (which keeps the postmortem's start and severity in step); the postmortem itself is
    // read for the page's rows alone, by id: joined to every hit, the planner may walk all
    // the postmortems' index to meet a thousand of them.
    let (key, duration_join) = match order {
        SearchOrder::Relevance => (format!("ts_rank_cd({WEIGHTS}, d.document, q.query)::float8"), ""),
        SearchOrder::Date => ("0::float8".to_owned(), ""),
        SearchOrder::Severity => ("substr(d.severity, 4)::float8".to_owned(), ""),
        SearchOrder::Duration => (order_key(order), " JOIN incidents i ON i.id = w.incident_id"),
    };
    sql.push(format!(
        ", hits AS MATERIALIZED (SELECT w.incident_id AS id, w.started_at, d.severity, {key} AS key \
         FROM (SELECT * FROM window_rows ORDER BY started_at DESC, incident_id DESC LIMIT {WINDOW}) w \
         JOIN search_documents d ON d.incident_id = w.incident_id{duration_join}, q \
         WHERE ts_match_vq(d.document, q.query)), page AS MATERIALIZED (SELECT * FROM hits h WHERE true"
    ));
    push_after_and_order(&mut sql, "h", order, after);
    // The page is chosen first, then its titles and snippets made: `ts_headline` reads the
    // whole text, so it runs for the page's rows only, and their texts are put together in
    // one pass over the sources rather than one per row.
    sql.push(format!(
        " LIMIT {limit}), texts AS MATERIALIZED (SELECT incident_id, string_agg(body, E'\\n' ORDER BY weight) AS body \
         FROM search_parts(ARRAY(SELECT id FROM page)) WHERE weight <> 'A' GROUP BY incident_id) \
         SELECT p.id, i.severity, i.status, p.started_at, i.ended_at, i.start_stated, i.utc_offset_minutes, p.key, \
         ts_headline('english', translate(i.title, '{MARK_START}{MARK_END}', ''), q.query, 'HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}') AS title, \
         ts_headline('english', coalesce(t.body, ''), q.query, 'MaxFragments=2, MaxWords=28, MinWords=12, \
         FragmentDelimiter=\" … \", StartSel={MARK_START}, StopSel={MARK_END}') AS snippet, \
         (SELECT count(*) FROM hits) AS total, (SELECT count(*) FROM window_rows) > {WINDOW} AS beyond_window \
         FROM page p JOIN incidents i ON i.id = p.id LEFT JOIN texts t ON t.incident_id = p.id, q"
    ));
    push_after_and_order(&mut sql, "p", order, None);
    let rows: Vec<SearchRow> = sql.build_query_as().fetch_all(&mut *tx).await?;
    let (total, beyond_window) = match rows.first() {
        Some(row) => (row.total, row.beyond_window),
        // A page past the last has no row to carry the counts: count on their own.
        None => {
            let mut sql = QueryBuilder::new("");
            push_window(&mut sql, text, filter);
            sql.push(format!(
                "SELECT (SELECT count(*) FROM (SELECT * FROM window_rows ORDER BY started_at DESC, incident_id DESC LIMIT {WINDOW}) w \
                 JOIN search_documents d ON d.incident_id = w.incident_id, q WHERE ts_match_vq(d.document, q.query)), \
                 (SELECT count(*) FROM window_rows) > {WINDOW}"
            ));
            sql.build_query_as::<(i64, bool)>().fetch_one(&mut *tx).await?
        }
    };
    tx.commit().await?;
    Ok(Found { hits: rows.into_iter().map(|row| row.hit).collect(), total, beyond_window })
}

/// For a bulk writer in a transaction (the demo data): makes every document it has written so
/// far in one statement, rather than one by one at commit.
pub async fn refresh_pending(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("SELECT search_refresh_pending()").execute(db).await?;
    Ok(())
}
