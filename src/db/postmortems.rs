//! A whole postmortem, read on one connection in two queries however long it is: the incident
//! row with its sections' texts, timeline, extra sections and (for the page) what the page
//! shows around the document; then its action items. Each piece comes with
//! its stored HTML. For the postmortem page, the first query also brings the review discussion,
//! who last changed it, its revision numbers and, when the instance's kept picker lists are out
//! of date, the lists themselves.
//!
//! For the page, a caller that kept the postmortem from an earlier read gives its [`Stamp`];
//! the first query then brings only the current stamp if nothing changed (the page is then one
//! cheap query besides the session's).

use std::collections::HashMap;

use sqlx::PgConnection;
use sqlx::types::Json;
use time::OffsetDateTime;

use crate::domain::labels::Labels;
use crate::domain::recurrences::Recurrences;
use crate::domain::time::Offset;
use crate::domain::{
    ActionItem, CommentKind, ExtraSection, Incident, IncidentId, Marker, Outline, PerSection, Postmortem, ReviewRule,
    Section, SectionHeadings, SectionId, Severity, Status, StoredHtml, Team, TimelineEntry, TimelineEntryId, User,
    WithHtml,
};

/// The stored HTML of every piece of a postmortem, in the order of its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostmortemHtml {
    pub texts: PerSection<StoredHtml>,
    pub timeline: Vec<StoredHtml>,
    pub action_items: Vec<StoredHtml>,
    pub sections: Vec<StoredHtml>,
}

/// A step of the review, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ReviewComment {
    pub author: String,
    pub kind: CommentKind,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub html: String,
    pub rendered_with: i32,
}

impl ReviewComment {
    pub fn stored_html(&self) -> StoredHtml {
        StoredHtml { html: self.html.clone(), rendered_with: self.rendered_with }
    }
}

/// Who changed the postmortem last, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    pub actor: String,
    pub at: OffsetDateTime,
}

/// What the postmortem page shows besides the document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageExtras {
    pub comments: Vec<ReviewComment>,
    pub last_change: Option<LastChange>,
    /// The latest revision's number, and the latest published one's.
    pub revisions: (Option<i32>, Option<i32>),
}

/// What the caller wants with the document: the page's extras, and the versions of the picker
/// lists it keeps (`None`: it keeps none, or needs none when `pickers` is false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ForPage {
    pub pickers: bool,
    pub people_kept: Option<i64>,
    pub teams_kept: Option<i64>,
}

/// A postmortem as loaded for showing: the document, its stored HTML, and (when asked for) the
/// page's extras.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub postmortem: Postmortem,
    pub html: PostmortemHtml,
    pub extras: Option<PageExtras>,
}

/// What a loaded postmortem was current as of: its change number and the counters of people
/// and teams (whose names it shows). While all three are the same, so is the postmortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub change_seq: i64,
    pub people_version: i64,
    pub teams_version: i64,
}

/// What reading a postmortem for its page gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRead {
    /// It is as of the stamp the caller knows: nothing else was read.
    Unchanged(PageLists),
    /// It changed (or the caller knew none): here it is, with its new stamp.
    Read(Box<Loaded>, Stamp, PageLists),
}

/// The picker lists a page read brought, because the caller's were out of date (see [`ForPage`]),
/// and the counters they are as of.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageLists {
    /// Who publishes postmortems of its severity now (a rule, not part of the postmortem, so
    /// read with every page).
    pub review: Option<ReviewRule>,
    pub people_version: i64,
    pub teams_version: i64,
    pub people: Option<Vec<User>>,
    pub teams: Option<Vec<Team>>,
}

/// An extra section as the first query aggregates it.
#[derive(Debug, Clone, serde::Deserialize)]
struct SectionJson {
    id: SectionId,
    heading: String,
    body: String,
    html: String,
    rendered_with: i32,
}

/// Who last changed it, as the first query reads it from the audit log.
#[derive(Debug, Clone, serde::Deserialize)]
struct LastChangeJson {
    actor: String,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

/// A timeline entry as the first query aggregates it.
#[derive(Debug, Clone, serde::Deserialize)]
struct EntryJson {
    id: TimelineEntryId,
    #[serde(with = "time::serde::rfc3339")]
    occurred_at: OffsetDateTime,
    body: String,
    time_as_written: String,
    marker: Option<Marker>,
    html: String,
    rendered_with: i32,
}

struct Row {
    id: IncidentId,
    change_seq: i64,
    people_version: i64,
    teams_version: i64,
    title: String,
    severity: Severity,
    status: Status,
    started_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
    utc_offset_minutes: i32,
    section_headings: Json<SectionHeadings>,
    template_outline: Option<Json<Outline>>,
    version: i32,
    updated_at: OffsetDateTime,
    text_keys: Vec<String>,
    text_bodies: Vec<String>,
    text_html: Vec<String>,
    text_rendered: Vec<i32>,
    timeline: Json<Vec<EntryJson>>,
    sections: Json<Vec<SectionJson>>,
    comments: Option<Json<Vec<ReviewComment>>>,
    last_change: Option<Json<LastChangeJson>>,
    latest_revision: Option<i32>,
    published_revision: Option<i32>,
    people: Option<Json<Vec<User>>>,
    teams: Option<Json<Vec<Team>>>,
    review: Option<ReviewRule>,
    labels: Json<Labels>,
    recurrences: Json<Recurrences>,
}

/// Postmortem `id` for its page on `conn`. When the caller kept it as of `known`, one small
/// query says whether that is still current, and if so nothing else is read; otherwise the
/// whole postmortem is read, with the page's extras, in two queries.
pub async fn load_page(
    conn: &mut PgConnection,
    id: IncidentId,
    known: Option<Stamp>,
    lists: ForPage,
) -> sqlx::Result<Option<PageRead>> {
    if let Some(known) = known {
        let Some((stamp, page_lists)) = current_stamp(&mut *conn, id, lists).await? else { return Ok(None) };
        if stamp == known {
            return Ok(Some(PageRead::Unchanged(page_lists)));
        }
    }
    let Some(row) = first_query(&mut *conn, id, true, lists).await? else { return Ok(None) };
    let stamp =
        Stamp { change_seq: row.change_seq, people_version: row.people_version, teams_version: row.teams_version };
    let page_lists = PageLists {
        review: row.review,
        people_version: row.people_version,
        teams_version: row.teams_version,
        people: row.people.clone().map(|people| people.0),
        teams: row.teams.clone().map(|teams| teams.0),
    };
    let loaded = rest(&mut *conn, row, true).await?;
    Ok(Some(PageRead::Read(Box::new(loaded), stamp, page_lists)))
}

/// The stamp postmortem `id` is at now, and the picker lists when the caller's are out of date.
async fn current_stamp(
    conn: &mut PgConnection,
    id: IncidentId,
    lists: ForPage,
) -> sqlx::Result<Option<(Stamp, PageLists)>> {
    let row = sqlx::query!(
        r#"SELECT i.change_seq, v.people_version AS "people_version!", v.teams_version AS "teams_version!",
                  CASE WHEN $2 AND v.people_version IS DISTINCT FROM $3 THEN picker_people() END
                      AS "people: Json<Vec<User>>",
                  CASE WHEN $2 AND v.teams_version IS DISTINCT FROM $4 THEN picker_teams() END
                      AS "teams: Json<Vec<Team>>",
                  (SELECT r.review FROM severity_rules r WHERE r.severity = i.severity) AS "review: ReviewRule"
           FROM incidents i
           CROSS JOIN LATERAL (
               SELECT (SELECT n FROM change_counters WHERE name = 'users') AS people_version,
                      (SELECT n FROM change_counters WHERE name = 'teams') AS teams_version
           ) v
           WHERE i.id = $1"#,
        id as IncidentId,
        lists.pickers,
        lists.people_kept,
        lists.teams_kept,
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|row| {
        let stamp =
            Stamp { change_seq: row.change_seq, people_version: row.people_version, teams_version: row.teams_version };
        let lists = PageLists {
            review: row.review,
            people_version: row.people_version,
            teams_version: row.teams_version,
            people: row.people.map(|people| people.0),
            teams: row.teams.map(|teams| teams.0),
        };
        (stamp, lists)
    }))
}

/// The first of the two queries: the incident row with its texts, timeline and extra sections
/// and, for the page, its review, last change, revisions and (when the caller's are out of date)
/// the picker lists. The page's parts sit in CASE branches, which PostgreSQL runs only when
/// taken.
async fn first_query(
    conn: &mut PgConnection,
    id: IncidentId,
    for_page: bool,
    lists: ForPage,
) -> sqlx::Result<Option<Row>> {
    sqlx::query_as!(
        Row,
        r#"SELECT i.id AS "id: IncidentId", i.change_seq, v.people_version AS "people_version!",
                  v.teams_version AS "teams_version!",
                  i.title, i.severity AS "severity: Severity", i.status AS "status: Status",
                  CASE WHEN i.start_stated THEN i.started_at END AS started_at, i.ended_at, i.utc_offset_minutes, i.section_headings AS "section_headings: Json<SectionHeadings>",
                  i.template_outline AS "template_outline: Json<Outline>", i.version, i.updated_at,
                  t.keys AS "text_keys!", t.bodies AS "text_bodies!", t.html AS "text_html!",
                  t.rendered AS "text_rendered!",
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', e.id, 'occurred_at', e.occurred_at, 'body', e.body,
                              'time_as_written', e.time_as_written, 'marker', e.marker, 'html', e.html,
                              'rendered_with', e.rendered_with)
                          ORDER BY e.occurred_at, e.id), '[]')
                   FROM timeline_entries e WHERE e.incident_id = i.id) AS "timeline!: Json<Vec<EntryJson>>",
                  (SELECT coalesce(json_agg(json_build_object('id', e.id, 'heading', e.heading, 'body', e.body,
                                                              'html', e.html, 'rendered_with', e.rendered_with)
                                            ORDER BY e.id), '[]')
                   FROM incident_sections e WHERE e.incident_id = i.id) AS "sections!: Json<Vec<SectionJson>>",
                  CASE WHEN $2 THEN
                      (SELECT coalesce(json_agg(json_build_object(
                                  'author', coalesce(nullif(u.name, ''), u.email, 'someone'), 'kind', c.kind,
                                  'body', c.body, 'created_at', c.created_at, 'html', c.html,
                                  'rendered_with', c.rendered_with) ORDER BY c.created_at, c.id), '[]')
                       FROM review_comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.incident_id = i.id)
                  END AS "comments: Json<Vec<ReviewComment>>",
                  CASE WHEN $2 THEN
                      (SELECT json_build_object('actor', coalesce(nullif(u.name, ''), u.email, 'the command line'),
                                                'at', e.at)
                       FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
                       WHERE e.incident_id = i.id ORDER BY e.at DESC, e.id DESC LIMIT 1)
                  END AS "last_change: Json<LastChangeJson>",
                  CASE WHEN $2 THEN (SELECT max(r.number) FROM revisions r WHERE r.incident_id = i.id)
                  END AS latest_revision,
                  CASE WHEN $2 THEN
                      (SELECT max(r.number) FROM revisions r WHERE r.incident_id = i.id AND r.published)
                  END AS published_revision,
                  CASE WHEN $2 AND $3 AND v.people_version IS DISTINCT FROM $4 THEN picker_people() END
                      AS "people: Json<Vec<User>>",
                  CASE WHEN $2 AND $3 AND v.teams_version IS DISTINCT FROM $5 THEN picker_teams() END
                      AS "teams: Json<Vec<Team>>",
                  (SELECT r.review FROM severity_rules r WHERE r.severity = i.severity) AS "review: ReviewRule",
                  incident_labels(i.id) AS "labels!: Json<Labels>",
                  incident_recurrence_refs(i.id) AS "recurrences!: Json<Recurrences>"
           FROM incidents i
           CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(x.section ORDER BY x.section), '{}') AS keys,
                      coalesce(array_agg(x.body ORDER BY x.section), '{}') AS bodies,
                      coalesce(array_agg(x.html ORDER BY x.section), '{}') AS html,
                      coalesce(array_agg(x.rendered_with ORDER BY x.section), '{}') AS rendered
               FROM incident_texts x WHERE x.incident_id = i.id
           ) t
           CROSS JOIN LATERAL (
               SELECT (SELECT n FROM change_counters WHERE name = 'users') AS people_version,
                      (SELECT n FROM change_counters WHERE name = 'teams') AS teams_version
           ) v
           WHERE i.id = $1"#,
        id as IncidentId,
        for_page,
        lists.pickers,
        lists.people_kept,
        lists.teams_kept,
    )
    .fetch_optional(&mut *conn)
    .await
}

/// The action items of the incident `row` is (the second query), and everything put together.
async fn rest(conn: &mut PgConnection, row: Row, for_page: bool) -> sqlx::Result<Loaded> {
    let action_items: Vec<WithHtml<ActionItem>> =
        sqlx::query_as("SELECT a.* FROM action_item_rows a WHERE a.incident_id = $1 ORDER BY a.id")
            .bind(row.id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(loaded(row, action_items, for_page))
}

fn loaded(row: Row, action_items: Vec<WithHtml<ActionItem>>, for_page: bool) -> Loaded {
    let mut texts = PerSection::<String>::default();
    let mut texts_html = PerSection::<StoredHtml>::default();
    let stored = row.text_keys.iter().zip(row.text_bodies).zip(row.text_html).zip(row.text_rendered);
    for (((key, body), html), rendered_with) in stored {
        if let Some(section) = Section::from_key(key) {
            texts[section] = body;
            texts_html[section] = StoredHtml { html, rendered_with };
        }
    }
    let (sections, sections_html) = row
        .sections
        .0
        .into_iter()
        .map(|s| {
            let html = StoredHtml { html: s.html, rendered_with: s.rendered_with };
            (ExtraSection { id: s.id, incident_id: row.id, heading: s.heading, body: s.body }, html)
        })
        .unzip();
    let (timeline, timeline_html) = row
        .timeline
        .0
        .into_iter()
        .map(|e| {
            let html = StoredHtml { html: e.html, rendered_with: e.rendered_with };
            let entry = TimelineEntry {
                id: e.id,
                incident_id: row.id,
                occurred_at: e.occurred_at,
                body: e.body,
                time_as_written: e.time_as_written,
                marker: e.marker,
            };
            (entry, html)
        })
        .unzip();
    let (action_items, items_html) = split(action_items);
    let extras = for_page.then(|| PageExtras {
        comments: row.comments.map(|c| c.0).unwrap_or_default(),
        last_change: row.last_change.map(|c| LastChange { actor: c.0.actor, at: c.0.at }),
        revisions: (row.latest_revision, row.published_revision),
    });
    let incident = Incident {
        id: row.id,
        title: row.title,
        severity: row.severity,
        status: row.status,
        started_at: row.started_at,
        ended_at: row.ended_at,
        offset: Offset::from_minutes(row.utc_offset_minutes),
        texts,
        headings: row.section_headings.0,
        template: row.template_outline.map(|outline| outline.0),
        version: row.version,
        updated_at: row.updated_at,
    };
    Loaded {
        html: PostmortemHtml {
            texts: texts_html,
            timeline: timeline_html,
            action_items: items_html,
            sections: sections_html,
        },
        postmortem: Postmortem {
            incident,
            timeline,
            action_items,
            sections,
            labels: row.labels.0,
            recurrences: row.recurrences.0,
        },
        extras,
    }
}

fn split<T>(rows: Vec<WithHtml<T>>) -> (Vec<T>, Vec<StoredHtml>) {
    rows.into_iter().map(|row| (row.value, row.html)).unzip()
}

/// Postmortem `id` and its stored HTML, without the page's extras.
pub async fn load(conn: &mut PgConnection, id: IncidentId) -> sqlx::Result<Option<Loaded>> {
    let Some(row) = first_query(&mut *conn, id, false, ForPage::default()).await? else { return Ok(None) };
    Ok(Some(rest(conn, row, false).await?))
}

/// Postmortem `id`, without its HTML: for the export, the API and revisions.
pub async fn find(conn: &mut PgConnection, id: IncidentId) -> sqlx::Result<Option<Postmortem>> {
    Ok(load(conn, id).await?.map(|loaded| loaded.postmortem))
}

/// Postmortem `id`'s services, tags and factors (empty if there is no such postmortem).
pub async fn labels(db: &mut PgConnection, id: IncidentId) -> sqlx::Result<Labels> {
    let labels = sqlx::query_scalar!(r#"SELECT incident_labels($1) AS "labels!: Json<Labels>""#, id as IncidentId)
        .fetch_one(&mut *db)
        .await?;
    Ok(labels.0)
}

/// Every postmortem, newest first, in five queries however many there are (for the archive
/// download and `hindsight export --all`).
pub async fn all(db: &mut PgConnection) -> sqlx::Result<Vec<Postmortem>> {
    let incidents = super::incidents::all(&mut *db).await?;
    let timeline: Vec<TimelineEntry> = sqlx::query_as(
        "SELECT e.id, e.incident_id, e.occurred_at, e.body, e.time_as_written, e.marker FROM timeline_entries e \
             ORDER BY e.incident_id, e.occurred_at, e.id",
    )
    .fetch_all(&mut *db)
    .await?;
    let items: Vec<ActionItem> =
        sqlx::query_as("SELECT a.* FROM action_item_rows a ORDER BY a.incident_id, a.id").fetch_all(&mut *db).await?;
    let sections: Vec<ExtraSection> = sqlx::query_as(
        "SELECT s.id, s.incident_id, s.heading, s.body FROM incident_sections s ORDER BY s.incident_id, s.id",
    )
    .fetch_all(&mut *db)
    .await?;
    let mut labels: HashMap<IncidentId, (Labels, Recurrences)> = sqlx::query!(
        r#"SELECT id AS "id: IncidentId", incident_labels(id) AS "labels!: Json<Labels>",
                  incident_recurrence_refs(id) AS "recurrences!: Json<Recurrences>"
           FROM incidents"#
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|row| (row.id, (row.labels.0, row.recurrences.0)))
    .collect();
    let mut timelines = group(timeline, |e| e.incident_id);
    let mut items = group(items, |i| i.incident_id);
    let mut sections = group(sections, |s| s.incident_id);
    Ok(incidents
        .into_iter()
        .map(|incident| {
            let id = incident.id;
            let (labels, recurrences) = labels.remove(&id).unwrap_or_default();
            Postmortem {
                incident,
                timeline: timelines.remove(&id).unwrap_or_default(),
                action_items: items.remove(&id).unwrap_or_default(),
                sections: sections.remove(&id).unwrap_or_default(),
                labels,
                recurrences,
            }
        })
        .collect())
}

/// Groups rows by incident, keeping their order.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> IncidentId) -> HashMap<IncidentId, Vec<T>> {
    let mut groups: HashMap<IncidentId, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}
