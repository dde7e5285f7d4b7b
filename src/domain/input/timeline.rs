//! The timeline entry form: a time as typed (a clock, a date and clock, or `+5m` after the
//! latest entry), read in the incident's offset, and its validation into a draft.

use super::*;

/// A timeline entry form: the time in the incident's offset, the date defaulting to the start's.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TimelineForm {
    pub date: String,
    pub time: String,
    pub body: String,
    /// The moment of the incident the entry marks ([`Marker::as_str`]), or empty for none.
    pub marker: String,
    /// The version the edit form was loaded at (hidden field; empty when adding).
    pub version: String,
}

/// A validated timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineDraft {
    pub occurred_at: OffsetDateTime,
    pub body: String,
    /// The time as an imported document wrote it; empty from the form.
    pub time_as_written: String,
    pub marker: Option<Marker>,
}

impl TimelineDraft {
    /// Leaves each marker on the first of `entries` that has it: one entry marks each moment.
    pub fn one_mark_each(entries: &mut [TimelineDraft]) {
        let mut seen = Vec::new();
        for entry in entries {
            if let Some(marker) = entry.marker {
                if seen.contains(&marker) {
                    entry.marker = None;
                }
                seen.push(marker);
            }
        }
    }
}

impl TimelineForm {
    /// A blank entry whose date is the incident's first day, in its offset.
    pub fn blank(incident: &Incident) -> TimelineForm {
        TimelineForm {
            date: incident
                .started_at
                .map(|start| t::format_date(t::local(start, incident.offset).date()))
                .unwrap_or_default(),
            ..TimelineForm::default()
        }
    }

    /// The edit form of `entry`, which is at `version`.
    pub fn from_entry(entry: &TimelineEntry, version: i32, offset: Offset) -> TimelineForm {
        let local = t::local(entry.occurred_at, offset);
        TimelineForm {
            date: t::format_date(local.date()),
            time: t::format_hm(local.time()),
            body: entry.body.clone(),
            marker: entry.marker.map(|marker| marker.as_str().to_owned()).unwrap_or_default(),
            version: version.to_string(),
        }
    }

    /// The version the edit form was loaded at, if it says.
    pub fn base_version(&self) -> Option<i32> {
        version_field(&self.version)
    }

    pub fn validate(&self, incident: &Incident) -> Result<TimelineDraft, FieldErrors> {
        self.validate_after(incident, None)
    }

    /// As [`validate`](Self::validate), with the time field read more ways: `10:15`, `10:15 AM`,
    /// a date and time (`2025-03-01 10:15`, which then needs no date field), or `+5m`, `+1h`,
    /// `+1h30m` after `previous` (the latest entry's instant).
    pub fn validate_after(
        &self,
        incident: &Incident,
        previous: Option<OffsetDateTime>,
    ) -> Result<TimelineDraft, FieldErrors> {
        let typed = self.time.trim();
        if let Some(after) = typed.strip_prefix('+') {
            return match (relative(after), previous) {
                (Some(_), None) => {
                    Err(time_error("There is no entry before this one to count from: enter a time such as 10:15."))
                }
                (None, _) => Err(time_error("Write a time after the last entry as +5m, +1h or +1h30m.")),
                (Some(gap), Some(previous)) => {
                    let local = t::local(previous + gap, incident.offset);
                    let form = TimelineForm {
                        date: t::format_date(local.date()),
                        time: t::format_hm(local.time()),
                        ..self.clone()
                    };
                    form.validate_after(incident, None)
                }
            };
        }
        if let (Some(date), Some(time)) = (t::parse_date(typed.get(..10).unwrap_or_default()), typed.get(10..)) {
            let form = TimelineForm { date: t::format_date(date), time: time.trim().to_owned(), ..self.clone() };
            return form.validate_after(incident, None);
        }
        let mut errors = FieldErrors::default();
        let date = if self.date.trim().is_empty() {
            let first_day = incident.started_at.map(|start| t::local(start, incident.offset).date());
            if first_day.is_none() {
                errors.add("date", "Enter the date: the postmortem does not say yet when the impact started.");
            }
            first_day
        } else {
            let date = t::parse_date(&self.date);
            if date.is_none() {
                errors.add("date", "Enter a date such as 2025-03-01.");
            }
            date
        };
        let time = if self.time.trim().is_empty() {
            errors.add("time", "Enter the time, such as 10:15.");
            None
        } else {
            let time = t::parse_time(&self.time);
            if time.is_none() {
                errors.add("time", "Enter a time such as 10:15, 10:15 AM, 2025-03-01 10:15 or +5m.");
            }
            time
        };
        let body = prose(&mut errors, "body", &self.body);
        if body.trim().is_empty() && errors.get("body").is_none() {
            errors.add("body", "Say what happened.");
        }
        let occurred_at = match (date, time) {
            (Some(date), Some(time)) => {
                let local = ::time::PrimitiveDateTime::new(date, time).assume_offset(incident.offset.to_utc_offset());
                t::showable(local).unwrap_or_else(|| {
                    errors.add("date", "Enter a date Hindsight can show in every time zone: this one is at the very end of the calendar.");
                    OffsetDateTime::UNIX_EPOCH
                })
            }
            _ => OffsetDateTime::UNIX_EPOCH,
        };
        let marker = match self.marker.trim() {
            "" => None,
            typed => {
                let marker = typed.parse::<Marker>().ok();
                if marker.is_none() {
                    errors.add("marker", "Choose one of the moments listed, or none.");
                }
                marker
            }
        };
        errors.into_result(|| TimelineDraft { occurred_at, body, time_as_written: String::new(), marker })
    }
}

/// The time field's one error.
fn time_error(message: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("time", message);
    errors
}

/// `5m`, `1h`, `1h30m`, `90m`, `2 min`: a time after the entry before, up to a day.
pub(super) fn relative(text: &str) -> Option<::time::Duration> {
    let mut total = 0i64;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let number: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let seconds = match rest[..unit].to_ascii_lowercase().as_str() {
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(seconds)?)?;
        rest = rest[unit..].trim_start();
    }
    (total > 0 && total <= 86_400).then(|| ::time::Duration::seconds(total))
}
