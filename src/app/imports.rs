//! Saving imported postmortems: each one whole, with its timeline, action items and sections,
//! or not at all.

use sqlx::{Connection, PgConnection, Postgres, Transaction};

use super::revisions::{self, Step};
use super::{Actor, ChangeError, Result, html};
use crate::db;
use crate::domain::input::IncidentDraft;
use crate::domain::limits;
use crate::domain::{AuditAction, IncidentId, PerSection, Status};
use crate::format;
use crate::import::draft::Drafts;
use crate::markdown::RENDERER_VERSION;

/// Saves one imported document.
pub async fn save(conn: &mut PgConnection, actor: Actor, drafts: &Drafts) -> Result<IncidentId> {
    Ok(save_all(&mut *conn, actor, std::slice::from_ref(drafts)).await?.remove(0))
}

/// Saves several documents at once: all of them, or (on any error) none.
pub async fn save_all(conn: &mut PgConnection, actor: Actor, documents: &[Drafts]) -> Result<Vec<IncidentId>> {
    // The same limits as the forms, whichever way the document came (page, API, command line).
    for drafts in documents {
        limits::check_postmortem(&drafts.incident, &drafts.timeline, &drafts.action_items, &drafts.sections)
            .map_err(ChangeError::Invalid)?;
    }
    // Rendering whole documents takes a while: before the transaction, off the async workers.
    let owned = documents.to_vec();
    let rendered = tokio::task::spawn_blocking(move || owned.iter().map(Html::of).collect::<Vec<_>>())
        .await
        .map_err(|error| ChangeError::Internal(format!("rendering imported documents: {error}")))?;
    let mut tx = conn.begin().await?;
    let mut ids = Vec::with_capacity(documents.len());
    for (drafts, html) in documents.iter().zip(&rendered) {
        ids.push(insert(&mut tx, actor, drafts, html).await?);
    }
    super::commit(tx).await?;
    Ok(ids)
}

/// The HTML of every Markdown piece of a document, in the order of its drafts.
struct Html {
    texts: PerSection<String>,
    timeline: Vec<String>,
    action_items: Vec<String>,
    sections: Vec<String>,
}

impl Html {
    fn of(drafts: &Drafts) -> Html {
        Html {
            texts: drafts.incident.texts.map(|_, text| html(text)),
            timeline: drafts.timeline.iter().map(|entry| html(&entry.body)).collect(),
            action_items: drafts.action_items.iter().map(|item| html(&item.body)).collect(),
            sections: drafts.sections.iter().map(|section| html(&section.body)).collect(),
        }
    }
}

/// Inserts one postmortem (which this transaction then holds: nobody else can see it yet).
async fn insert(tx: &mut Transaction<'_, Postgres>, actor: Actor, drafts: &Drafts, html: &Html) -> Result<IncidentId> {
    // An import lands as a draft whatever the document says: only a review publishes, with a
    // manager's approval and a published revision.
    let incident = IncidentDraft { status: Status::Draft, ..drafts.incident.clone() };
    let id = db::incidents::insert(&mut **tx, &incident, &html.texts, RENDERER_VERSION, None).await?;
    for (entry, html) in drafts.timeline.iter().zip(&html.timeline) {
        db::timeline::insert(&mut **tx, id, entry, html, RENDERER_VERSION).await?;
    }
    for (item, html) in drafts.action_items.iter().zip(&html.action_items) {
        db::action_items::insert(&mut **tx, id, item, html, RENDERER_VERSION).await?;
    }
    for (section, html) in drafts.sections.iter().zip(&html.sections) {
        db::sections::insert(&mut **tx, id, section, html, RENDERER_VERSION).await?;
    }
    super::labels::save_new(tx, id, &drafts.labels).await?;
    recurrences(tx, actor, id, drafts).await?;
    let summary = format!("Imported the postmortem “{}”", drafts.incident.title);
    db::audit::record(&mut **tx, actor.user(), AuditAction::IncidentImported, &summary, Some(id)).await?;
    revisions::record(tx, id, actor, Step::Edit).await?;
    Ok(id)
}

/// An imported export's "Happened before" lines. Ids are per instance, and a wiki export is
/// often imported into another one, where `#12` is some unrelated postmortem: so a line is
/// recorded as a confirmed recurrence only when `#12` here has that very title and started
/// earlier (a document exported from this instance and imported again); every other line is
/// kept as written, and the export writes it again. "Happened again" lines and an item's
/// "Recurred in" are always kept as written: linking them would change the later postmortem,
/// which already names the one it repeats, by importing a copy of the earlier one.
async fn recurrences(tx: &mut Transaction<'_, Postgres>, actor: Actor, id: IncidentId, drafts: &Drafts) -> Result<()> {
    let mut unlinked = Vec::new();
    for line in &drafts.recurrences.happened_before {
        let earlier = match format::read_incident_ref(line) {
            Some((number, title)) => match db::incidents::find(&mut **tx, IncidentId(number)).await? {
                Some(earlier)
                    if earlier.title == title
                        && earlier.started_at.zip(drafts.incident.started_at).is_some_and(|(e, this)| e < this) =>
                {
                    Some(earlier.id)
                }
                _ => None,
            },
            None => None,
        };
        match earlier {
            Some(earlier) => {
                db::recurrences::insert(&mut **tx, id, earlier, actor.user()).await?;
                // Its page and export name this one now.
                db::incidents::touch(&mut **tx, earlier).await?;
            }
            None => unlinked.push(line.clone()),
        }
    }
    let again = &drafts.recurrences.happened_again;
    if !unlinked.is_empty() || !again.is_empty() {
        db::recurrences::keep_as_written(&mut **tx, id, &unlinked, again).await?;
    }
    Ok(())
}
