//! A whole postmortem in one query: the incident row with its sections' texts, timeline,
//! action items and extra sections, each with its stored HTML, aggregated as JSON. For the
//! postmortem page, the same query also brings what the page shows around the document (the
//! review discussion, who last changed it, its revision numbers) and, when the instance's kept
//! picker lists are out of date, the lists themselves, so the page costs one query besides the
//! session's.

use sqlx::types::Json;
use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

use crate::domain::time::Offset;
use crate::domain::{
    ActionItem, CommentKind, ExtraSection, Incident, IncidentId, PerSection, Postmortem, SectionHeadings, Severity,
    Status, StoredHtml, Team, TimelineEntry, User, WithHtml,
};

/// A section's text with its stored HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct StoredText {
    pub body: String,
    #[serde(flatten)]
    pub html: StoredHtml,
}

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
    #[serde(flatten)]
    pub html: StoredHtml,
}

/// Who changed the postmortem last, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct LastChange {
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What the postmortem page shows besides the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageExtras {
    pub comments: Vec<ReviewComment>,
    pub last_change: Option<LastChange>,
    /// The latest revision's number, and the latest published one's.
    pub revisions: (Option<i32>, Option<i32>),
    /// The change counters of people and of teams now, and the lists themselves when the
    /// versions the caller keeps are not these.
    pub people_version: i64,
    pub teams_version: i64,
    pub people: Option<Vec<User>>,
    pub teams: Option<Vec<Team>>,
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

struct Row {
    id: IncidentId,
    title: String,
    severity: Severity,
    status: Status,
    started_at: OffsetDateTime,
    ended_at: Option<OffsetDateTime>,
    utc_offset_minutes: i32,
    section_headings: Json<SectionHeadings>,
    version: i32,
    updated_at: OffsetDateTime,
    texts: Option<Json<PerSection<StoredText>>>,
    timeline: Json<Vec<WithHtml<TimelineEntry>>>,
    action_items: Json<Vec<WithHtml<ActionItem>>>,
    sections: Json<Vec<WithHtml<ExtraSection>>>,
    comments: Option<Json<Vec<ReviewComment>>>,
    last_change: Option<Json<LastChange>>,
    latest_revision: Option<i32>,
    published_revision: Option<i32>,
    people_version: Option<i64>,
    teams_version: Option<i64>,
    people: Option<Json<Vec<User>>>,
    teams: Option<Json<Vec<Team>>>,
}

/// Postmortem `id` in one query; with `page`, with the page's extras too.
pub async fn load(db: impl PgExecutor<'_>, id: IncidentId, page: Option<ForPage>) -> sqlx::Result<Option<Loaded>> {
    let for_page = page.is_some();
    let page = page.unwrap_or_default();
    // The extras' subqueries sit in CASE branches, which PostgreSQL runs only when taken.
    let row = sqlx::query_as!(
        Row,
        r#"SELECT i.id AS "id: IncidentId", i.title, i.severity AS "severity: Severity",
                  i.status AS "status: Status", i.started_at, i.ended_at, i.utc_offset_minutes,
                  i.section_headings AS "section_headings: Json<SectionHeadings>", i.version, i.updated_at,
                  (SELECT json_object_agg(t.section, json_build_object(
                              'body', t.body, 'html', t.html, 'rendered_with', t.rendered_with))
                   FROM incident_texts t WHERE t.incident_id = i.id) AS "texts: Json<PerSection<StoredText>>",
                  (SELECT coalesce(json_agg(e ORDER BY e.occurred_at, e.id), '[]')
                   FROM timeline_entries e WHERE e.incident_id = i.id)
                      AS "timeline!: Json<Vec<WithHtml<TimelineEntry>>>",
                  (SELECT coalesce(json_agg(a ORDER BY a.id), '[]')
                   FROM action_item_rows a WHERE a.incident_id = i.id)
                      AS "action_items!: Json<Vec<WithHtml<ActionItem>>>",
                  (SELECT coalesce(json_agg(s ORDER BY s.id), '[]')
                   FROM incident_sections s WHERE s.incident_id = i.id)
                      AS "sections!: Json<Vec<WithHtml<ExtraSection>>>",
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
                  END AS "last_change: Json<LastChange>",
                  CASE WHEN $2 THEN (SELECT max(r.number) FROM revisions r WHERE r.incident_id = i.id)
                  END AS latest_revision,
                  CASE WHEN $2 THEN
                      (SELECT max(r.number) FROM revisions r WHERE r.incident_id = i.id AND r.published)
                  END AS published_revision,
                  c.people_version, c.teams_version,
                  CASE WHEN $2 AND $3 AND c.people_version IS DISTINCT FROM $4 THEN picker_people() END
                      AS "people: Json<Vec<User>>",
                  CASE WHEN $2 AND $3 AND c.teams_version IS DISTINCT FROM $5 THEN picker_teams() END
                      AS "teams: Json<Vec<Team>>"
           FROM incidents i
           CROSS JOIN LATERAL (
               SELECT CASE WHEN $2 THEN (SELECT n FROM change_counters WHERE name = 'users') END AS people_version,
                      CASE WHEN $2 THEN (SELECT n FROM change_counters WHERE name = 'teams') END AS teams_version
           ) c
           WHERE i.id = $1"#,
        id as IncidentId,
        for_page,
        page.pickers,
        page.people_kept,
        page.teams_kept,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| loaded(row, for_page)))
}

fn loaded(row: Row, for_page: bool) -> Loaded {
    let texts = row.texts.map(|texts| texts.0).unwrap_or_default();
    let (timeline, timeline_html) = split(row.timeline.0);
    let (action_items, items_html) = split(row.action_items.0);
    let (sections, sections_html) = split(row.sections.0);
    let extras = for_page.then(|| PageExtras {
        comments: row.comments.map(|c| c.0).unwrap_or_default(),
        last_change: row.last_change.map(|c| c.0),
        revisions: (row.latest_revision, row.published_revision),
        people_version: row.people_version.unwrap_or_default(),
        teams_version: row.teams_version.unwrap_or_default(),
        people: row.people.map(|people| people.0),
        teams: row.teams.map(|teams| teams.0),
    });
    let incident = Incident {
        id: row.id,
        title: row.title,
        severity: row.severity,
        status: row.status,
        started_at: row.started_at,
        ended_at: row.ended_at,
        offset: Offset::from_minutes(row.utc_offset_minutes),
        texts: texts.map(|_, text| text.body.clone()),
        headings: row.section_headings.0,
        version: row.version,
        updated_at: row.updated_at,
    };
    Loaded {
        html: PostmortemHtml {
            texts: texts.map(|_, text| text.html.clone()),
            timeline: timeline_html,
            action_items: items_html,
            sections: sections_html,
        },
        postmortem: Postmortem { incident, timeline, action_items, sections },
        extras,
    }
}

fn split<T>(rows: Vec<WithHtml<T>>) -> (Vec<T>, Vec<StoredHtml>) {
    rows.into_iter().map(|row| (row.value, row.html)).unzip()
}

/// Postmortem `id`, without its HTML: for the export, the API and revisions.
pub async fn find(db: impl PgExecutor<'_>, id: IncidentId) -> sqlx::Result<Option<Postmortem>> {
    Ok(load(db, id, None).await?.map(|loaded| loaded.postmortem))
}

/// Every postmortem, newest first, in two queries however many there are (for the archive
/// download and `hindsight export --all`).
pub async fn all(pool: &PgPool) -> sqlx::Result<Vec<Postmortem>> {
    let incidents = super::incidents::all(pool).await?;
    let rows = sqlx::query!(
        r#"SELECT (SELECT coalesce(json_agg(e ORDER BY e.incident_id, e.occurred_at, e.id), '[]')
                   FROM timeline_entries e) AS "timeline!: Json<Vec<TimelineEntry>>",
                  (SELECT coalesce(json_agg(a ORDER BY a.incident_id, a.id), '[]')
                   FROM action_item_rows a) AS "action_items!: Json<Vec<ActionItem>>",
                  (SELECT coalesce(json_agg(s ORDER BY s.incident_id, s.id), '[]')
                   FROM incident_sections s) AS "sections!: Json<Vec<ExtraSection>>""#
    )
    .fetch_one(pool)
    .await?;
    let mut timelines = group(rows.timeline.0, |e| e.incident_id);
    let mut items = group(rows.action_items.0, |i| i.incident_id);
    let mut sections = group(rows.sections.0, |s| s.incident_id);
    Ok(incidents
        .into_iter()
        .map(|incident| {
            let id = incident.id;
            Postmortem {
                incident,
                timeline: timelines.remove(&id).unwrap_or_default(),
                action_items: items.remove(&id).unwrap_or_default(),
                sections: sections.remove(&id).unwrap_or_default(),
            }
        })
        .collect())
}

/// Groups rows by incident, keeping their order.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> IncidentId) -> std::collections::HashMap<IncidentId, Vec<T>> {
    let mut groups: std::collections::HashMap<IncidentId, Vec<T>> = std::collections::HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}
