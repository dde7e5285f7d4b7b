//! Every address with an id or a query string in it, built in one place: one function per kind
//! of page or form target, taking typed ids, and constants for fixed addresses that carry a
//! query. Handlers redirect with these; templates link with them; the command line prints
//! them. Fixed addresses without id or query (`/incidents`, `/login`, `/admin/teams`) stay
//! written where they are used.
//!
//! In templates: askama 0.16 hands a template's fields and loop variables to a function by
//! reference, so a call reads `{{ crate::web::paths::incident(*id) }}`; a name bound by
//! `{% if let Some(id) = row.incident_id %}` is one reference deeper and needs `**id`. The
//! `&` between query parameters is escaped by askama as `&#38;`, which browsers read as `&`.
//!
//! Query values are ids and numbers, which need no encoding; the ledger's filters arrive
//! already encoded (`serde_urlencoded`), and the sign-in page's `next` is encoded here the same
//! way.
//!
//! Not built here: the `path` of webhook payloads, which the trigger functions of migration
//! `20261127000012_webhooks.sql` write in SQL (`/incidents/{id}`,
//! `/incidents/{id}/actions/{item}/edit`). Migrations are never edited once landed: if those
//! addresses change, that migration must be followed by a new one that replaces the functions.

use std::fmt;

use crate::domain::public::Slug;
use crate::domain::{
    ActionItemId, ApiTokenId, DeliveryId, FactorKindId, IncidentId, SectionId, ServiceId, TeamId, TemplateId,
    TimelineEntryId, UserId, WebhookId, WikiDestinationId,
};

// ---- Fixed addresses with a query ---------------------------------------------------------

/// The audit log, up to the page number.
pub const AUDIT_PAGE: &str = "/admin/audit?page=";
/// Every action item, closed ones included.
pub const ALL_ACTION_ITEMS: &str = "/action-items?status=any";
/// The account page after a password change.
pub const ACCOUNT_PASSWORD_SAVED: &str = "/account?saved=password";
/// The account page after revoking a token.
pub const ACCOUNT_TOKEN_REVOKED: &str = "/account?saved=revoked";
/// The Atom feed of published postmortems.
pub const ATOM_FEED: &str = "/feeds/postmortems.atom";
/// Where the new-postmortem form keeps its draft, and drops it.
pub const NEW_INCIDENT_DRAFT: &str = "/incidents/new/draft";
pub const NEW_INCIDENT_DRAFT_DISCARD: &str = "/incidents/new/draft/discard";

// ---- A postmortem and its pages ------------------------------------------------------------

/// The postmortem page.
pub fn incident(id: IncidentId) -> String {
    format!("/incidents/{id}")
}

/// The postmortem page, at the element with id `anchor`.
fn incident_at(id: IncidentId, anchor: &str) -> String {
    format!("/incidents/{id}#{anchor}")
}

/// The postmortem page at its timeline.
pub fn incident_timeline(id: IncidentId) -> String {
    incident_at(id, "timeline")
}

/// The postmortem page at its action items.
pub fn incident_action_items(id: IncidentId) -> String {
    incident_at(id, "action-items")
}

/// The postmortem page at its review.
pub fn incident_review(id: IncidentId) -> String {
    incident_at(id, "review")
}

/// The postmortem page at its extra sections.
pub fn incident_more_sections(id: IncidentId) -> String {
    incident_at(id, "more-sections")
}

/// The postmortem page at one extra section.
pub fn incident_section(id: IncidentId, section: SectionId) -> String {
    incident_at(id, &format!("section-{section}"))
}

/// The postmortem page at one action item.
pub fn incident_item(id: IncidentId, item: ActionItemId) -> String {
    incident_at(id, &format!("item-{item}"))
}

/// One action of the postmortem: `/incidents/{id}/{action}`.
fn incident_sub(id: IncidentId, action: &str) -> String {
    format!("/incidents/{id}/{action}")
}

/// The postmortem's form.
pub fn incident_edit(id: IncidentId) -> String {
    incident_sub(id, "edit")
}

/// Where a postmortem's form keeps what is typed, as a draft.
pub fn incident_draft(id: IncidentId) -> String {
    incident_sub(id, "draft")
}

/// Where that draft is dropped.
pub fn incident_draft_discard(id: IncidentId) -> String {
    incident_sub(id, "draft/discard")
}

/// The postmortem's form, at the field with id `field` (a section's key).
pub fn incident_edit_at(id: IncidentId, field: &str) -> String {
    format!("/incidents/{id}/edit#{field}")
}

/// The page that confirms deleting the postmortem, and its form's target.
pub fn incident_delete(id: IncidentId) -> String {
    incident_sub(id, "delete")
}

/// The postmortem as Markdown, to copy.
pub fn incident_markdown(id: IncidentId) -> String {
    incident_sub(id, "markdown")
}

/// The postmortem as a Markdown file, to download.
pub fn incident_export(id: IncidentId) -> String {
    incident_sub(id, "export.md")
}

/// Submitting the postmortem for review.
pub fn incident_submit(id: IncidentId) -> String {
    incident_sub(id, "submit")
}

/// Publishing the postmortem without approval (severities whose author publishes).
pub fn incident_publish(id: IncidentId) -> String {
    incident_sub(id, "publish")
}

/// Approving and publishing the postmortem.
pub fn incident_approve(id: IncidentId) -> String {
    incident_sub(id, "approve")
}

/// Sending the postmortem back to its authors.
pub fn incident_send_back(id: IncidentId) -> String {
    incident_sub(id, "send-back")
}

/// Adding a review comment.
pub fn incident_comments(id: IncidentId) -> String {
    incident_sub(id, "comments")
}

/// The postmortem's history.
pub fn revisions(id: IncidentId) -> String {
    incident_sub(id, "revisions")
}

/// One revision of the postmortem.
pub fn revision(id: IncidentId, number: i32) -> String {
    format!("/incidents/{id}/revisions/{number}")
}

/// The form that compares two revisions.
pub fn compare(id: IncidentId) -> String {
    incident_sub(id, "compare")
}

/// What changed from revision `from` to revision `to`.
pub fn compare_revisions(id: IncidentId, from: i32, to: i32) -> String {
    format!("/incidents/{id}/compare?from={from}&to={to}")
}

/// The address of a timeline entry, an action item or an extra section, or of what is done to
/// it: written straight into the page (or a `format!`) rather than made a `String` first,
/// because the postmortem page and the ledger write one or two per row.
pub struct RowPath {
    incident: IncidentId,
    kind: &'static str,
    id: i64,
    then: &'static str,
}

impl fmt::Display for RowPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/incidents/{}/{}/{}{}", self.incident, self.kind, self.id, self.then)
    }
}

// ---- Timeline entries, action items, extra sections ----------------------------------------

/// Reading pasted timeline entries, and adding the ones ticked.
pub fn timeline_paste(id: IncidentId) -> String {
    incident_sub(id, "timeline/paste")
}

/// Adding a timeline entry (back at the timeline if the form is shown again).
pub fn timeline_add(id: IncidentId) -> String {
    format!("/incidents/{id}/timeline#timeline")
}

/// A timeline entry's form target.
pub fn timeline_entry(id: IncidentId, entry: TimelineEntryId) -> RowPath {
    RowPath { incident: id, kind: "timeline", id: entry.0, then: "" }
}

/// A timeline entry's page.
pub fn timeline_entry_edit(id: IncidentId, entry: TimelineEntryId) -> RowPath {
    RowPath { incident: id, kind: "timeline", id: entry.0, then: "/edit" }
}

/// Deleting a timeline entry.
pub fn timeline_entry_delete(id: IncidentId, entry: TimelineEntryId) -> RowPath {
    RowPath { incident: id, kind: "timeline", id: entry.0, then: "/delete" }
}

/// Adding an action item (back at the action items if the form is shown again).
pub fn action_item_add(id: IncidentId) -> String {
    format!("/incidents/{id}/actions#action-items")
}

/// An action item's form target.
pub fn action_item(id: IncidentId, item: ActionItemId) -> RowPath {
    RowPath { incident: id, kind: "actions", id: item.0, then: "" }
}

/// An action item's page.
pub fn action_item_edit(id: IncidentId, item: ActionItemId) -> RowPath {
    RowPath { incident: id, kind: "actions", id: item.0, then: "/edit" }
}

/// Deleting an action item.
pub fn action_item_delete(id: IncidentId, item: ActionItemId) -> RowPath {
    RowPath { incident: id, kind: "actions", id: item.0, then: "/delete" }
}

/// Ticking an action item done (or not).
pub fn action_item_done(id: IncidentId, item: ActionItemId) -> RowPath {
    RowPath { incident: id, kind: "actions", id: item.0, then: "/done" }
}

/// Verifying a done action item.
pub fn action_item_verify(id: IncidentId, item: ActionItemId) -> RowPath {
    RowPath { incident: id, kind: "actions", id: item.0, then: "/verify" }
}

/// Withdrawing an action item's verification.
pub fn action_item_unverify(id: IncidentId, item: ActionItemId) -> RowPath {
    RowPath { incident: id, kind: "actions", id: item.0, then: "/unverify" }
}

/// Adding an extra section.
pub fn section_add(id: IncidentId) -> String {
    incident_sub(id, "sections")
}

/// An extra section's form target.
pub fn section(id: IncidentId, section: SectionId) -> RowPath {
    RowPath { incident: id, kind: "sections", id: section.0, then: "" }
}

/// An extra section's page.
pub fn section_edit(id: IncidentId, section: SectionId) -> RowPath {
    RowPath { incident: id, kind: "sections", id: section.0, then: "/edit" }
}

/// Deleting an extra section.
pub fn section_delete(id: IncidentId, section: SectionId) -> RowPath {
    RowPath { incident: id, kind: "sections", id: section.0, then: "/delete" }
}

/// The drafts an import saved, when it saved more than one.
pub fn imported(ids: &[IncidentId]) -> String {
    let list: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!("/import/saved?ids={}", list.join(","))
}

// ---- The ledger of action items -------------------------------------------------------------

/// The ledger with filters `query` (an encoded query string), up to the page number.
pub fn action_items_page(query: &str) -> String {
    format!("/action-items?{query}&page=")
}

/// The ledger's items selected by `query` (an encoded query string), as CSV.
pub fn action_items_csv(query: &str) -> String {
    format!("/action-items.csv?{query}")
}

/// The ledger's items selected by `query` (an encoded query string), as Markdown.
pub fn action_items_markdown(query: &str) -> String {
    format!("/action-items.md?{query}")
}

/// Everything a person owns, closed included.
pub fn person_action_items(person: UserId) -> String {
    format!("/action-items?owner={person}&status=any")
}

/// A team's open action items.
pub fn team_action_items(team: TeamId) -> String {
    format!("/action-items?team={team}")
}

/// A team's overdue action items.
pub fn team_overdue_items(team: TeamId) -> String {
    team_action_items(team) + "&overdue=1"
}

/// A team's done items in the ledger by verification: `yes`, `no` (not yet) or `recurred`.
pub fn team_items_by_verification(team: TeamId, verified: &str) -> String {
    format!("/action-items?team={team}&status=any&verified={verified}")
}

// ---- Teams, feeds, accounts -----------------------------------------------------------------

/// A team's page.
pub fn team(team: TeamId) -> String {
    format!("/teams/{team}")
}

/// A service's page: its incidents over time and the open action items against it.
pub fn service(service: ServiceId) -> String {
    format!("/services/{service}")
}

/// The search page listing the postmortems of a service.
pub fn search_service(service: ServiceId) -> String {
    format!("/search?service={service}")
}

/// The search page listing the postmortems with a contributing factor of this kind.
pub fn search_factor(factor: FactorKindId) -> String {
    format!("/search?factor={factor}")
}

/// The search page listing the postmortems with this tag.
pub fn search_tag(tag: &str) -> String {
    format!("/search?{}", serde_urlencoded::to_string([("tag", tag)]).unwrap_or_default())
}

/// An admin's form target for one service (rename, merge).
pub fn admin_service(service: ServiceId) -> String {
    format!("/admin/services/{service}")
}

/// An admin's form target for merging one service into another.
pub fn admin_service_merge(service: ServiceId) -> String {
    admin_service(service) + "/merge"
}

/// An admin's form target for one kind of contributing factor (rename, describe, retire).
pub fn admin_factor(factor: FactorKindId) -> String {
    format!("/admin/factors/{factor}")
}

/// A team's due dates as a calendar.
pub fn team_calendar(team: TeamId) -> String {
    format!("/feeds/teams/{team}/due.ics")
}

/// A person's due dates as a calendar.
pub fn person_calendar(person: UserId) -> String {
    format!("/feeds/people/{person}/due.ics")
}

/// Revoking one of your API tokens.
pub fn token_revoke(token: ApiTokenId) -> String {
    format!("/account/tokens/{token}/revoke")
}

/// The one-time link to choose a password, for the secret it was made with.
pub fn reset(secret: &str) -> String {
    format!("/reset/{secret}")
}

/// The sign-in page, going on to `next` (a path and query) afterwards.
pub fn login_then(next: &str) -> String {
    format!("/login?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default())
}

// ---- Administration -------------------------------------------------------------------------

/// A person's page (for admins), and its form's target.
pub fn admin_user(person: UserId) -> String {
    format!("/admin/users/{person}")
}

/// A person's page after `linked` action items were linked to them.
pub fn admin_user_linked(person: UserId, linked: u64) -> String {
    format!("/admin/users/{person}?linked={linked}")
}

/// Linking action items, by their owner as written, to a person.
pub fn admin_user_owners(person: UserId) -> String {
    admin_user(person) + "/owners"
}

/// Issuing a person a one-time password link.
pub fn admin_user_reset(person: UserId) -> String {
    admin_user(person) + "/reset"
}

/// A team's form target (for admins).
pub fn admin_team(team: TeamId) -> String {
    format!("/admin/teams/{team}")
}

/// Deleting a team.
pub fn admin_team_delete(team: TeamId) -> String {
    admin_team(team) + "/delete"
}

/// A template's page (for admins), and its form's target.
pub fn admin_template(template: TemplateId) -> String {
    format!("/admin/templates/{template}")
}

/// Deleting a template.
pub fn admin_template_delete(template: TemplateId) -> String {
    admin_template(template) + "/delete"
}

/// A webhook's page, and its form's target.
pub fn webhook(hook: WebhookId) -> String {
    format!("/admin/webhooks/{hook}")
}

/// A webhook's page at its deliveries.
pub fn webhook_deliveries(hook: WebhookId) -> String {
    webhook(hook) + "#deliveries"
}

/// Sending a webhook a test event.
pub fn webhook_ping(hook: WebhookId) -> String {
    webhook(hook) + "/ping"
}

/// Deleting a webhook.
pub fn webhook_delete(hook: WebhookId) -> String {
    webhook(hook) + "/delete"
}

/// Sending a failed delivery again.
pub fn webhook_retry(hook: WebhookId, delivery: DeliveryId) -> String {
    format!("/admin/webhooks/{hook}/deliveries/{delivery}/retry")
}

/// A wiki destination's page, and its form's target.
pub fn wiki_destination(id: WikiDestinationId) -> String {
    format!("/admin/wiki/{id}")
}

/// A wiki destination's page at its log of syncs.
pub fn wiki_log(id: WikiDestinationId) -> String {
    wiki_destination(id) + "#log"
}

/// A wiki destination's *Sync now*, *Forget the host key* and deletion.
pub fn wiki_sync(id: WikiDestinationId) -> String {
    wiki_destination(id) + "/sync"
}

pub fn wiki_forget_host_key(id: WikiDestinationId) -> String {
    wiki_destination(id) + "/forget-host-key"
}

pub fn wiki_new_key(id: WikiDestinationId) -> String {
    wiki_destination(id) + "/new-key"
}

pub fn wiki_delete(id: WikiDestinationId) -> String {
    wiki_destination(id) + "/delete"
}

// ---- The public version of a postmortem ----------------------------------------------------

/// The public version's page, for its authors and approvers, and its form's target.
pub fn public_version(id: IncidentId) -> String {
    incident_sub(id, "public")
}

/// A step of the public version's approval: `submit`, `approve`, `send-back` or `withdraw`.
pub fn public_version_step(id: IncidentId, step: &str) -> String {
    format!("/incidents/{id}/public/{step}")
}

/// What the public sees, without signing in: the page, its Markdown, its JSON.
pub fn public_page(slug: &Slug) -> String {
    format!("/p/{slug}")
}

pub fn public_markdown(slug: &Slug) -> String {
    format!("/p/{slug}.md")
}

pub fn public_json(slug: &Slug) -> String {
    format!("/p/{slug}.json")
}

/// The public Atom feed of approved public versions.
pub const PUBLIC_FEED: &str = "/p/feed.atom";

/// The postmortems' index through filters (a query string as `SearchQuery` writes it).
pub fn incidents(query: &str) -> String {
    if query.is_empty() { "/incidents".to_owned() } else { format!("/incidents?{query}") }
}

/// The index's next page: the same filters, after the cursor.
pub fn incidents_after(query: &str, cursor: &str) -> String {
    format!("/incidents?{query}&{}", serde_urlencoded::to_string([("after", cursor)]).unwrap_or_default())
}

/// Every service in use, with how many postmortems name each.
pub const SERVICES: &str = "/services";

/// The next page of a service's postmortems, after `cursor` (`micros~id`).
pub fn service_after(service: ServiceId, cursor: &str) -> String {
    format!("/services/{service}?{}#postmortems", serde_urlencoded::to_string([("after", cursor)]).unwrap_or_default())
}

/// The themes page for a period (an encoded query string with `from` and `to`).
pub fn themes(query: &str) -> String {
    if query.is_empty() { "/themes".to_owned() } else { format!("/themes?{query}") }
}

/// The similar incidents and confirmed recurrences on a postmortem's page.
pub fn incident_recurrences(id: IncidentId) -> String {
    format!("/incidents/{id}#recurrences")
}

/// The form confirming that `id` happened before, as `earlier` (none: chosen by number).
pub fn recurrence_new(id: IncidentId, earlier: Option<IncidentId>) -> String {
    match earlier {
        Some(earlier) => format!("/incidents/{id}/recurrences/new?earlier={earlier}"),
        None => format!("/incidents/{id}/recurrences/new"),
    }
}

/// Where that form is sent.
pub fn recurrences(id: IncidentId) -> String {
    format!("/incidents/{id}/recurrences")
}

/// Removing the recurrence of `earlier` in `id`.
pub fn recurrence_delete(id: IncidentId, earlier: IncidentId) -> String {
    format!("/incidents/{id}/recurrences/{earlier}/delete")
}

/// The search page for `query` (an encoded query string of `web::search::SearchQuery`).
pub fn search(query: &str) -> String {
    format!("/search?{query}")
}

/// The page of that search after `cursor` (see `domain::search::Cursor`).
pub fn search_after(query: &str, cursor: &str) -> String {
    format!("/search?{query}&{}", serde_urlencoded::to_string([("after", cursor)]).unwrap_or_default())
}

/// The search page for these words alone.
pub fn search_words(words: &str) -> String {
    format!("/search?{}", serde_urlencoded::to_string([("q", words)]).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_reads_as_the_router_expects() {
        let (i, a, e, s) = (IncidentId(7), ActionItemId(8), TimelineEntryId(9), SectionId(10));
        let (u, t, h) = (UserId(3), TeamId(4), WebhookId(5));
        let slug = Slug::parse("checkout-2025").expect("an address");
        let expected = [
            (incident(i), "/incidents/7"),
            (incident_timeline(i), "/incidents/7#timeline"),
            (incident_action_items(i), "/incidents/7#action-items"),
            (incident_review(i), "/incidents/7#review"),
            (incident_more_sections(i), "/incidents/7#more-sections"),
            (incident_section(i, s), "/incidents/7#section-10"),
            (incident_item(i, a), "/incidents/7#item-8"),
            (incident_edit(i), "/incidents/7/edit"),
            (incident_edit_at(i, "root_cause"), "/incidents/7/edit#root_cause"),
            (incident_delete(i), "/incidents/7/delete"),
            (incident_markdown(i), "/incidents/7/markdown"),
            (incident_export(i), "/incidents/7/export.md"),
            (incident_submit(i), "/incidents/7/submit"),
            (incident_publish(i), "/incidents/7/publish"),
            (incident_approve(i), "/incidents/7/approve"),
            (incident_send_back(i), "/incidents/7/send-back"),
            (incident_comments(i), "/incidents/7/comments"),
            (revisions(i), "/incidents/7/revisions"),
            (revision(i, 2), "/incidents/7/revisions/2"),
            (compare(i), "/incidents/7/compare"),
            (compare_revisions(i, 1, 3), "/incidents/7/compare?from=1&to=3"),
            (timeline_add(i), "/incidents/7/timeline#timeline"),
            (timeline_entry(i, e).to_string(), "/incidents/7/timeline/9"),
            (timeline_entry_edit(i, e).to_string(), "/incidents/7/timeline/9/edit"),
            (timeline_entry_delete(i, e).to_string(), "/incidents/7/timeline/9/delete"),
            (action_item_add(i), "/incidents/7/actions#action-items"),
            (action_item(i, a).to_string(), "/incidents/7/actions/8"),
            (action_item_edit(i, a).to_string(), "/incidents/7/actions/8/edit"),
            (action_item_delete(i, a).to_string(), "/incidents/7/actions/8/delete"),
            (action_item_done(i, a).to_string(), "/incidents/7/actions/8/done"),
            (section_add(i), "/incidents/7/sections"),
            (section(i, s).to_string(), "/incidents/7/sections/10"),
            (section_edit(i, s).to_string(), "/incidents/7/sections/10/edit"),
            (section_delete(i, s).to_string(), "/incidents/7/sections/10/delete"),
            (imported(&[i, IncidentId(12)]), "/import/saved?ids=7,12"),
            (action_items_page("team=4&status=any"), "/action-items?team=4&status=any&page="),
            (action_items_csv("team=4"), "/action-items.csv?team=4"),
            (action_items_markdown("team=4"), "/action-items.md?team=4"),
            (person_action_items(u), "/action-items?owner=3&status=any"),
            (team_action_items(t), "/action-items?team=4"),
            (team_overdue_items(t), "/action-items?team=4&overdue=1"),
            (team(t), "/teams/4"),
            (team_calendar(t), "/feeds/teams/4/due.ics"),
            (person_calendar(u), "/feeds/people/3/due.ics"),
            (token_revoke(ApiTokenId(6)), "/account/tokens/6/revoke"),
            (reset("c0ffee"), "/reset/c0ffee"),
            (login_then("/action-items?team=4&status=any"), "/login?next=%2Faction-items%3Fteam%3D4%26status%3Dany"),
            (admin_user(u), "/admin/users/3"),
            (admin_user_linked(u, 2), "/admin/users/3?linked=2"),
            (admin_user_owners(u), "/admin/users/3/owners"),
            (admin_user_reset(u), "/admin/users/3/reset"),
            (admin_team(t), "/admin/teams/4"),
            (admin_team_delete(t), "/admin/teams/4/delete"),
            (admin_template(TemplateId(2)), "/admin/templates/2"),
            (admin_template_delete(TemplateId(2)), "/admin/templates/2/delete"),
            (webhook(h), "/admin/webhooks/5"),
            (webhook_deliveries(h), "/admin/webhooks/5#deliveries"),
            (webhook_ping(h), "/admin/webhooks/5/ping"),
            (webhook_delete(h), "/admin/webhooks/5/delete"),
            (webhook_retry(h, DeliveryId(11)), "/admin/webhooks/5/deliveries/11/retry"),
            (wiki_destination(WikiDestinationId(3)), "/admin/wiki/3"),
            (wiki_log(WikiDestinationId(3)), "/admin/wiki/3#log"),
            (wiki_sync(WikiDestinationId(3)), "/admin/wiki/3/sync"),
            (wiki_forget_host_key(WikiDestinationId(3)), "/admin/wiki/3/forget-host-key"),
            (wiki_new_key(WikiDestinationId(3)), "/admin/wiki/3/new-key"),
            (wiki_delete(WikiDestinationId(3)), "/admin/wiki/3/delete"),
            (public_version(i), "/incidents/7/public"),
            (public_version_step(i, "approve"), "/incidents/7/public/approve"),
            (public_page(&slug), "/p/checkout-2025"),
            (public_markdown(&slug), "/p/checkout-2025.md"),
            (public_json(&slug), "/p/checkout-2025.json"),
        ];
        for (built, want) in expected {
            assert_eq!(built, want);
        }
    }
}
