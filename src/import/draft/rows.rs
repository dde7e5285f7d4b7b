//! The rows to save from a recognised postmortem: the incident, its timeline rows (each
//! with its time as written where the export can repeat it), its action items (with what
//! their fields were read from kept as written), its extra sections and labels; and
//! [`saved`], those rows as the postmortem they would make.

use super::*;
/// A field's value when the item came from a Hindsight export, where it is known to be
/// Hindsight's own; elsewhere such values stay in the item's text.
fn exact<T: std::str::FromStr>(item: &ImportedItem, value: &Option<String>) -> Option<T> {
    if item.exact { value.as_deref().and_then(|v| v.parse().ok()) } else { None }
}

impl ResolvedItem {
    pub fn is_done(&self) -> bool {
        self.item.status == ItemStatus::Done
    }

    /// An export's ticket link, if it is a web address (anything else stays in the text).
    fn exact_ticket(&self) -> Option<String> {
        self.item.ticket.clone().filter(|ticket| self.item.exact && is_web_address(ticket))
    }

    fn to_draft(&self) -> ActionItemDraft {
        let item = &self.item;
        let status = match item.status {
            ItemStatus::Open => ActionStatus::Open,
            ItemStatus::InProgress => ActionStatus::InProgress,
            ItemStatus::Done => ActionStatus::Done,
            ItemStatus::WontDo => ActionStatus::WontDo,
        };
        let wont_do_reason = match status {
            ActionStatus::WontDo => {
                item.reason.clone().unwrap_or_else(|| "Marked won't do in the imported document.".to_owned())
            }
            _ => String::new(),
        };
        ActionItemDraft {
            body: self.text_with_details(),
            kind: exact(item, &item.kind),
            priority: exact(item, &item.priority),
            owner: item.owner.clone().unwrap_or_default(),
            owner_id: None,
            team: item.team.clone().unwrap_or_default(),
            team_id: None,
            due_on: self.due_on,
            status,
            wont_do_reason,
            ticket_url: self.exact_ticket().unwrap_or_default(),
            completion_note: item.note.clone().unwrap_or_default(),
            verified: item.verified.clone().filter(|_| status == ActionStatus::Done),
            recurred_in_as_written: item.recurred_in.clone().unwrap_or_default(),
        }
    }

    /// The words the export writes for the item besides its text: its fields and their labels.
    fn shown_words(&self) -> BTreeSet<String> {
        let item = &self.item;
        let due = self.due_on.map(crate::domain::time::format_date);
        // Kind and priority are fields only when Hindsight's own values.
        let kind = item.kind.clone().filter(|_| exact::<ActionKind>(item, &item.kind).is_some());
        let priority = item.priority.clone().filter(|_| exact::<Priority>(item, &item.priority).is_some());
        let status = match item.status {
            ItemStatus::InProgress => Some(format::item::IN_PROGRESS.to_owned()),
            ItemStatus::WontDo => Some(format!("{}{}", format::item::WONT_DO, item.reason.clone().unwrap_or_default())),
            ItemStatus::Open | ItemStatus::Done => None,
        };
        // The labels the export writes for this item (not `Verified by`, which an import has
        // no value for), and their values.
        let fields = [
            (format::item::OWNER, &item.owner),
            (format::item::TEAM, &item.team),
            (format::item::DUE, &due),
            (format::item::NOTE, &item.note),
            (format::item::TICKET, &self.exact_ticket()),
            (format::item::STATUS, &status),
            (format::item::KIND, &kind),
            (format::item::PRIORITY, &priority),
        ];
        let mut shown = String::new();
        for (label, value) in fields {
            if let Some(value) = value {
                shown.push_str(label);
                shown.push(' ');
                shown.push_str(value);
                shown.push(' ');
            }
        }
        words(&shown)
    }

    /// The labels the document wrote its fields with that the export does not repeat, with
    /// the field each names (`Verantwortlich`, owner): their values are the fields', so the
    /// notes name them once for the list (see `to_drafts`). A table's headers have a line of
    /// their own.
    fn labels_not_shown(&self) -> Vec<(&str, WrittenField)> {
        let shown = self.shown_words();
        self.item
            .written
            .iter()
            .filter(|w| !w.in_table && w.field != WrittenField::Number)
            .filter(|w| w.field == WrittenField::Text || words(&w.value).is_subset(&shown))
            .filter_map(|w| Some((w.label.as_deref()?, w.field)))
            .filter(|(label, _)| !words(label).is_subset(&shown))
            .collect()
    }

    /// The item's text with, as the document wrote them, its fields whose words the export's
    /// fields do not show (`Fällig: KW 10`, `Statut: Fait`, `next sprint`) and its number,
    /// kept at the end of its first paragraph, so no word is lost. An export's ticket,
    /// priority and type that are not Hindsight's own values are kept there too.
    fn text_with_details(&self) -> String {
        let item = &self.item;
        let shown = self.shown_words();
        let mut details: Vec<String> = item
            .written
            .iter()
            .filter(|w| match w.field {
                WrittenField::Number => true,
                // The label alone: the notes' line of labels names it.
                WrittenField::Text => false,
                _ => !words(&w.value).is_subset(&shown),
            })
            .map(|w| w.text.clone())
            .collect();
        let has = |field: WrittenField| item.written.iter().any(|w| w.field == field);
        let ticket = if self.exact_ticket().is_some() { &None } else { &item.ticket };
        let priority = if exact::<Priority>(item, &item.priority).is_some() { &None } else { &item.priority };
        let kind = if exact::<ActionKind>(item, &item.kind).is_some() { &None } else { &item.kind };
        for (label, value, field) in [
            ("ticket", ticket, WrittenField::Ticket),
            ("priority", priority, WrittenField::Priority),
            ("type", kind, WrittenField::Kind),
        ] {
            if let Some(value) = value.as_ref().filter(|_| !has(field)) {
                details.push(format!("{label}: {value}"));
            }
        }
        if details.is_empty() {
            return item.text.clone();
        }
        // The first paragraph ends before a blank line or a sub-bullet.
        let lines: Vec<&str> = item.text.split('\n').collect();
        let end = (1..lines.len())
            .find(|&i| {
                let line = lines[i].trim_start();
                line.is_empty() || ["- ", "* ", "+ ", "• "].iter().any(|marker| line.starts_with(marker))
            })
            .unwrap_or(lines.len());
        let first = format!("{} ({})", lines[..end].join("\n"), details.join("; "));
        std::iter::once(first.as_str()).chain(lines[end..].iter().copied()).collect::<Vec<_>>().join("\n")
    }
}

/// The distinct words of `text`, lower case: runs of letters and digits (as the word retention
/// tests count them).
pub(super) fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The line the notes keep for the labels `items` wrote their fields with that the export does
/// not repeat (`Verantwortlich`, `fällig`), each once, with what it was read as.
fn labels_line(items: &[ResolvedItem]) -> Option<String> {
    let mut labels: Vec<(&str, WrittenField)> = Vec::new();
    for (label, field) in items.iter().flat_map(ResolvedItem::labels_not_shown) {
        if !labels.iter().any(|(seen, _)| seen.to_lowercase() == label.to_lowercase()) {
            labels.push((label, field));
        }
    }
    if labels.is_empty() {
        return None;
    }
    let named: Vec<String> = labels.iter().map(|(label, field)| format!("{label} ({})", field.name())).collect();
    Some(format!("The items' fields were read from their own labels: {}.", named.join(", ")))
}

/// A recognised postmortem as rows to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drafts {
    pub incident: IncidentDraft,
    pub timeline: Vec<TimelineDraft>,
    pub action_items: Vec<ActionItemDraft>,
    pub sections: Vec<SectionDraft>,
    pub labels: LabelsDraft,
    /// What a Hindsight export said about recurrences, as written (`app::imports` links what
    /// names a postmortem of this instance).
    pub recurrences: RecurrencesAsWritten,
}

impl ImportedPostmortem {
    /// The rows to save, with the status the document states (a Hindsight export does, so an
    /// export reads back as the same postmortem; `app::imports` saves every import as a draft
    /// all the same). Text that has no place in a field
    /// (timeline rows without a time, notes between items) is kept in extra sections.
    ///
    /// Nothing stops a document from being saved (only what cannot be a postmortem at all is
    /// refused, by [`super::check_input`] and the limits): what it does not say, or says two
    /// ways, is saved empty, and the notes and the draft's review checklist ask for it.
    pub fn to_drafts(&self) -> Drafts {
        // A zone that is not one: no time is read in a zone the document did not state. The
        // start and end are left unsaid, and every row is kept, its time as written, in a
        // section of its own. (Two different starts were already left unsaid by `recognise`.)
        let unread_zone = self.zone_problem.is_some();
        let read_offset = Offset::from_minutes(self.utc_offset_minutes);
        let entries: std::borrow::Cow<'_, [ImportedEntry]> = if unread_zone {
            let as_written = |entry: &ImportedEntry| {
                entry.time_as_written.clone().or_else(|| {
                    let local = entry.occurred_at.map(|at| crate::domain::time::local(at, read_offset))?;
                    Some(format!(
                        "{} {}",
                        crate::domain::time::format_date(local.date()),
                        format::write_clock(local.time())
                    ))
                })
            };
            self.timeline
                .iter()
                .map(|entry| ImportedEntry { occurred_at: None, time_as_written: as_written(entry), ..entry.clone() })
                .collect()
        } else {
            std::borrow::Cow::Borrowed(&self.timeline)
        };
        // Not stated is saved as not stated: the draft asks for it before review.
        let started_at = self.started_at.filter(|_| !unread_zone);
        let ended_at = self.ended_at.filter(|end| !unread_zone && started_at.is_none_or(|start| *end >= start));
        let title = if self.title.trim().is_empty() { "Imported postmortem".to_owned() } else { self.title.clone() };
        let incident = IncidentDraft {
            title,
            severity: self.severity.unwrap_or(Severity::Sev3),
            status: self.status.unwrap_or(Status::Draft),
            started_at,
            ended_at,
            offset: Offset::from_minutes(self.utc_offset_minutes),
            texts: self.texts.map(|_, field| field.body.clone()),
            headings: SectionHeadings::default(),
        };
        // The day a time written without a date is on: the start's, else the first saved row's
        // (as the export reads it back).
        let first_day = started_at
            .or_else(|| {
                entries.iter().filter(|entry| !entry.text.trim().is_empty()).find_map(|entry| entry.occurred_at)
            })
            .map(|at| crate::domain::time::local(at, incident.offset).date());
        let timeline: Vec<TimelineDraft> = entries
            .iter()
            .filter_map(|entry| {
                let occurred_at = entry.occurred_at?;
                // Kept only where the export can write it and read it back as the same instant.
                let time_as_written = first_day
                    .zip(entry.time_as_written.as_deref())
                    .and_then(|(day, written)| writable_time(written, occurred_at, incident.offset, day))
                    .unwrap_or_default();
                // A time the export cannot write as written (`T+0:31`, counted from a T0) stays
                // after the row's text, where it has words the export's clock does not repeat.
                let body = match entry.time_as_written.as_deref() {
                    Some(written)
                        if time_as_written.is_empty() && !clock_repeats(written, occurred_at, incident.offset) =>
                    {
                        format!("{} ({written})", entry.text)
                    }
                    _ => entry.text.clone(),
                };
                Some(TimelineDraft { occurred_at, body, time_as_written, marker: entry.marker })
            })
            .filter(|entry| !entry.body.trim().is_empty())
            .collect();
        // A hand-edited export may mark one moment twice.
        let mut timeline = timeline;
        // Without a start, the first row gives the others their first day: a day it names
        // without the year is left to the date the export writes for it.
        if started_at.is_none()
            && let Some(first) = timeline.first_mut()
            && format::leans_on_first_day(&first.time_as_written)
        {
            // Words the export's date does not repeat (the weekday of `Thu Nov 14, 16:30`)
            // stay after the row's text, as for a time it cannot write.
            if !clock_repeats(&first.time_as_written, first.occurred_at, incident.offset) {
                first.body = format!("{} ({})", first.body, first.time_as_written);
            }
            first.time_as_written.clear();
        }
        TimelineDraft::one_mark_each(&mut timeline);
        let action_items: Vec<ActionItemDraft> = self
            .action_items
            .iter()
            .filter(|item| !item.item.text.trim().is_empty())
            .map(ResolvedItem::to_draft)
            .collect();

        let mut sections = Vec::new();
        let untimed: Vec<String> = entries
            .iter()
            .filter(|entry| entry.occurred_at.is_none() || entry.text.trim().is_empty())
            // A time that could not be dated (no start to go by) is kept as written.
            .map(|entry| match entry.time_as_written.as_deref().filter(|_| entry.occurred_at.is_none()) {
                Some(time) => format!("- {time} {}", entry.text),
                None => format!("- {}", entry.text),
            })
            .collect();
        // The line a Hindsight export writes above its timeline is restated by every export.
        let own_zone_line = format!("All times are {}.", self.zone);
        let mut timeline_notes: Vec<&str> =
            self.timeline_notes.lines().filter(|line| line.trim() != own_zone_line).collect();
        // The authors' heading where it cannot head the rows (`Work notes (newest first)` would
        // not read back as the timeline): said in the notes, so its words are kept.
        let standard = Part::Timeline.heading();
        let heading_line = self
            .timeline_heading
            .as_deref()
            .map(str::trim)
            .filter(|heading| {
                !timeline.is_empty()
                    && !heading.is_empty()
                    && *heading != standard
                    && own_heading(Some(heading), SectionKind::Timeline, standard).is_none()
            })
            .map(|heading| format!("The timeline was under the heading “{heading}”."));
        if let Some(line) = &heading_line {
            if !timeline_notes.is_empty() {
                timeline_notes.push("");
            }
            timeline_notes.push(line);
        }
        // With no timed entry (or no item) to head, the authors' heading goes to the first of
        // these sections instead, so it is still exported.
        let mut timeline_heading = self.timeline_heading.as_deref().filter(|_| timeline.is_empty());
        let mut items_heading = self.action_items_heading.as_deref().filter(|_| action_items.is_empty());
        for (from_timeline, heading, body) in [
            (true, "Timeline notes", timeline_notes.join("\n").trim().to_owned()),
            (true, "Timeline rows without a time", untimed.join("\n")),
            (false, "Action item notes", self.action_item_notes_kept(!action_items.is_empty())),
        ] {
            if !body.trim().is_empty() {
                let own = if from_timeline { timeline_heading.take() } else { items_heading.take() };
                sections.push(SectionDraft { heading: own.unwrap_or(heading).to_owned(), body });
            }
        }
        sections.extend(
            self.extra_sections.iter().map(|s| SectionDraft { heading: s.heading.clone(), body: s.body.clone() }),
        );
        let headings = self.own_headings(!timeline.is_empty(), !action_items.is_empty());
        let labels = self.labels.to_draft();
        Drafts {
            incident: IncidentDraft { headings, ..incident },
            timeline,
            action_items,
            sections,
            labels,
            recurrences: self.recurrences.clone(),
        }
    }
}

/// Whether the export's date and clock for `instant` in `offset` repeat every word of
/// `written` (`14:20`, `2025-03-01 14:20`; not `T+0:31` or `+12m`).
fn clock_repeats(written: &str, instant: OffsetDateTime, offset: Offset) -> bool {
    let local = crate::domain::time::local(instant, offset);
    let shown = format!("{} {}", crate::domain::time::format_date(local.date()), format::write_clock(local.time()));
    // A zone's name (`UTC`, `CET`, `PST`) is the timeline's zone line's to say.
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && when::find_zone(w).is_none())
            .map(str::to_lowercase)
            .collect()
    };
    let shown = words(&shown);
    // `09` and `9` are one number.
    let number = |w: &str| w.trim_start_matches('0').to_owned();
    words(written)
        .iter()
        .all(|w| shown.iter().any(|s| s == w || (w.chars().all(|c| c.is_ascii_digit()) && number(s) == number(w))))
}

/// The time a row was written with, as the export may write it for `instant` in a timeline
/// shown in `offset` from `first_day` (see [`format::written_time_fits`]). A time written in
/// another offset than the timeline's (`09:30` the morning after clocks went forward, in a
/// timeline shown in the offset of its start) is kept with that offset named after it
/// (`09:30 UTC+2`): the clock is the authors', and it reads back as the same instant.
fn writable_time(written: &str, instant: OffsetDateTime, offset: Offset, first_day: Date) -> Option<String> {
    if format::written_time_fits(written, instant, offset, first_day) {
        return Some(written.to_owned());
    }
    let own = Offset::from_minutes(i32::from(instant.offset().whole_minutes()));
    let named = format!("{written} {own}");
    (own != offset && format::written_time_fits(&named, instant, offset, first_day)).then_some(named)
}

impl ImportedPostmortem {
    /// The notes between the action items, then the lines naming what the items' export does
    /// not repeat of the list as a whole: the authors' heading, where it cannot head the items
    /// (`5. Corrective actions` would read back as the corrective measures), and the labels
    /// their fields were read from.
    fn action_item_notes_kept(&self, has_action_items: bool) -> String {
        let items: Vec<ResolvedItem> =
            self.action_items.iter().filter(|item| !item.item.text.trim().is_empty()).cloned().collect();
        let standard = Part::ActionItems.heading();
        let heading = self.action_items_heading.as_deref().map(str::trim).filter(|heading| {
            has_action_items
                && !heading.is_empty()
                && *heading != standard
                && own_heading(Some(heading), SectionKind::ActionItems, standard).is_none()
        });
        let lines = [
            heading.map(|heading| format!("The action items were under the heading “{heading}”.")),
            labels_line(&items),
        ];
        let mut notes = self.action_item_notes.clone();
        for line in lines.into_iter().flatten() {
            if !notes.trim().is_empty() {
                notes.push_str("\n\n");
            }
            notes.push_str(&line);
        }
        notes
    }

    /// The authors' headings worth keeping: those of sections the export will write (a
    /// section without content is left out, and its heading with it) that read back as the
    /// same section. The corrective and preventative measures share one heading.
    fn own_headings(&self, has_timeline: bool, has_action_items: bool) -> SectionHeadings {
        let has_measures = Section::ALL.into_iter().any(|s| s.is_measure() && !self.texts[s].body.is_empty());
        let measures = Section::ALL
            .into_iter()
            .filter(|section| section.is_measure())
            .find_map(|section| {
                own_heading(self.texts[section].heading.as_deref(), SectionKind::Measures, Part::Measures.heading())
            })
            .filter(|_| has_measures);
        let list_heading = |heading: &Option<String>, present: bool, kind: SectionKind, part: Part| {
            own_heading(heading.as_deref().filter(|_| present), kind, part.heading()).map(str::to_owned)
        };
        SectionHeadings {
            sections: PerSection::from_fn(|section| {
                let field = &self.texts[section];
                let heading = field.heading.as_deref().filter(|_| !field.body.is_empty() && !section.is_measure());
                own_heading(heading, kind_of(section), section.export_heading()).map(str::to_owned)
            }),
            timeline: list_heading(&self.timeline_heading, has_timeline, SectionKind::Timeline, Part::Timeline),
            measures: measures.map(str::to_owned),
            action_items: list_heading(
                &self.action_items_heading,
                has_action_items,
                SectionKind::ActionItems,
                Part::ActionItems,
            ),
        }
    }
}

/// What a heading must mean to be kept as `section`'s own.
fn kind_of(section: Section) -> SectionKind {
    match section {
        Section::Summary => SectionKind::Summary,
        Section::Impact => SectionKind::Impact,
        Section::RootCause => SectionKind::RootCause,
        Section::Resolution => SectionKind::Resolution,
        Section::CorrectiveMeasures => SectionKind::CorrectiveMeasures,
        Section::PreventativeMeasures => SectionKind::PreventativeMeasures,
        Section::LessonsLearned => SectionKind::LessonsLearned,
    }
}

/// The postmortem `drafts` would become once saved, with made-up ids: for exporting a
/// recognised document without a database (tests, benchmarks).
pub fn saved(drafts: Drafts) -> crate::domain::Postmortem {
    use crate::domain::*;
    let id = IncidentId(1);
    let d = drafts.incident;
    // Any instant will do for when it was saved and its items closed.
    let saved_at = d.started_at.or(d.ended_at).unwrap_or(::time::OffsetDateTime::UNIX_EPOCH);
    Postmortem {
        incident: Incident {
            id,
            title: d.title,
            severity: d.severity,
            status: d.status,
            started_at: d.started_at,
            ended_at: d.ended_at,
            offset: d.offset,
            texts: d.texts,
            headings: d.headings,
            template: None,
            version: 1,
            updated_at: saved_at,
        },
        timeline: drafts
            .timeline
            .into_iter()
            .enumerate()
            .map(|(n, e)| TimelineEntry {
                id: TimelineEntryId(n as i64),
                incident_id: id,
                occurred_at: e.occurred_at,
                body: e.body,
                time_as_written: e.time_as_written,
                marker: e.marker,
            })
            .collect(),
        action_items: drafts
            .action_items
            .into_iter()
            .enumerate()
            .map(|(n, i)| ActionItem {
                id: ActionItemId(n as i64),
                incident_id: id,
                completed_at: i.status.is_closed().then_some(saved_at),
                body: i.body,
                kind: i.kind,
                priority: i.priority,
                status: i.status,
                wont_do_reason: i.wont_do_reason,
                owner: i.owner,
                owner_id: None,
                owner_person: None,
                team: i.team,
                team_id: None,
                team_name: None,
                ticket_url: i.ticket_url,
                completion_note: i.completion_note,
                version: 1,
                due_on: i.due_on,
                verified_at: i.verified.as_ref().map(|v| v.on.midnight().assume_utc()),
                verified_by: None,
                verifier: i.verified.as_ref().map(|v| v.by.clone()).unwrap_or_default(),
                verification_evidence: i.verified.map(|v| v.evidence).unwrap_or_default(),
                recurred_in: Vec::new(),
                recurred_in_as_written: i.recurred_in_as_written,
            })
            .collect(),
        sections: drafts
            .sections
            .into_iter()
            .enumerate()
            .map(|(n, s)| ExtraSection { id: SectionId(n as i64), incident_id: id, heading: s.heading, body: s.body })
            .collect(),
        labels: labels::Labels {
            services: (drafts.labels.services.into_iter().enumerate())
                .map(|(n, name)| labels::ServiceRef { id: ServiceId(n as i64), name })
                .collect(),
            tags: drafts.labels.tags,
            factors: (drafts.labels.factors.into_iter().enumerate())
                .map(|(n, (choice, explanation))| {
                    let (id, name) = match choice {
                        labels::FactorChoice::Kind(id) => (id, id.to_string()),
                        labels::FactorChoice::Named(name) => (FactorKindId(n as i64), name),
                    };
                    labels::Factor { id, name, explanation }
                })
                .collect(),
        },
        recurrences: recurrences::Recurrences {
            before_as_written: drafts.recurrences.happened_before,
            again_as_written: drafts.recurrences.happened_again,
            ..Default::default()
        },
    }
}

impl crate::import::model::ImportedLabels {
    /// The labels to save: each name and explanation the forms would take (others are left
    /// out: only a hand-edited document has them), each at most once, and no more than a form
    /// may name.
    pub fn to_draft(&self) -> LabelsDraft {
        use crate::domain::input::FieldErrors;
        let each = |names: &[String], read: fn(&mut FieldErrors, &'static str, &str) -> Vec<String>, max: usize| {
            let mut kept: Vec<String> = Vec::new();
            for name in names {
                let mut errors = FieldErrors::default();
                for name in read(&mut errors, "", name) {
                    if !kept.iter().any(|k| k.to_lowercase() == name.to_lowercase()) {
                        kept.push(name);
                    }
                }
            }
            kept.truncate(max);
            kept
        };
        let mut factors: Vec<(labels::FactorChoice, String)> = Vec::new();
        for factor in &self.factors {
            let mut errors = FieldErrors::default();
            let name = labels::factor_kind_name(&mut errors, "", &factor.name);
            let explanation = labels::explanation(&mut errors, "", &name, &factor.explanation);
            let named = |(choice, _): &(labels::FactorChoice, String)| matches!(choice, labels::FactorChoice::Named(n) if n.to_lowercase() == name.to_lowercase());
            if errors.is_empty() && !factors.iter().any(named) {
                factors.push((labels::FactorChoice::Named(name), explanation));
            }
        }
        factors.truncate(labels::MAX_FACTORS);
        LabelsDraft {
            services: each(&self.services, labels::services, labels::MAX_SERVICES),
            tags: each(&self.tags, labels::tags, labels::MAX_TAGS),
            factors,
        }
    }
}
