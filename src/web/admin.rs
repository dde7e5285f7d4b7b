//! Administration: people (roles, teams, deactivation, one-time password links), teams, and
//! the audit log. Every route here is behind `require(Role::Admin)`.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::admission::Db;
use super::auth::{self, CurrentUser};
use super::conflict::Conflict;
use super::error::{AppError, Result};
use super::extract::{Path, Query};
use super::layout::Viewer;
use super::layout::ago;
use super::paths;
use crate::app::people::{NewPerson, PersonChange};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::db::users::PersonForEdit;
use crate::domain::input::{FieldErrors, line, version_field};
use crate::domain::{IncidentId, Role, Team, TeamId, User, UserId};

// ---- People -------------------------------------------------------------------------------

pub struct UserRow {
    user: User,
    teams: String,
    last_seen: String,
}

/// What the add-a-person and edit-a-person forms hold, kept when they are refused.
#[derive(Debug, Default)]
pub struct PersonForm {
    email: String,
    name: String,
    role: Option<Role>,
    teams: Vec<TeamId>,
    active: bool,
    /// The version the edit form was loaded at (hidden field; empty when adding).
    version: String,
}

impl PersonForm {
    /// Reads a form whose `team` field repeats (one per ticked box), which serde's flat
    /// form decoding cannot collect.
    fn parse(body: &[u8]) -> PersonForm {
        let mut form = PersonForm::default();
        for (key, value) in form_pairs(body) {
            match key.as_str() {
                "email" => form.email = value.trim().to_owned(),
                "name" => form.name = value.trim().to_owned(),
                "role" => form.role = value.parse().ok(),
                "team" => form.teams.extend(value.parse().ok().map(TeamId)),
                "active" => form.active = true,
                "version" => form.version = value,
                _ => {}
            }
        }
        form
    }

    /// The form of a person as saved.
    fn of(saved: &PersonForEdit) -> PersonForm {
        PersonForm {
            email: saved.person.email.clone(),
            name: saved.person.name.clone(),
            role: Some(saved.person.role),
            teams: saved.teams.clone(),
            active: saved.person.active,
            version: saved.version.to_string(),
        }
    }

    fn has_team(&self, id: &TeamId) -> bool {
        self.teams.contains(id)
    }

    fn role_is(&self, role: &Role) -> bool {
        self.role == Some(*role)
    }
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    viewer: Viewer,
    rows: Vec<UserRow>,
    teams: Vec<Team>,
    roles: &'static [Role],
    form: PersonForm,
    errors: FieldErrors,
}

async fn users_page(db: &mut PgConnection, viewer: Viewer, form: PersonForm, errors: FieldErrors) -> Result<UsersPage> {
    let rows = db::users::listing(&mut *db)
        .await?
        .into_iter()
        .map(|listing| UserRow {
            teams: listing.teams.join(", "),
            last_seen: listing.last_seen_at.map_or_else(|| "—".to_owned(), ago),
            user: listing.user,
        })
        .collect();
    Ok(UsersPage { viewer, rows, teams: db::teams::all(&mut *db).await?, roles: Role::ALL, form, errors })
}

pub async fn users(mut db: Db, viewer: Viewer) -> Result<UsersPage> {
    users_page(
        &mut db,
        viewer,
        PersonForm { role: Some(Role::Engineer), ..PersonForm::default() },
        FieldErrors::default(),
    )
    .await
}

/// The page shown once after making a one-time link: the link is not stored, only its hash.
#[derive(Template, WebTemplate)]
#[template(path = "admin/link.html")]
pub struct LinkPage {
    viewer: Viewer,
    person: User,
    link: String,
    created: bool,
}

pub async fn create_user(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response> {
    super::extract::check_form_text(&body)?;
    let form = PersonForm::parse(&body);
    let Some(role) = form.role else {
        let mut errors = FieldErrors::default();
        errors.add("role", "Choose a role.");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, users_page(&mut db, viewer, form, errors).await?).into_response());
    };
    let person = NewPerson { email: &form.email, name: &form.name, role, teams: &form.teams, password_hash: None };
    let added = match app::people::add(&mut db, Actor::from(&admin), person).await {
        Ok(added) => added,
        Err(ChangeError::Invalid(errors)) => {
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, users_page(&mut db, viewer, form, errors).await?).into_response()
            );
        }
        Err(error) => return Err(error.into()),
    };
    let person = db::users::find(&mut *db, added.id).await?.ok_or(AppError::NotFound)?;
    let path = added.reset_secret.as_deref().map(paths::reset).unwrap_or_default();
    let link = format!("{}{path}", auth::site_origin(&headers));
    Ok((StatusCode::CREATED, LinkPage { viewer, person, link, created: true }).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
pub struct EditUserPage {
    viewer: Viewer,
    person: User,
    form: PersonForm,
    teams: Vec<Team>,
    roles: &'static [Role],
    errors: FieldErrors,
    is_self: bool,
    /// Owners written as text that could be this person: those that look like their name or
    /// email first, then the rest, each with its number of items.
    unlinked: Vec<(String, i64, bool)>,
    notice: Option<String>,
    /// Set when another admin saved this person after the page was loaded.
    conflict: Option<Conflict>,
}

impl EditUserPage {
    async fn new(
        db: &mut PgConnection,
        viewer: Viewer,
        admin: &User,
        person: User,
        form: PersonForm,
    ) -> Result<EditUserPage> {
        let unlinked = owners_like(&person, db::action_items::unlinked_owners(&mut *db).await?);
        Ok(EditUserPage {
            viewer,
            is_self: person.id == admin.id,
            person,
            form,
            teams: db::teams::all(&mut *db).await?,
            roles: Role::ALL,
            errors: FieldErrors::default(),
            unlinked,
            notice: None,
            conflict: None,
        })
    }
}

/// Marks and puts first the owners written like the person's name, email or email's local
/// part ("Priya", "priya@…", "@priya").
fn owners_like(person: &User, owners: Vec<(String, i64)>) -> Vec<(String, i64, bool)> {
    let local = person.email.split('@').next().unwrap_or_default().to_lowercase();
    let names = [person.name.trim().to_lowercase(), person.email.to_lowercase(), local];
    let first_name = person.name.split_whitespace().next().unwrap_or_default().to_lowercase();
    let mut owners: Vec<(String, i64, bool)> = owners
        .into_iter()
        .map(|(owner, items)| {
            let written = owner.trim().trim_start_matches('@').to_lowercase();
            let like = names.iter().any(|n| !n.is_empty() && *n == written)
                || (!first_name.is_empty() && written == first_name);
            (owner, items, like)
        })
        .collect();
    owners.sort_by_key(|(_, _, like)| !like);
    owners
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkedQuery {
    linked: Option<u64>,
}

pub async fn edit_user(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<UserId>,
    Query(query): Query<LinkedQuery>,
) -> Result<EditUserPage> {
    let saved = db::users::find_for_edit(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let form = PersonForm::of(&saved);
    let mut page = EditUserPage::new(&mut db, viewer, &admin, saved.person, form).await?;
    page.notice = query.linked.map(|n| format!("Linked {n} action item{} to them.", if n == 1 { "" } else { "s" }));
    Ok(page)
}

pub async fn update_user(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<UserId>,
    body: axum::body::Bytes,
) -> Result<Response> {
    super::extract::check_form_text(&body)?;
    let form = PersonForm::parse(&body);
    // Before the fields: a form without its version would come back without one again.
    let version = app::expected_version(version_field(&form.version))?;
    let person = db::users::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let outcome = match form.role {
        Some(role) => {
            let new = PersonChange { name: &form.name, role, active: form.active, teams: &form.teams };
            app::people::update(&mut db, Actor::from(&admin), &person, version, new).await
        }
        // Not one of the roles offered: only a hand-made request sends that.
        None => Err(ChangeError::field("role", "Choose a role.")),
    };
    let errors = match outcome {
        Ok(()) => return Ok(Redirect::to("/admin/users").into_response()),
        Err(ChangeError::Invalid(errors)) => errors,
        Err(ChangeError::Stale) => {
            // Another admin saved them since this form loaded: keep what was typed, show
            // theirs, and move the form to their version so that saving again knowingly
            // replaces it.
            let saved = db::users::find_for_edit(&mut *db, id).await?.ok_or(AppError::NotFound)?;
            let mut page = EditUserPage::new(&mut db, viewer, &admin, saved.person.clone(), form).await?;
            page.conflict = Some(person_differences(&saved, &page.form, &page.teams));
            page.form.version = saved.version.to_string();
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let mut page = EditUserPage::new(&mut db, viewer, &admin, person, form).await?;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// What another admin saved that differs from the form, as the conflict page lists it.
fn person_differences(saved: &PersonForEdit, typed: &PersonForm, teams: &[Team]) -> Conflict {
    let theirs = PersonForm::of(saved);
    let role = |form: &PersonForm| form.role.map(|role| role.label().to_owned()).unwrap_or_default();
    let team_names = |form: &PersonForm| {
        let names: Vec<&str> =
            teams.iter().filter(|team| form.has_team(&team.id)).map(|team| team.name.as_str()).collect();
        if names.is_empty() { "no team".to_owned() } else { names.join(", ") }
    };
    let active = |form: &PersonForm| if form.active { "Active (can sign in)" } else { "Deactivated" }.to_owned();
    let (their_role, their_teams, their_active) = (role(&theirs), team_names(&theirs), active(&theirs));
    Conflict::save([
        ("Name", theirs.name.as_str(), typed.name.as_str(), theirs.name.clone()),
        ("Role", &their_role, &role(typed), their_role.clone()),
        ("Teams", &their_teams, &team_names(typed), their_teams.clone()),
        ("Active", &their_active, &active(typed), their_active.clone()),
    ])
}

pub async fn reset_link(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<UserId>,
    headers: HeaderMap,
) -> Result<Response> {
    let person = db::users::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let secret = match app::people::issue_reset_link(&mut db, Actor::from(&admin), &person).await {
        Ok(secret) => secret,
        Err(ChangeError::Refused(why)) => return Err(AppError::BadRequest(why)),
        Err(error) => return Err(error.into()),
    };
    let link = format!("{}{}", auth::site_origin(&headers), paths::reset(&secret));
    Ok((StatusCode::CREATED, LinkPage { viewer, person, link, created: false }).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LinkOwnerForm {
    #[serde(default)]
    owner: String,
}

/// Links the action items whose owner is written as `owner` (and linked to no one) to this
/// person, so they show as theirs.
pub async fn link_owner(
    mut db: Db,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<UserId>,
    super::extract::Form(form): super::extract::Form<LinkOwnerForm>,
) -> Result<Redirect> {
    let linked = match app::action_items::link_owner(&mut db, Actor::from(&admin), &form.owner, id).await {
        Ok(linked) => linked,
        Err(ChangeError::Invalid(errors)) => {
            let why = errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" ");
            return Err(AppError::BadRequest(why));
        }
        Err(error) => return Err(error.into()),
    };
    Ok(Redirect::to(&paths::admin_user_linked(id, linked)))
}

// ---- Teams ----------------------------------------------------------------------------------

pub struct TeamRow {
    team: Team,
    members: i64,
    names: String,
    /// The version the row's form changes.
    version: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/teams.html")]
pub struct TeamsPage {
    viewer: Viewer,
    rows: Vec<TeamRow>,
    /// The add form as typed, or the changed row's form when `refused` names a team.
    typed: TeamForm,
    refused: Option<TeamId>,
    errors: FieldErrors,
    /// Set when another admin changed the refused row's team after the page was loaded, with
    /// what to call it in the conflict's heading.
    conflict: Option<Conflict>,
    conflict_about: String,
}

impl TeamsPage {
    /// Where the error summary's links point: the add form's fields or a row's.
    fn field_prefix(&self) -> String {
        self.refused.map_or_else(|| "team-".to_owned(), |id| format!("team-{id}-"))
    }

    /// Whether `team`'s row is the form that was refused.
    fn row_refused(&self, team: &Team) -> bool {
        self.refused == Some(team.id)
    }

    /// The version `row`'s form sends: the team's, or, on the refused row, the form's own (moved
    /// to the other admin's version after a conflict).
    fn row_version(&self, row: &TeamRow) -> String {
        if self.row_refused(&row.team) { self.typed.version.clone() } else { row.version.to_string() }
    }

    /// The add form as typed: blank when a row was refused.
    fn add_typed(&self) -> TeamForm {
        if self.refused.is_none() { self.typed.clone() } else { TeamForm::default() }
    }

    /// Why the add form's `field` was refused.
    fn add_error(&self, field: &str) -> Option<&str> {
        self.refused.is_none().then(|| self.errors.get(field)).flatten()
    }
}

async fn teams_page(
    db: &mut PgConnection,
    viewer: Viewer,
    typed: TeamForm,
    refused: Option<TeamId>,
    errors: FieldErrors,
) -> Result<TeamsPage> {
    let mut rows = Vec::new();
    for listing in db::teams::listing(&mut *db).await? {
        let names = db::teams::member_names(&mut *db, listing.team.id).await?;
        rows.push(TeamRow {
            team: listing.team,
            members: listing.members,
            names: names.join(", "),
            version: listing.version,
        });
    }
    Ok(TeamsPage { viewer, rows, typed, refused, errors, conflict: None, conflict_about: String::new() })
}

pub async fn teams(mut db: Db, viewer: Viewer) -> Result<TeamsPage> {
    teams_page(&mut db, viewer, TeamForm::default(), None, FieldErrors::default()).await
}

/// Longest team name, in characters.
const MAX_TEAM_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    name: String,
    time_zone: String,
    /// The version a row's form was loaded at (hidden field; empty in the add form).
    version: String,
}

impl TeamForm {
    /// The name and zone to save, or what is wrong with them. An empty zone is UTC.
    fn checked(&self) -> std::result::Result<(String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        // Each refusal says what is wrong: a NUL, a line break, the length, or no name.
        let name = line(&mut errors, "name", &self.name, MAX_TEAM_NAME_CHARS);
        if name.is_empty() && errors.get("name").is_none() {
            errors.add("name", format!("Name the team, on one line of up to {MAX_TEAM_NAME_CHARS} characters."));
        }
        let zone = match self.time_zone.trim() {
            "" => "UTC".to_owned(),
            zone if crate::domain::is_time_zone(zone) => zone.to_owned(),
            zone => {
                errors.add(
                    "time_zone",
                    format!("“{zone}” is not a time zone Hindsight knows. Use a name such as Europe/Berlin or America/New_York."),
                );
                String::new()
            }
        };
        if errors.is_empty() { Ok((name, zone)) } else { Err(errors) }
    }
}

pub async fn create_team(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    super::extract::Form(form): super::extract::Form<TeamForm>,
) -> Result<Response> {
    save_team(&mut db, viewer, &admin, None, &form).await
}

pub async fn rename_team(
    mut db: Db,
    viewer: Viewer,
    CurrentUser(admin): CurrentUser,
    Path(id): Path<TeamId>,
    super::extract::Form(form): super::extract::Form<TeamForm>,
) -> Result<Response> {
    // Before the fields: a form without its version would come back without one again.
    let version = app::expected_version(version_field(&form.version))?;
    let team = db::teams::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    save_team(&mut db, viewer, &admin, Some((team, version)), &form).await
}

/// Adds a team (`existing` is `None`) or changes one from the version its form was loaded at;
/// a refused form comes back with why.
async fn save_team(
    db: &mut PgConnection,
    viewer: Viewer,
    admin: &User,
    existing: Option<(Team, i32)>,
    form: &TeamForm,
) -> Result<Response> {
    // A refused form comes back as typed, in the add form or in its team's row.
    let refused = existing.as_ref().map(|(team, _)| team.id);
    let errors = match form.checked() {
        Ok((name, zone)) => {
            let saved = match &existing {
                None => app::teams::create(&mut *db, Actor::from(admin), &name, &zone).await.map(|_| ()),
                Some((team, version)) => {
                    app::teams::change(&mut *db, Actor::from(admin), team, *version, &name, &zone).await
                }
            };
            match (saved, refused) {
                (Ok(()), _) => return Ok(Redirect::to("/admin/teams").into_response()),
                (Err(ChangeError::Invalid(errors)), _) => errors,
                (Err(ChangeError::Stale), Some(id)) => return team_conflict(db, viewer, id, form).await,
                (Err(error), _) => return Err(error.into()),
            }
        }
        Err(errors) => errors,
    };
    let page = teams_page(db, viewer, form.clone(), refused, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Another admin changed team `id` since this row's form loaded: the page again with the row
/// as typed, what they saved above it, and the row moved to their version so that saving again
/// knowingly replaces it.
async fn team_conflict(db: &mut PgConnection, viewer: Viewer, id: TeamId, typed: &TeamForm) -> Result<Response> {
    let saved = db::teams::find_versioned(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let theirs = &saved.row;
    let conflict = Conflict::save([
        ("Name", theirs.name.as_str(), typed.name.as_str(), theirs.name.clone()),
        ("Time zone", theirs.time_zone.as_str(), typed.time_zone.as_str(), theirs.time_zone.clone()),
    ]);
    let typed = TeamForm { version: saved.version.to_string(), ..typed.clone() };
    let mut page = teams_page(db, viewer, typed, Some(id), FieldErrors::default()).await?;
    page.conflict = Some(conflict);
    page.conflict_about = format!("team “{}”", theirs.name);
    Ok((StatusCode::CONFLICT, page).into_response())
}

pub async fn delete_team(mut db: Db, CurrentUser(admin): CurrentUser, Path(id): Path<TeamId>) -> Result<Redirect> {
    let team = db::teams::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    app::teams::delete(&mut db, Actor::from(&admin), &team).await?;
    Ok(Redirect::to("/admin/teams"))
}

// ---- Audit log --------------------------------------------------------------------------------

/// Events per page of the audit log.
const AUDIT_PAGE_SIZE: i64 = 50;

pub struct AuditRow {
    when: String,
    iso: String,
    actor: String,
    action: String,
    summary: String,
    incident_id: Option<IncidentId>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    viewer: Viewer,
    rows: Vec<AuditRow>,
    page: i64,
    pages: i64,
    total: i64,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn audit(mut db: Db, viewer: Viewer, Query(query): Query<PageQuery>) -> Result<AuditPage> {
    let page = query.page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(AUDIT_PAGE_SIZE);
    let (events, total) = db::audit::page(&mut db, AUDIT_PAGE_SIZE, offset).await?;
    let rows = events
        .into_iter()
        .map(|e| AuditRow {
            when: crate::domain::time::format_full(e.at, crate::domain::time::Offset::UTC),
            iso: crate::domain::time::format_rfc3339(e.at, crate::domain::time::Offset::UTC),
            actor: e.actor.unwrap_or_else(|| "—".to_owned()),
            action: e.action,
            summary: e.summary,
            incident_id: e.incident_id,
        })
        .collect();
    let pages = ((total + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE).max(1);
    Ok(AuditPage { viewer, rows, page, pages, total })
}
