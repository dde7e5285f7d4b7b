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
use super::error::{AppError, Result};
use super::extract::{Path, Query};
use super::layout::Viewer;
use super::layout::ago;
use super::paths;
use crate::app::people::{NewPerson, PersonChange};
use crate::app::{self, Actor, ChangeError};
use crate::db;
use crate::domain::input::{FieldErrors, line};
use crate::domain::{IncidentId, Role, Team, TeamId, User, UserId};

// ---- People -------------------------------------------------------------------------------

pub struct UserRow {
    user: User,
    teams: String,
    last_seen: String,
}

/// What the add-a-person form holds, kept when it is refused.
#[derive(Debug, Default)]
pub struct PersonForm {
    email: String,
    name: String,
    role: Option<Role>,
    teams: Vec<TeamId>,
    active: bool,
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
                _ => {}
            }
        }
        form
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
    let person = db::users::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    let form = PersonForm {
        email: person.email.clone(),
        name: person.name.clone(),
        role: Some(person.role),
        teams: db::users::team_ids(&mut *db, id).await?,
        active: person.active,
    };
    let mut page = EditUserPage::new(&mut db, viewer, &admin, person, form).await?;
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
    let person = db::users::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    super::extract::check_form_text(&body)?;
    let form = PersonForm::parse(&body);
    let outcome = match form.role {
        Some(role) => {
            let new = PersonChange { name: &form.name, role, active: form.active, teams: &form.teams };
            app::people::update(&mut db, Actor::from(&admin), &person, new).await
        }
        // Not one of the roles offered: only a hand-made request sends that.
        None => Err(ChangeError::field("role", "Choose a role.")),
    };
    let errors = match outcome {
        Ok(()) => return Ok(Redirect::to("/admin/users").into_response()),
        Err(ChangeError::Invalid(errors)) => errors,
        Err(error) => return Err(error.into()),
    };
    let mut page = EditUserPage::new(&mut db, viewer, &admin, person, form).await?;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
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
        rows.push(TeamRow { team: listing.team, members: listing.members, names: names.join(", ") });
    }
    Ok(TeamsPage { viewer, rows, typed, refused, errors })
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
    let team = db::teams::find(&mut *db, id).await?.ok_or(AppError::NotFound)?;
    save_team(&mut db, viewer, &admin, Some(team), &form).await
}

/// Adds a team (`existing` is `None`) or changes one; a refused form comes back with why.
async fn save_team(
    db: &mut PgConnection,
    viewer: Viewer,
    admin: &User,
    existing: Option<Team>,
    form: &TeamForm,
) -> Result<Response> {
    // A refused form comes back as typed, in the add form or in its team's row.
    let refused = existing.as_ref().map(|team| team.id);
    let errors = match form.checked() {
        Ok((name, zone)) => {
            let saved = match &existing {
                None => app::teams::create(&mut *db, Actor::from(admin), &name, &zone).await.map(|_| ()),
                Some(team) => app::teams::change(&mut *db, Actor::from(admin), team, &name, &zone).await,
            };
            match saved {
                Ok(()) => return Ok(Redirect::to("/admin/teams").into_response()),
                Err(ChangeError::Invalid(errors)) => errors,
                Err(error) => return Err(error.into()),
            }
        }
        Err(errors) => errors,
    };
    let page = teams_page(db, viewer, form.clone(), refused, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
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
