//! Due dates and overdue: the default due date by severity ([`DuePolicy`]), and when an open
//! action item is overdue in its team's time zone.

use std::str::FromStr;

use super::{ActionStatus, Severity};

/// The one definition of "overdue": still open or in progress, and the due date has passed in
/// the team's time zone (`None`: UTC). The SQL function `action_item_overdue` says the same; a
/// test holds them to the same answers around midnight.
pub fn is_overdue(
    status: ActionStatus,
    due_on: Option<::time::Date>,
    zone: Option<&str>,
    at: ::time::OffsetDateTime,
) -> bool {
    let Some(due_on) = due_on else { return false };
    !status.is_closed() && due_on < date_in_zone(at, zone.unwrap_or("UTC"))
}

/// The calendar date at `at` in the IANA zone `zone` (UTC if the zone is unknown).
pub fn date_in_zone(at: ::time::OffsetDateTime, zone: &str) -> ::time::Date {
    let utc = at.to_offset(::time::UtcOffset::UTC);
    let Ok(instant) = jiff::Timestamp::from_second(utc.unix_timestamp()) else { return utc.date() };
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else { return utc.date() };
    let offset = tz.to_offset(instant).seconds();
    ::time::UtcOffset::from_whole_seconds(offset).map_or(utc.date(), |offset| utc.to_offset(offset).date())
}

/// Whether `zone` names a time zone Hindsight knows (IANA names such as `Europe/Berlin`).
pub fn is_time_zone(zone: &str) -> bool {
    jiff::tz::TimeZone::get(zone).is_ok()
}

/// When a new action item is due by default, by the incident's severity: e.g. SEV1 items in 4
/// weeks, SEV2 in 8. Written `SEV1=4w,SEV2=8w,SEV3=12w` (days `d` or weeks `w`); a severity
/// left out gets no default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuePolicy([Option<u16>; 5]);

impl DuePolicy {
    /// The default: SEV1 4 weeks, SEV2 8 weeks, SEV3 12 weeks, SEV4 and SEV5 none.
    pub const DEFAULT: DuePolicy = DuePolicy([Some(28), Some(56), Some(84), None, None]);

    /// The due date of an item added on `today` to an incident of `severity`.
    pub fn due(&self, severity: Severity, today: ::time::Date) -> Option<::time::Date> {
        let days = self.0[Severity::ALL.iter().position(|s| *s == severity)?]?;
        today.checked_add(::time::Duration::days(i64::from(days)))
    }
}

impl Default for DuePolicy {
    fn default() -> DuePolicy {
        DuePolicy::DEFAULT
    }
}

impl FromStr for DuePolicy {
    type Err = String;
    fn from_str(text: &str) -> Result<DuePolicy, String> {
        let mut days = [None; 5];
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || format!("{part:?}: expected SEVn=4w or SEVn=30d");
            let (severity, span) = part.split_once('=').ok_or_else(bad)?;
            let severity: Severity = severity.trim().to_uppercase().parse().map_err(|_| bad())?;
            let span = span.trim();
            let (number, unit) = span.split_at(span.len().saturating_sub(1));
            let number: u16 = number.parse().map_err(|_| bad())?;
            let total = match unit {
                "d" => Some(number),
                "w" => number.checked_mul(7),
                _ => None,
            };
            let slot = Severity::ALL.iter().position(|s| *s == severity).ok_or_else(bad)?;
            days[slot] = Some(total.filter(|d| (1..=3660).contains(d)).ok_or_else(bad)?);
        }
        Ok(DuePolicy(days))
    }
}

#[cfg(test)]
mod tests {
    use ::time::macros::date;

    use super::*;

    #[test]
    fn due_policies_read_days_and_weeks_and_leave_others_without_default() {
        let policy: DuePolicy = "SEV1=2w, sev2=45d".parse().expect("a policy");
        let today = date!(2025 - 03 - 01);
        assert_eq!(policy.due(Severity::Sev1, today), Some(date!(2025 - 03 - 15)));
        assert_eq!(policy.due(Severity::Sev2, today), Some(date!(2025 - 04 - 15)));
        assert_eq!(policy.due(Severity::Sev3, today), None);
        assert_eq!(DuePolicy::DEFAULT.due(Severity::Sev2, today), Some(date!(2025 - 04 - 26)));
        for bad in ["SEV1", "SEV9=2w", "SEV1=2m", "SEV1=0d", "SEV1=w"] {
            assert!(bad.parse::<DuePolicy>().is_err(), "{bad}");
        }
    }
}
