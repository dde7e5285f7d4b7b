//! Services, tags and contributing factors: saving a postmortem's (inside its change), and the
//! admin's changes to the managed lists (renaming and merging services; adding, renaming,
//! describing and retiring kinds of factor).
//!
//! An admin's change to a service touches every postmortem naming it (their pages show its
//! name), so it locks those postmortems first, in id order, and only then the services: the
//! order a postmortem's own change takes them in (its row, then the services it names), so the
//! two wait for each other instead of deadlocking.

use sqlx::PgConnection;

use super::{Actor, Change, ChangeError, PostmortemChange, Result, expected_version, is_unique_violation};
use crate::db;
use crate::db::services::Service;
use crate::domain::input::FieldErrors;
use crate::domain::labels::{
    self, FactorChoice, FactorKind, LabelsDraft, MAX_FACTOR_DESCRIPTION_CHARS, MAX_SERVICE_CHARS,
};
use crate::domain::{AuditAction, FactorKindId, IncidentId, ServiceId};

/// Sets the services, tags and factors of the postmortem `change` holds. Services named that
/// do not exist are created; a kind of factor named (an import) that does not exist is added
/// to the taxonomy.
pub(super) async fn save(change: &mut PostmortemChange<'_>, draft: &LabelsDraft) -> Result<()> {
    let id = change.id;
    save_new(change.conn(), id, draft).await
}

/// [`save`] for postmortem `id` that this transaction has just inserted (an import).
pub(super) async fn save_new(conn: &mut PgConnection, id: IncidentId, draft: &LabelsDraft) -> Result<()> {
    // In one order, so that two saves creating the same new names wait rather than deadlock.
    let mut names: Vec<&String> = draft.services.iter().collect();
    names.sort_by_key(|name| name.to_lowercase());
    let mut services = Vec::with_capacity(names.len());
    for name in names {
        let service = db::services::resolve(&mut *conn, name).await?;
        if !services.contains(&service) {
            services.push(service);
        }
    }
    db::services::set_for_incident(&mut *conn, id, &services).await?;
    db::tags::set_for_incident(&mut *conn, id, &draft.tags).await?;
    let mut factors: Vec<(FactorKindId, String)> = Vec::with_capacity(draft.factors.len());
    for (choice, explanation) in &draft.factors {
        let kind = match choice {
            FactorChoice::Kind(kind) => *kind,
            FactorChoice::Named(name) => match db::factors::named(&mut *conn, name).await? {
                Some(kind) => kind,
                None => db::factors::insert(&mut *conn, name, "").await?,
            },
        };
        if !factors.iter().any(|(kept, _)| *kept == kind) {
            factors.push((kind, explanation.clone()));
        }
    }
    db::factors::set_for_incident(&mut *conn, id, &factors).await?;
    Ok(())
}

/// Services, tags and factors as a script sends them (`POST /api/incidents/{id}/labels`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelsInput {
    /// The postmortem's version the change is based on.
    pub version: Option<i32>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub factors: Vec<FactorInput>,
}

/// A factor by its kind's id or name (whatever its case), with how it contributed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactorInput {
    pub id: Option<FactorKindId>,
    pub name: Option<String>,
    pub explanation: String,
}

impl LabelsInput {
    /// The labels to save, given the taxonomy's `kinds`, or what is wrong with them.
    fn checked(&self, kinds: &[FactorKind]) -> Result<LabelsDraft> {
        let mut errors = FieldErrors::default();
        let list = |errors: &mut FieldErrors, field: &'static str, names: &[String], what: &str| {
            if names.iter().any(|name| name.contains(',')) {
                errors.add(field, format!("A {what} cannot contain a comma."));
            }
            names.join(",")
        };
        let services = list(&mut errors, "services", &self.services, "service");
        let services = labels::services(&mut errors, "services", &services);
        let tags = list(&mut errors, "tags", &self.tags, "tag");
        let tags = labels::tags(&mut errors, "tags", &tags);
        let mut factors: Vec<(FactorChoice, String)> = Vec::new();
        for factor in &self.factors {
            let kind = kinds.iter().find(|kind| match (&factor.id, &factor.name) {
                (Some(id), _) => kind.id == *id,
                (None, Some(name)) => kind.name.to_lowercase() == name.trim().to_lowercase(),
                (None, None) => false,
            });
            let Some(kind) = kind else {
                let named = factor.name.clone().or(factor.id.map(|id| id.to_string())).unwrap_or_default();
                errors.add("factors", format!("There is no contributing factor “{named}”; see GET /api/factors."));
                continue;
            };
            let explanation = labels::explanation(&mut errors, "factors", &kind.name, &factor.explanation);
            if !factors.iter().any(|(choice, _)| *choice == FactorChoice::Kind(kind.id)) {
                factors.push((FactorChoice::Kind(kind.id), explanation));
            }
        }
        if factors.len() > labels::MAX_FACTORS {
            errors.add("factors", format!("Name at most {} contributing factors.", labels::MAX_FACTORS));
        }
        if errors.is_empty() { Ok(LabelsDraft { services, tags, factors }) } else { Err(ChangeError::Invalid(errors)) }
    }
}

/// Sets postmortem `id`'s services, tags and factors, if nobody changed it since the version
/// `input` names; its version goes up, so a form loaded before sees the change as a conflict.
pub async fn set(conn: &mut PgConnection, actor: Actor, id: IncidentId, input: &LabelsInput) -> Result<()> {
    let version = expected_version(input.version)?;
    let kinds = db::factors::kinds(&mut *conn).await?;
    let draft = input.checked(&kinds)?;
    let mut change = PostmortemChange::begin(&mut *conn, id, actor).await?;
    if !db::incidents::bump_version(change.conn(), id, version).await? {
        return Err(ChangeError::Stale);
    }
    save(&mut change, &draft).await?;
    let step = Some(super::revisions::Step::Edit);
    change.commit(AuditAction::IncidentEdited, "Changed the services, tags and contributing factors", step).await?;
    tracing::info!(incident.id = %id, "Changed a postmortem's labels");
    Ok(())
}

/// The labels a form names, checked against the taxonomy as it is now.
pub(super) async fn checked(
    conn: &mut PgConnection,
    form: &crate::domain::input::IncidentForm,
) -> Result<Result<LabelsDraft, FieldErrors>> {
    let kinds = db::factors::kinds(&mut *conn).await?;
    Ok(form.validate_labels(&kinds))
}

/// Renames service `id`, if nobody changed it since `version`. A name another service already
/// has (whatever its case) is refused, suggesting a merge.
pub async fn rename_service(
    conn: &mut PgConnection,
    actor: Actor,
    id: ServiceId,
    version: Option<i32>,
    name: &str,
) -> Result<()> {
    let version = expected_version(version)?;
    let mut errors = FieldErrors::default();
    let name = labels::name(&mut errors, "name", name, "service", MAX_SERVICE_CHARS);
    if !errors.is_empty() {
        return Err(ChangeError::Invalid(errors));
    }
    for _ in 0..ATTEMPTS {
        let mut change = Change::begin(&mut *conn, actor).await?;
        let Some((services, incidents)) = hold_services(change.conn(), &[id]).await? else { continue };
        let service = current(&services[0], version)?;
        if let Err(error) = db::services::rename(change.conn(), id, &name).await {
            return Err(if is_unique_violation(&error) {
                ChangeError::field(
                    "name",
                    format!(
                        "There is already a service called “{name}”. To make them one, merge “{}” into it.",
                        service.name
                    ),
                )
            } else {
                error.into()
            });
        }
        db::incidents::touch_all(change.conn(), &incidents).await?;
        let summary = format!("Renamed the service “{}” to “{name}”", service.name);
        change.commit(AuditAction::ServiceRenamed, &summary).await?;
        tracing::info!(service.id = %id, "Renamed a service");
        return Ok(());
    }
    Err(busy())
}

/// Merges service `from` into `into`, if nobody changed `from` since `version`: every
/// postmortem naming `from` names `into` instead, and `from` leads to `into` from then on.
pub async fn merge_service(
    conn: &mut PgConnection,
    actor: Actor,
    from: ServiceId,
    version: Option<i32>,
    into: Option<ServiceId>,
) -> Result<()> {
    let version = expected_version(version)?;
    let Some(into) = into.filter(|into| *into != from) else {
        return Err(ChangeError::field("into", "Choose another service to merge this one into."));
    };
    for _ in 0..ATTEMPTS {
        let mut change = Change::begin(&mut *conn, actor).await?;
        let Some((services, incidents)) = hold_services(change.conn(), &[from, into]).await? else { continue };
        let source = current(&services[0], version)?;
        let target = match &services[1] {
            Some(target) if target.merged_into.is_none() => target.clone(),
            _ => return Err(ChangeError::field("into", "That service is no longer in the list; choose another.")),
        };
        db::services::merge(change.conn(), from, into).await?;
        db::incidents::touch_all(change.conn(), &incidents).await?;
        let summary = format!("Merged the service “{}” into “{}”", source.name, target.name);
        change.commit(AuditAction::ServiceMerged, &summary).await?;
        tracing::info!(service.id = %from, into = %into, "Merged a service");
        return Ok(());
    }
    Err(busy())
}

/// That a service an admin's form loaded is still there, in use and at `version`.
fn current(service: &Option<Service>, version: i32) -> Result<Service> {
    match service {
        None => Err(ChangeError::NotFound),
        Some(service) if service.merged_into.is_some() || service.version != version => Err(ChangeError::Stale),
        Some(service) => Ok(service.clone()),
    }
}

/// What an admin's change to services holds: the services (in the order asked for; `None`:
/// gone) and the postmortems naming them.
type Held = (Vec<Option<Service>>, Vec<IncidentId>);

/// Locks the postmortems naming `services` (in id order), then the services. `None`: a
/// postmortem came to name one between the two steps and was not locked; the caller starts its
/// change again (it cannot wait for that postmortem while holding the services, which that
/// postmortem's change may be waiting for).
async fn hold_services(conn: &mut PgConnection, services: &[ServiceId]) -> Result<Option<Held>> {
    let naming = db::services::incidents_naming(&mut *conn, services).await?;
    let locked = db::incidents::lock_all(&mut *conn, &naming).await?;
    let rows = db::services::lock(&mut *conn, services).await?;
    let now = db::services::incidents_naming(&mut *conn, services).await?;
    Ok(now.iter().all(|id| locked.contains(id)).then_some((rows, locked)))
}

/// How often an admin's change to services starts again before giving up (see [`hold_services`]).
const ATTEMPTS: usize = 5;

fn busy() -> ChangeError {
    ChangeError::Refused(
        "Many postmortems naming these services are being saved right now. Try again in a moment.".into(),
    )
}

/// A kind of factor as an admin's form sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FactorKindForm {
    pub name: String,
    pub description: String,
    /// `on`: retired, no longer offered on the form.
    pub retired: String,
    pub version: String,
}

impl FactorKindForm {
    fn checked(&self) -> Result<(String, String)> {
        let mut errors = FieldErrors::default();
        let name = labels::factor_kind_name(&mut errors, "name", &self.name);
        let description =
            crate::domain::input::line(&mut errors, "description", &self.description, MAX_FACTOR_DESCRIPTION_CHARS);
        if description.chars().any(char::is_control) && errors.get("description").is_none() {
            errors.add("description", "Keep the description to one line of plain text.");
        }
        if errors.is_empty() { Ok((name, description)) } else { Err(ChangeError::Invalid(errors)) }
    }
}

fn kind_taken(name: &str) -> ChangeError {
    ChangeError::field("name", format!("There is already a contributing factor called “{name}”."))
}

/// Adds a kind of contributing factor at the end of the taxonomy.
pub async fn add_factor_kind(conn: &mut PgConnection, actor: Actor, form: &FactorKindForm) -> Result<FactorKindId> {
    let (name, description) = form.checked()?;
    let mut change = Change::begin(&mut *conn, actor).await?;
    let id = match db::factors::insert(change.conn(), &name, &description).await {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => return Err(kind_taken(&name)),
        Err(error) => return Err(error.into()),
    };
    change.commit(AuditAction::FactorKindAdded, &format!("Added the contributing factor “{name}”")).await?;
    Ok(id)
}

/// Renames, describes, retires or restores kind `id`, if nobody changed it since the form's
/// version. Postmortems naming it show the change at once.
pub async fn change_factor_kind(
    conn: &mut PgConnection,
    actor: Actor,
    id: FactorKindId,
    form: &FactorKindForm,
) -> Result<()> {
    let version = expected_version(crate::domain::input::version_field(&form.version))?;
    let (name, description) = form.checked()?;
    let retired = matches!(form.retired.trim(), "on" | "true" | "1");
    let mut change = Change::begin(&mut *conn, actor).await?;
    // The postmortems first, as their own changes take them (see the module's comment).
    let naming = db::factors::incidents_naming(change.conn(), id).await?;
    let incidents = db::incidents::lock_all(change.conn(), &naming).await?;
    let before = db::factors::names(change.conn(), &[id]).await?.pop().map(|(_, name)| name);
    match db::factors::update(change.conn(), id, version, &name, &description, retired).await {
        Ok(true) => {}
        Ok(false) => return Err(if before.is_none() { ChangeError::NotFound } else { ChangeError::Stale }),
        Err(error) if is_unique_violation(&error) => return Err(kind_taken(&name)),
        Err(error) => return Err(error.into()),
    }
    db::incidents::touch_all(change.conn(), &incidents).await?;
    let state = if retired { " (retired)" } else { "" };
    let summary = format!("Changed the contributing factor “{}” to “{name}”{state}", before.unwrap_or_default());
    change.commit(AuditAction::FactorKindChanged, &summary).await
}
