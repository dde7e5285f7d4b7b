//! HTML made by an older renderer is made again: for one postmortem, when its page found some
//! (the page already showed it freshly rendered), and for everything, by `hindsight migrate`
//! after an upgrade. Either way in short transactions of a few rows, which skip rows being
//! changed at that moment (the change stores new HTML itself).

use sqlx::{Connection, PgConnection};

use super::{ChangeError, Result};
use crate::db::rendering::{self, RenderedTable};
use crate::domain::IncidentId;
use crate::markdown::{RENDERER_VERSION, render};

/// Rows re-rendered per transaction.
const BATCH: i64 = 100;

/// Renders again the stale HTML of postmortem `incident`. Returns how many pieces it stored.
pub async fn refresh_postmortem(conn: &mut PgConnection, incident: IncidentId) -> Result<usize> {
    refresh(&mut *conn, Some(incident)).await
}

/// Renders again every stale piece of HTML, public versions' snapshots included. Returns how
/// many it stored.
pub async fn refresh_all(conn: &mut PgConnection) -> Result<usize> {
    let stored = refresh(&mut *conn, None).await?;
    Ok(stored + super::public_versions::render_snapshots_again(&mut *conn).await?)
}

async fn refresh(conn: &mut PgConnection, incident: Option<IncidentId>) -> Result<usize> {
    let mut stored = 0;
    let mut touched: Vec<IncidentId> = Vec::new();
    for table in RenderedTable::ALL {
        loop {
            let mut tx = conn.begin().await?;
            let rows = rendering::stale(&mut tx, table, incident, RENDERER_VERSION, BATCH).await?;
            if rows.is_empty() {
                break;
            }
            let done = rows.len();
            let rendered = tokio::task::spawn_blocking(move || {
                rows.into_iter()
                    .map(|row| {
                        let html = render(&row.markdown).into_string();
                        (row, html)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|error| ChangeError::Internal(format!("rendering stored Markdown: {error}")))?;
            rendering::store(&mut tx, table, &rendered, RENDERER_VERSION).await?;
            super::commit(tx).await?;
            touched.extend(rendered.iter().map(|(row, _)| row.incident));
            stored += done;
            if done < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
    }
    // Pages that kept these postmortems read them again (after the commit, so no lock is held:
    // a page that reads them in between still shows freshly rendered HTML).
    touched.sort_unstable();
    touched.dedup();
    for ids in touched.chunks(1000) {
        crate::db::incidents::touch_all(&mut *conn, ids).await?;
    }
    Ok(stored)
}
