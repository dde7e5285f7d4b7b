//! What the audit log records: one variant per kind of change. The stored values are the log's
//! `action` column; rows written before this enum existed use the same spellings.

use std::fmt;
use std::str::FromStr;

use super::UnknownVariant;

text_enum!(
    /// A kind of change, as the audit log names it.
    AuditAction, "audit action", {
        IncidentCreated => ("incident.created", "Postmortem created"),
        IncidentEdited => ("incident.edited", "Postmortem edited"),
        IncidentDeleted => ("incident.deleted", "Postmortem deleted"),
        IncidentImported => ("incident.imported", "Postmortem imported"),
        IncidentSubmitted => ("incident.submitted", "Submitted for review"),
        IncidentSentBack => ("incident.changes_requested", "Sent back for changes"),
        IncidentApproved => ("incident.approved", "Approved and published"),
        IncidentPublished => ("incident.published", "Published by its author"),
        IncidentCommented => ("incident.commented", "Review comment"),
        TimelineAdded => ("timeline.added", "Timeline entry added"),
        TimelineEdited => ("timeline.edited", "Timeline entry edited"),
        TimelineDeleted => ("timeline.deleted", "Timeline entry deleted"),
        ActionItemAdded => ("action_item.added", "Action item added"),
        ActionItemEdited => ("action_item.edited", "Action item edited"),
        ActionItemDone => ("action_item.done", "Action item ticked"),
        ActionItemVerified => ("action_item.verified", "Action item verified"),
        ActionItemUnverified => ("action_item.unverified", "Action item verification withdrawn"),
        ActionItemDeleted => ("action_item.deleted", "Action item deleted"),
        ActionItemOwnersLinked => ("action_item.owner_linked", "Owners linked to a person"),
        SectionAdded => ("section.added", "Section added"),
        SectionEdited => ("section.edited", "Section edited"),
        SectionDeleted => ("section.deleted", "Section deleted"),
        UserCreated => ("user.created", "Person added"),
        UserUpdated => ("user.updated", "Person changed"),
        UserPassword => ("user.password", "Password set"),
        UserResetLink => ("user.reset_link", "Password link issued"),
        UserSessionsEnded => ("user.sessions", "Signed out everywhere"),
        TokenCreated => ("token.created", "API token created"),
        TokenRevoked => ("token.revoked", "API token revoked"),
        TeamCreated => ("team.created", "Team created"),
        TeamChanged => ("team.changed", "Team changed"),
        TeamDeleted => ("team.deleted", "Team deleted"),
        TemplateCreated => ("template.created", "Template added"),
        TemplateEdited => ("template.edited", "Template edited"),
        TemplateDeleted => ("template.deleted", "Template deleted"),
        SeverityRulesChanged => ("template.rules", "Severity rules changed"),
        WebhookCreated => ("webhook.created", "Webhook added"),
        WebhookUpdated => ("webhook.updated", "Webhook changed"),
        WebhookDeleted => ("webhook.deleted", "Webhook deleted"),
        WikiDestinationCreated => ("wiki.created", "Wiki destination added"),
        WikiDestinationUpdated => ("wiki.updated", "Wiki destination changed"),
        WikiDestinationDeleted => ("wiki.deleted", "Wiki destination deleted"),
        RecurrenceConfirmed => ("incident.recurrence_confirmed", "Recurrence confirmed"),
        RecurrenceRemoved => ("incident.recurrence_removed", "Recurrence removed"),
        ServiceRenamed => ("service.renamed", "Service renamed"),
        ServiceMerged => ("service.merged", "Services merged"),
        FactorKindAdded => ("factor_kind.added", "Contributing factor added"),
        FactorKindChanged => ("factor_kind.changed", "Contributing factor changed"),
        PublicVersionSaved => ("public_version.saved", "Public version saved"),
        PublicVersionSubmitted => ("public_version.submitted", "Public version submitted for approval"),
        PublicVersionApproved => ("public_version.approved", "Public version approved"),
        PublicVersionSentBack => ("public_version.sent_back", "Public version sent back"),
        PublicVersionWithdrawn => ("public_version.withdrawn", "Public version withdrawn"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_value() {
        for action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(*action));
        }
        let mut stored: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        stored.sort_unstable();
        stored.dedup();
        assert_eq!(stored.len(), AuditAction::ALL.len(), "stored values are unique");
    }
}
