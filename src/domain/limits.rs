//! What one postmortem may hold, the same on every way in: the forms, the Import page,
//! `POST /api/import` and `hindsight import`. The limits are defined here once; the door
//! (`app`) checks every draft against them before it writes, whichever way it came.
//!
//! The forms check the same limits as they parse (with the same constants), so a form shows
//! its messages beside the fields; the door's check is what an import, which builds its drafts
//! itself, cannot get round.

use ::time::{Date, OffsetDateTime};

use super::input::{ActionItemDraft, FieldErrors, IncidentDraft, SectionDraft, TimelineDraft, is_web_address};
use super::time::{self as t, Offset};

/// Longest title, in characters: a line in a list, not a paragraph.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest heading of an extra section or of a standard section's own name, in characters.
pub const MAX_HEADING_CHARS: usize = 200;
/// Longest Markdown field (a section, a timeline entry, an extra section), in bytes: about 30,000
/// words, far beyond any real postmortem's section, yet a page of a thousand of them stays
/// something a browser can show.
pub const MAX_PROSE_BYTES: usize = 200_000;
/// Longest one-line field (an action item's text, the reason it will not be done, how it was
/// done), in characters.
pub const MAX_LINE_CHARS: usize = 500;
/// Longest name (a person, an action item's owner or team as written), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest web address (a ticket link), in characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// Most timeline entries in one postmortem. The longest real timelines (a day-long outage
/// logged minute by minute) have a few hundred rows; a thousand leaves room for those and keeps
/// the page (each entry is a table row, rendered in full) well under a megabyte of HTML.
pub const MAX_TIMELINE_ENTRIES: usize = 1_000;
/// Most action items in one postmortem. Real postmortems have a handful, big ones a few dozen;
/// 500 still fits one page and one review, and stops a pasted backlog or a runaway script.
pub const MAX_ACTION_ITEMS: usize = 500;
/// Most extra sections in one postmortem (the standard seven are not counted). Imports keep
/// every heading they do not recognise, so real documents bring up to a few dozen.
pub const MAX_EXTRA_SECTIONS: usize = 100;
/// Longest template body, in bytes: a dozen sections with a question or two each fit in a
/// tenth of it; a template is read on every new postmortem's form.
pub const MAX_TEMPLATE_BYTES: usize = 20_000;
/// Longest template name, in characters.
pub const MAX_TEMPLATE_NAME_CHARS: usize = 100;
/// Most sections in one template.
pub const MAX_TEMPLATE_SECTIONS: usize = 40;
/// The years a date may fall in (an incident's start and end, a timeline entry, a due date).
/// 1970 is the Unix epoch: no computer incident happened before it, and a year before it is a
/// typo (`0025`, `1925`). 2200 leaves room for any real due date while refusing `9999`, and
/// keeps every date far from the ends of the calendar, where a time has no date in some
/// offsets and other tools (spreadsheets, calendars) fail.
pub const EARLIEST_YEAR: i32 = 1970;
pub const LATEST_YEAR: i32 = 2200;

/// Whether `date` falls in the years a postmortem's dates may take.
pub fn is_sane_date(date: Date) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year())
}

/// The message for a date outside those years.
pub fn date_range_message(what: &str, date: Date) -> String {
    format!("{what} is in the year {}; enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.", date.year())
}

fn local_date(at: OffsetDateTime, offset: Offset) -> Date {
    t::local(at, offset).date()
}

/// Checks a postmortem's own fields: title, texts, headings, and when it started and ended.
pub fn check_incident(errors: &mut FieldErrors, draft: &IncidentDraft) {
    let title = draft.title.trim();
    if title.is_empty() {
        errors.add("title", "Give the postmortem a title.");
    } else {
        check_line(errors, "title", "The title", title, MAX_TITLE_CHARS);
    }
    for (section, text) in draft.texts.iter() {
        check_prose(errors, section.key(), section.label(), text);
    }
    let headings = &draft.headings;
    let own = headings.sections.iter().filter_map(|(_, heading)| heading.as_deref());
    let lists = [&headings.timeline, &headings.measures, &headings.action_items];
    for heading in own.chain(lists.into_iter().filter_map(|heading| heading.as_deref())) {
        check_line(errors, "headings", &format!("The heading “{}”", abbreviated(heading)), heading, MAX_HEADING_CHARS);
    }
    if let Some(started_at) = draft.started_at {
        let start = local_date(started_at, draft.offset);
        if !is_sane_date(start) {
            errors.add("started_at", date_range_message("The start of impact", start));
        }
    }
    if let Some(end) = draft.ended_at {
        let end_date = local_date(end, draft.offset);
        if !is_sane_date(end_date) {
            errors.add("ended_at", date_range_message("The end of impact", end_date));
        } else if draft.started_at.is_some_and(|start| end < start) {
            errors.add("ended_at", "The end of impact is before its start.");
        }
    }
}

/// Checks one timeline entry (`which` names it in a message about a whole document: "Timeline
/// entry 3"; `None` for the entry's own form).
pub fn check_entry(errors: &mut FieldErrors, entry: &TimelineDraft, offset: Offset, which: Option<&str>) {
    let (body, date, written) = match which {
        None => ("body", "date", "time"),
        Some(_) => ("timeline", "timeline", "timeline"),
    };
    let name = which.unwrap_or("This entry");
    if entry.body.trim().is_empty() {
        errors.add(body, format!("{name}: say what happened."));
    }
    check_prose(errors, body, name, &entry.body);
    check_line(errors, written, &format!("{name}'s time as written"), &entry.time_as_written, MAX_NAME_CHARS);
    let day = local_date(entry.occurred_at, offset);
    if !is_sane_date(day) {
        errors.add(date, date_range_message(name, day));
    }
}

/// Checks one action item against the postmortem it belongs to (it may not be due before the
/// incident started: `start`, in the incident's offset). `which` names it in a message about a
/// whole document ("Action item 3"); `None` for the item's own form.
/// `start`: the day the incident started (`None` while its draft does not say), which an item
/// may not be due before.
pub fn check_item(errors: &mut FieldErrors, item: &ActionItemDraft, start: Option<Date>, which: Option<&str>) {
    let field = |own: &'static str| if which.is_some() { "action_items" } else { own };
    let name = which.unwrap_or("The action item");
    if item.body.trim().is_empty() {
        errors.add(field("body"), format!("{name}: say what needs to be done."));
    }
    // An imported item may run over several lines (a list item's continuation), which the
    // form, one line, cannot type: only its length is a limit.
    check_length(errors, field("body"), name, &item.body, MAX_LINE_CHARS);
    check_line(errors, field("owner"), &format!("{name}'s owner"), &item.owner, MAX_NAME_CHARS);
    check_line(errors, field("team"), &format!("{name}'s team"), &item.team, MAX_NAME_CHARS);
    check_line(errors, field("wont_do_reason"), &format!("{name}'s reason"), &item.wont_do_reason, MAX_LINE_CHARS);
    check_line(errors, field("completion_note"), &format!("{name}'s note"), &item.completion_note, MAX_LINE_CHARS);
    check_line(errors, field("ticket_url"), &format!("{name}'s ticket link"), &item.ticket_url, MAX_URL_CHARS);
    if !item.ticket_url.is_empty() && !is_web_address(&item.ticket_url) {
        errors.add(field("ticket_url"), format!("{name}'s ticket link must be a web address starting with https://."));
    }
    if let Some(due) = item.due_on {
        if !is_sane_date(due) {
            errors.add(field("due_on"), date_range_message(&format!("{name}'s due date"), due));
        } else if let Some(start) = start.filter(|start| due < *start) {
            errors.add(
                field("due_on"),
                format!(
                    "{name} is due on {}, before the incident started ({}). Enter a due date on or after the start.",
                    t::format_date(due),
                    t::format_date(start)
                ),
            );
        }
    }
}

/// Checks one extra section.
pub fn check_section(errors: &mut FieldErrors, section: &SectionDraft, which: Option<&str>) {
    let (heading, body) = if which.is_some() { ("sections", "sections") } else { ("heading", "body") };
    let name = which.unwrap_or("The section");
    if section.heading.trim().is_empty() {
        errors.add(heading, format!("{name}: give the section a heading."));
    }
    check_line(errors, heading, &format!("{name}'s heading"), &section.heading, MAX_HEADING_CHARS);
    check_prose(errors, body, name, &section.body);
}

/// The parts of a postmortem whose number is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    TimelineEntry,
    ActionItem,
    ExtraSection,
}

impl Part {
    /// The most of this part one postmortem may hold.
    pub fn most(self) -> usize {
        match self {
            Part::TimelineEntry => MAX_TIMELINE_ENTRIES,
            Part::ActionItem => MAX_ACTION_ITEMS,
            Part::ExtraSection => MAX_EXTRA_SECTIONS,
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Part::TimelineEntry => "timeline entries",
            Part::ActionItem => "action items",
            Part::ExtraSection => "extra sections",
        }
    }

    /// The field a message about the count belongs to: the add form's text, or the part of a
    /// whole document.
    fn field(self, whole_document: bool) -> &'static str {
        match (self, whole_document) {
            (Part::TimelineEntry, true) => "timeline",
            (Part::ActionItem, true) => "action_items",
            (Part::ExtraSection, true) => "sections",
            (_, false) => "body",
        }
    }
}

/// Checks that a postmortem holding `count` parts of a kind is within its limit: a whole
/// document being imported (`whole_document`), or a postmortem with one more added by a form.
pub fn check_count(errors: &mut FieldErrors, part: Part, count: usize, whole_document: bool) {
    if count > part.most() {
        let message = if whole_document {
            format!(
                "The document has {count} {}; a postmortem holds at most {}. Split it, or keep the rest in a linked document.",
                part.plural(),
                part.most()
            )
        } else {
            format!(
                "This postmortem already has {} {}, the most it can hold. Merge or delete some first.",
                count - 1,
                part.plural()
            )
        };
        errors.add(part.field(whole_document), message);
    }
}

/// Checks a whole postmortem as an import saves it: its fields, every part, and how many of
/// each it has. Messages name the part ("Timeline entry 12: ...").
pub fn check_postmortem(
    incident: &IncidentDraft,
    timeline: &[TimelineDraft],
    action_items: &[ActionItemDraft],
    sections: &[SectionDraft],
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    check_incident(&mut errors, incident);
    check_count(&mut errors, Part::TimelineEntry, timeline.len(), true);
    check_count(&mut errors, Part::ActionItem, action_items.len(), true);
    check_count(&mut errors, Part::ExtraSection, sections.len(), true);
    // Past a count limit, a message per part would only bury the one that matters.
    if errors.is_empty() {
        for (n, entry) in timeline.iter().enumerate() {
            check_entry(&mut errors, entry, incident.offset, Some(&format!("Timeline entry {}", n + 1)));
        }
        let start = incident.started_at.map(|start| local_date(start, incident.offset));
        for (n, item) in action_items.iter().enumerate() {
            check_item(&mut errors, item, start, Some(&format!("Action item {}", n + 1)));
        }
        for (n, section) in sections.iter().enumerate() {
            check_section(
                &mut errors,
                section,
                Some(&format!("Extra section {} (“{}”)", n + 1, abbreviated(&section.heading))),
            );
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A Markdown field: within the size limit, and storable (PostgreSQL refuses NUL).
fn check_prose(errors: &mut FieldErrors, field: &'static str, name: &str, text: &str) {
    if text.contains('\0') {
        errors.add(field, format!("{name} contains a NUL character, which cannot be stored. Remove it."));
    } else if text.len() > MAX_PROSE_BYTES {
        errors.add(
            field,
            format!("{name} is {} KB; the limit is {} KB.", text.len().div_ceil(1000), MAX_PROSE_BYTES / 1000),
        );
    }
}

/// A one-line field: within `max_chars`, on one line, storable.
fn check_line(errors: &mut FieldErrors, field: &'static str, name: &str, text: &str, max_chars: usize) {
    if text.contains(['\n', '\r']) && !text.contains('\0') {
        errors.add(field, format!("{name} must be a single line."));
    } else {
        check_length(errors, field, name, text, max_chars);
    }
}

/// A short text: within `max_chars`, storable.
fn check_length(errors: &mut FieldErrors, field: &'static str, name: &str, text: &str, max_chars: usize) {
    if text.contains('\0') {
        errors.add(field, format!("{name} contains a NUL character, which cannot be stored. Remove it."));
    } else if text.chars().count() > max_chars {
        errors.add(field, format!("{name} is {} characters; keep it under {max_chars}.", text.chars().count()));
    }
}

/// The first words of a long text, to name it in a message.
fn abbreviated(text: &str) -> String {
    const SHOWN: usize = 40;
    let text = text.trim();
    if text.chars().count() <= SHOWN {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(SHOWN).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use ::time::macros::date;

    use super::*;
    use crate::domain::ActionStatus;

    fn item(due_on: Option<Date>) -> ActionItemDraft {
        ActionItemDraft {
            body: "Add jitter".into(),
            kind: None,
            priority: None,
            owner: String::new(),
            owner_id: None,
            team: String::new(),
            team_id: None,
            due_on,
            status: ActionStatus::Open,
            wont_do_reason: String::new(),
            ticket_url: String::new(),
            completion_note: String::new(),
            verified: None,
            recurred_in_as_written: String::new(),
        }
    }

    #[test]
    fn counts_are_refused_only_past_the_most() {
        for part in [Part::TimelineEntry, Part::ActionItem, Part::ExtraSection] {
            let mut errors = FieldErrors::default();
            check_count(&mut errors, part, part.most(), true);
            assert!(errors.is_empty(), "{part:?} at its most");
            check_count(&mut errors, part, part.most() + 1, true);
            check_count(&mut errors, part, part.most() + 1, false);
            assert_eq!(errors.len(), 2, "{part:?} past its most");
        }
    }

    #[test]
    fn due_dates_are_sane_and_not_before_the_start() {
        let start = date!(2025 - 03 - 01);
        let refused = |due| {
            let mut errors = FieldErrors::default();
            check_item(&mut errors, &item(Some(due)), Some(start), None);
            errors.get("due_on").map(str::to_owned)
        };
        let mut undated = FieldErrors::default();
        check_item(&mut undated, &item(Some(date!(1999 - 01 - 01))), None, None);
        assert!(undated.is_empty(), "no start stated: any sane due date will do");
        assert_eq!(refused(start), None, "due on the day it started");
        assert!(refused(date!(2025 - 02 - 28)).is_some_and(|m| m.contains("before the incident started (2025-03-01)")));
        assert!(refused(date!(9999 - 01 - 01)).is_some_and(|m| m.contains("between 1970 and 2200")));
        assert!(refused(date!(2200 - 12 - 31)).is_none());
        assert!(is_sane_date(date!(1970 - 01 - 01)) && !is_sane_date(date!(1969 - 12 - 31)));
    }
}
