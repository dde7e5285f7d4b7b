//! `hindsight demo --incidents N`: fills an empty database with made-up postmortems, teams,
//! people and action items (ten a postmortem), for trying Hindsight out and for the
//! benchmarks. The bulk is one SQL script (`demo.sql`); each postmortem's first revision is
//! then recorded the ordinary way.

use std::time::Instant;

use anyhow::{Context as _, bail};
use sqlx::PgPool;

/// The most postmortems `demo` makes.
pub const MAX_INCIDENTS: u32 = 100_000;

/// What `generate` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub incidents: i64,
    pub action_items: i64,
    pub teams: i64,
    pub people: i64,
}

/// Makes `incidents` postmortems and everything around them, in one transaction. Refuses a
/// database that already has postmortems: demo data is not to be mixed with real work.
pub async fn generate(pool: &PgPool, incidents: u32) -> anyhow::Result<Made> {
    if incidents == 0 || incidents > MAX_INCIDENTS {
        bail!("--incidents must be between 1 and {MAX_INCIDENTS}");
    }
    if crate::db::incidents::count(pool).await? > 0 {
        bail!("the database already has postmortems; demo data goes into an empty database");
    }
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT set_config('hindsight.demo_incidents', $1, true)")
        .bind(incidents.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(include_str!("demo.sql")).execute(&mut *tx).await.context("could not write the demo data")?;
    // Every search document in one statement, rather than one by one at commit.
    crate::db::search::refresh_pending(&mut *tx).await.context("could not index the demo data")?;
    // The learning pages' counts at once, rather than at the server's first fold.
    crate::db::learning::fold_counts(&mut *tx).await.context("could not count the demo data")?;
    // Statistics for every table the demo filled: the planner's choices on a large demo
    // (which the load scripts measure) must not wait for autovacuum, which may be off.
    sqlx::query("ANALYZE").execute(&mut *tx).await?;
    tx.commit().await?;
    // The deltas the demo's triggers wrote are folded: their rows are dead, and no server has
    // vacuumed them yet.
    crate::db::learning::vacuum_deltas(pool).await?;
    tracing::info!(seconds = started.elapsed().as_secs_f32(), "Wrote the demo data");
    let rendered = crate::app::rendering::refresh_all(&mut *pool.acquire().await?).await?;
    tracing::info!(seconds = started.elapsed().as_secs_f32(), pieces = rendered, "Rendered the demo Markdown");
    record_first_revisions(pool).await?;
    tracing::info!(seconds = started.elapsed().as_secs_f32(), "Recorded the first revisions");
    // A database in use is vacuumed by autovacuum, which may be off here: without it the
    // postmortems' rows touched by their first revision stay dead, no page is marked all
    // visible, and the load scripts would measure every index-only scan reading the table.
    sqlx::query("VACUUM (ANALYZE)").execute(pool).await.context("could not vacuum the demo data")?;
    tracing::info!(seconds = started.elapsed().as_secs_f32(), "Vacuumed");
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await
    };
    Ok(Made {
        incidents: count("incidents").await?,
        action_items: count("action_items").await?,
        teams: count("teams").await?,
        people: count("users").await?,
    })
}

/// How many connections record the first revisions side by side: each revision is made in
/// Rust (the Markdown export and its HTML) and written in PostgreSQL, so two keep two cores
/// busy; more only wait on each other.
const REVISION_WORKERS: usize = 2;

/// Records every demo postmortem's first revision, the list shared among [`REVISION_WORKERS`]
/// connections. Each commits without waiting for its write to reach the disk
/// (`synchronous_commit = off`): a crash loses at most the last moments of made-up data, which
/// `demo` writes again into a new database, and a hundred thousand flushes cost minutes. Each
/// statement is planned for the table as it is then: the revisions table starts empty (and
/// autovacuum, which would analyze it, may be off), so a plan kept from the first statements
/// reads the whole table for each postmortem's latest revision, slower with every one.
async fn record_first_revisions(pool: &PgPool) -> anyhow::Result<()> {
    let missing = crate::app::revisions::without_history(&mut *pool.acquire().await?).await?;
    let share = missing.len().div_ceil(REVISION_WORKERS).max(1);
    let mut workers = tokio::task::JoinSet::new();
    for part in missing.chunks(share).map(<[_]>::to_vec) {
        let pool = pool.clone();
        workers.spawn(async move {
            let mut conn = pool.acquire().await?;
            sqlx::query("SET synchronous_commit = off").execute(&mut *conn).await?;
            sqlx::query("SET plan_cache_mode = force_custom_plan").execute(&mut *conn).await?;
            let recorded = crate::app::revisions::record_first(&mut conn, &part).await;
            // The connection goes back to the pool: it must commit and plan as every other does.
            sqlx::query("RESET synchronous_commit").execute(&mut *conn).await?;
            sqlx::query("RESET plan_cache_mode").execute(&mut *conn).await?;
            recorded?;
            anyhow::Ok(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done.context("a revision worker stopped")??;
    }
    Ok(())
}
