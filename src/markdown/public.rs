//! The public version of a postmortem as the public gets it: the parts its authors chose,
//! without internal text (`internal::public` of every Markdown piece, then rendered as any
//! Markdown is), as a JSON document (`domain::public::PublicDocument`) and a Markdown document.
//! Both depend only on the postmortem and the choices, so the same inputs give the same bytes,
//! and what a manager saw in the preview is what their approval freezes.

use std::fmt::Write as _;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{export, internal, render};
use crate::domain::public::{PublicChange, PublicChoices, PublicDocument, PublicEntry};
use crate::domain::time::{self as t, Offset};
use crate::domain::{ActionStatus, Incident, Postmortem, Section};
use crate::format::{self, label};

/// The headings of the public document's parts.
pub const SUMMARY: &str = "Summary";
pub const IMPACT: &str = "Impact";
pub const TIMELINE: &str = "Timeline";
pub const CHANGES: &str = "What we are changing";
/// Over the action items, under the measures' own text.
pub const FOLLOW_UPS: &str = "Follow-up actions";

/// The public version, made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub document: PublicDocument,
    pub markdown: String,
}

/// A Markdown piece's public text and its HTML; `None` when nothing of it is public.
fn piece(markdown: &str) -> Option<(String, String)> {
    let text = internal::public(markdown);
    if text.trim().is_empty() {
        return None;
    }
    let html = render(&text).into_string();
    Some((text, html))
}

/// The title the public sees: the public title, else the postmortem's, without internal text;
/// without the title part, "Incident of" the day it started.
pub fn title(incident: &Incident, choices: &PublicChoices) -> String {
    let one_line = |text: &str| internal::public(text).split_whitespace().collect::<Vec<_>>().join(" ");
    if choices.parts.title {
        let chosen = one_line(&choices.public_title);
        let own = if chosen.is_empty() { one_line(&incident.title) } else { chosen };
        if !own.is_empty() {
            return own;
        }
    }
    match incident.started_at {
        Some(start) => format!("Incident of {}", t::format_date(t::local(start, incident.offset).date())),
        None => "Incident report".to_owned(),
    }
}

/// The public version of `postmortem` with `choices`.
pub fn compose(postmortem: &Postmortem, choices: &PublicChoices) -> Composed {
    let incident = &postmortem.incident;
    let offset = incident.offset;
    let parts = choices.parts;
    let split = |piece: Option<(String, String)>| piece.map_or((None, None), |(text, html)| (Some(text), Some(html)));
    let (note, note_html) = split(piece(&choices.note));
    let (summary, summary_html) = split(parts.summary.then(|| piece(&incident.texts[Section::Summary])).flatten());
    let (impact, impact_html) = split(parts.impact.then(|| piece(&incident.texts[Section::Impact])).flatten());
    let timeline = if parts.timeline {
        postmortem
            .timeline
            .iter()
            .filter_map(|entry| {
                let (text, html) = piece(&entry.body)?;
                Some(PublicEntry { at: t::format_rfc3339(entry.occurred_at, offset), text, html })
            })
            .collect()
    } else {
        Vec::new()
    };
    let measures = parts.changes.then(|| {
        let texts = [Section::CorrectiveMeasures, Section::PreventativeMeasures]
            .map(|measure| internal::public(&incident.texts[measure]));
        piece(&texts.iter().filter(|text| !text.trim().is_empty()).cloned().collect::<Vec<_>>().join("\n\n"))
    });
    let (measures, measures_html) = split(measures.flatten());
    let changes = if parts.changes {
        postmortem
            .action_items
            .iter()
            .filter_map(|item| {
                let (text, html) = piece(&item.body)?;
                Some(PublicChange { text, html, status: item.status })
            })
            .collect()
    } else {
        Vec::new()
    };
    let document = PublicDocument {
        title: title(incident, choices),
        severity: parts.severity.then_some(incident.severity),
        started_at: incident.started_at.map(|start| t::format_rfc3339(start, offset)),
        ended_at: incident.ended_at.map(|end| t::format_rfc3339(end, offset)),
        utc_offset: offset.to_string(),
        duration_minutes: incident.duration().map(|duration| duration.whole_minutes()),
        note,
        note_html,
        summary,
        summary_html,
        impact,
        impact_html,
        timeline,
        measures,
        measures_html,
        changes,
    };
    let markdown = write_markdown(&document, offset);
    Composed { document, markdown }
}

/// An instant of the document (RFC 3339 in the incident's offset), in that offset.
pub fn instant(at: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(at, &Rfc3339).ok()
}

/// `2025-03-01 10:15 UTC+2`, for an instant of the document.
pub fn full_time(at: &str, offset: &str) -> String {
    instant(at).map_or_else(String::new, |at| {
        format!("{} {} {offset}", t::format_date(at.date()), format::write_clock(at.time()))
    })
}

/// Each timeline entry's time as shown: `10:15`, or with its date on every entry when any falls
/// on another day than the start (or there is no start).
pub fn clocks(document: &PublicDocument) -> Vec<String> {
    let first_day = document.started_at.as_deref().and_then(instant).map(|start| start.date());
    let instants: Vec<Option<OffsetDateTime>> = document.timeline.iter().map(|entry| instant(&entry.at)).collect();
    let with_dates = first_day.is_none() || instants.iter().flatten().any(|at| Some(at.date()) != first_day);
    instants
        .into_iter()
        .map(|at| {
            at.map_or_else(String::new, |at| {
                let clock = format::write_clock(at.time());
                if with_dates { format!("{} {clock}", t::format_date(at.date())) } else { clock }
            })
        })
        .collect()
}

/// An action item's status as the public reads it.
pub fn status_label(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "Planned",
        ActionStatus::InProgress => "In progress",
        ActionStatus::Done => "Done",
        ActionStatus::WontDo => "Not doing",
    }
}

fn write_markdown(document: &PublicDocument, offset: Offset) -> String {
    let mut doc = String::with_capacity(2048);
    // `write!` into a String cannot fail.
    let _ = writeln!(doc, "# {}\n", document.title);
    let mut metadata = |name: &str, value: &str| {
        doc.push_str(&format::metadata_line(name, value));
        doc.push('\n');
    };
    if let Some(severity) = document.severity {
        metadata(label::SEVERITY, severity.label());
    }
    if let Some(start) = &document.started_at {
        metadata(label::START, &full_time(start, &document.utc_offset));
        match (&document.ended_at, document.duration_minutes) {
            (Some(end), duration) => {
                metadata(label::END, &full_time(end, &document.utc_offset));
                if let Some(minutes) = duration {
                    metadata(label::DURATION, &t::format_duration(time::Duration::minutes(minutes)));
                }
            }
            (None, _) => metadata(label::END, label::ONGOING),
        }
    }
    if let Some(note) = &document.note {
        let _ = write!(doc, "\n{note}\n");
    }
    for (heading, text) in [(SUMMARY, &document.summary), (IMPACT, &document.impact)] {
        if let Some(text) = text {
            let _ = write!(doc, "\n## {heading}\n\n{text}\n");
        }
    }
    if !document.timeline.is_empty() {
        let _ = write!(doc, "\n## {TIMELINE}\n\n{}\n\n", format::zone_line(offset));
        for (entry, clock) in document.timeline.iter().zip(clocks(document)) {
            let _ = write!(doc, "{}{clock}{}", format::row::START, format::row::SEPARATOR);
            export::list_item_body(&mut doc, &entry.text);
        }
    }
    if document.measures.is_some() || !document.changes.is_empty() {
        let _ = writeln!(doc, "\n## {CHANGES}");
        if let Some(measures) = &document.measures {
            let _ = write!(doc, "\n{measures}\n");
        }
        if !document.changes.is_empty() {
            // A heading between the measures' text and the list: two lists one after the other
            // would read as one.
            if document.measures.is_some() {
                let _ = writeln!(doc, "\n### {FOLLOW_UPS}");
            }
            doc.push('\n');
        }
        for change in &document.changes {
            let (first, rest) = change.text.split_once('\n').unwrap_or((&change.text, ""));
            let _ = writeln!(doc, "- {first} — *{}*", status_label(change.status));
            export::list_item_body(&mut doc, rest);
        }
    }
    doc
}

/// What the authors are warned about in the parts the public version shows: markers never
/// closed (the rest of that text is kept internal) and comments never closed.
pub fn warnings(postmortem: &Postmortem, choices: &PublicChoices) -> Vec<String> {
    let incident = &postmortem.incident;
    let parts = choices.parts;
    let mut texts: Vec<(String, &str)> = vec![("The note".to_owned(), choices.note.as_str())];
    if parts.title {
        texts.push(("The title".to_owned(), &incident.title));
        texts.push(("The public title".to_owned(), &choices.public_title));
    }
    for (shown, section) in [(parts.summary, Section::Summary), (parts.impact, Section::Impact)]
        .into_iter()
        .chain([Section::CorrectiveMeasures, Section::PreventativeMeasures].map(|measure| (parts.changes, measure)))
    {
        if shown {
            texts.push((format!("The {}", section.label().to_lowercase()), &incident.texts[section]));
        }
    }
    if parts.timeline {
        let clock = |at| export::clock_at(at, incident.offset, true);
        texts.extend(
            postmortem
                .timeline
                .iter()
                .map(|e| (format!("The timeline entry at {}", clock(e.occurred_at)), e.body.as_str())),
        );
    }
    if parts.changes {
        texts.extend(postmortem.action_items.iter().map(|item| {
            let start: String = item.body.chars().take(40).collect();
            (format!("The action item “{start}”"), item.body.as_str())
        }));
    }
    texts
        .into_iter()
        .filter_map(|(name, text)| internal::scan(text).warning().map(|warning| format!("{name}: {warning}")))
        .collect()
}

/// The version of the JSON document's shape (`schema_version`), raised by any change a
/// status page reading it would have to follow (a field renamed or removed; not one added).
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// `document` with its HTML as the current renderer makes it: a snapshot made by an older one
/// is rendered again from its Markdown, which is what was approved.
pub fn rendered_again(mut document: PublicDocument, rendered_with: i32) -> PublicDocument {
    if rendered_with == super::RENDERER_VERSION {
        return document;
    }
    let again = |text: &Option<String>| text.as_deref().map(|text| render(text).into_string());
    document.note_html = again(&document.note);
    document.summary_html = again(&document.summary);
    document.impact_html = again(&document.impact);
    document.measures_html = again(&document.measures);
    for entry in &mut document.timeline {
        entry.html = render(&entry.text).into_string();
    }
    for change in &mut document.changes {
        change.html = render(&change.text).into_string();
    }
    document
}

/// Whether two documents say the same: their text and facts, whatever HTML each was rendered
/// to (an upgrade of the renderer alone does not make an approved document out of date).
pub fn same_content(one: &PublicDocument, other: &PublicDocument) -> bool {
    let text_only = |document: &PublicDocument| {
        let mut document = document.clone();
        for html in [
            &mut document.note_html,
            &mut document.summary_html,
            &mut document.impact_html,
            &mut document.measures_html,
        ] {
            html.take();
        }
        document.timeline.iter_mut().for_each(|entry| entry.html.clear());
        document.changes.iter_mut().for_each(|change| change.html.clear());
        document
    };
    text_only(one) == text_only(other)
}

/// A fingerprint of what the public would see: an approval applies only if it is still what
/// the approver was shown.
pub fn digest(markdown: &str) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(markdown.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
#[path = "public_tests.rs"]
mod tests;
