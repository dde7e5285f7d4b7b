//! Property tests: any postmortem a user can save exports to Markdown that imports back to the
//! same postmortem and the same bytes, and no input whatever makes the importer panic.
//!
//! Postmortems are generated as forms (what a browser sends) and put through the forms' own
//! validation, so every generated value is one the app would actually store.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use time::{Date, Duration, PrimitiveDateTime, Time};

use super::check_input;
use super::draft::{Drafts, recognise, saved};
use super::outline::CodeFences;
use crate::domain::input::{
    ActionItemForm, FieldErrors, ImportedVerification, IncidentForm, SectionForm, TimelineDraft, TimelineForm,
    VerifyForm,
};
use crate::domain::labels::{self, FactorChoice, LabelsDraft};
use crate::domain::recurrences::{IncidentRef, RecurrencesAsWritten};
use crate::domain::time::{self as t, Offset};
use crate::domain::{
    ActionKind, ActionStatus, Incident, IncidentId, PerSection, Postmortem, Priority, Section, Severity, Status,
};
use crate::markdown::export::export;

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

/// Exports `postmortem` (saved from `want`), imports the export, and checks that the rows to save
/// are `want` again, field by field, and that they export to the same bytes.
fn check_round_trip(postmortem: &Postmortem, want: &Drafts) -> Result<(), TestCaseError> {
    let exported = export(postmortem);
    let text = check_input(exported.as_bytes()).map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
    let got = recognise(text, Some("export.md")).to_drafts();

    // `IncidentDraft` compares instants with `OffsetDateTime`'s `==` (the instant, not the
    // offset it is written in); the incident's own offset is a field of its own.
    prop_assert_eq!(&got.incident, &want.incident, "incident fields\n{}", exported);
    prop_assert_eq!(got.timeline.len(), want.timeline.len(), "timeline entries\n{}", exported);
    for (got, want) in got.timeline.iter().zip(&want.timeline) {
        prop_assert_eq!(got, want, "timeline entry\n{}", exported);
    }
    prop_assert_eq!(got.action_items.len(), want.action_items.len(), "action items\n{}", exported);
    for (got, want) in got.action_items.iter().zip(&want.action_items) {
        prop_assert_eq!(got, want, "action item\n{}", exported);
    }
    prop_assert_eq!(&got.sections, &want.sections, "extra sections\n{}", exported);
    prop_assert_eq!(&got.labels, &want.labels, "services, tags and factors\n{}", exported);
    prop_assert_eq!(&got.recurrences, &want.recurrences, "recurrences\n{}", exported);

    let again = export(&saved(got));
    prop_assert_eq!(again, exported, "the re-export differs");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_saved_postmortem_round_trips_through_its_export((postmortem, drafts) in saved_postmortem()) {
        check_round_trip(&postmortem, &drafts)?;
    }
}

/// The user's own postmortem, exported as `tests/golden/seed.md`, satisfies the same property.
#[test]
fn the_seed_round_trips_through_its_export() {
    let golden = include_str!("../../tests/golden/seed.md");
    let drafts = recognise(golden, Some("seed.md")).to_drafts();
    let postmortem = saved(drafts.clone());
    assert_eq!(export(&postmortem), golden);
    if let Err(failure) = check_round_trip(&postmortem, &drafts) {
        panic!("{failure}");
    }
}

/// Whatever the importer makes of a real postmortem, its export imports back to the same bytes:
/// the exporter and the reader of its shape agree on content no form would produce (multi-line
/// action items, sections merged by the importer, notes kept as extra sections).
#[test]
fn an_imported_postmortem_exports_to_a_document_that_imports_back_exactly() {
    let Some(fixtures) = super::fixtures() else { return };
    for (name, text) in &fixtures {
        let mut found = recognise(text, Some(name));
        // A document that states no start still exports once the user enters one.
        found.started_at = found.started_at.or(Some(time::macros::datetime!(2000-01-01 00:00 UTC)));
        let drafts = found.to_drafts();
        let postmortem = saved(drafts.clone());
        assert!(super::exported::read(&export(&postmortem)).is_some(), "{name}'s export is read by its grammar");
        if let Err(failure) = check_round_trip(&postmortem, &drafts) {
            panic!("{name}: {failure}");
        }
    }
}

/// Likewise every corpus document (`tests/import_corpus`): what the importer keeps as written
/// (a row's time in its own zone, a range, a date without a time) reads back as itself.
#[test]
fn every_corpus_import_exports_to_a_document_that_imports_back_exactly() {
    for path in super::corpus_tests::corpus() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let found = recognise(&text, Some(&name));
        // As imported (with or without a start), and with a start entered where there was none.
        let mut started = found.clone();
        started.started_at = found.started_at.or(Some(time::macros::datetime!(2000-01-01 00:00 UTC)));
        for found in [found, started] {
            let drafts = found.to_drafts();
            let postmortem = saved(drafts.clone());
            assert!(super::exported::read(&export(&postmortem)).is_some(), "{name}'s export is read by its grammar");
            if let Err(failure) = check_round_trip(&postmortem, &drafts) {
                panic!("{name}: {failure}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Postmortems as a user could save them
// ---------------------------------------------------------------------------------------------

/// Words and symbols text is made of: plain words, odd Unicode (ZWJ emoji, combining marks,
/// right-to-left scripts, non-breaking and zero-width spaces, CJK) and inline Markdown.
const ATOMS: &[&str] = &[
    "database",
    "connection",
    "pool",
    "the",
    "we",
    "rolled back",
    "timeline",
    "root cause",
    "fix",
    "#",
    "p99 latency",
    "API",
    "10:15",
    "10:15 AM",
    "UTC+2",
    "2025-03-01",
    "50%",
    "v1.2.3",
    "10.0.0.1:80",
    "HTTP 504",
    "#123",
    "@priya",
    "—",
    "–",
    "-",
    "…",
    "“quoted”",
    "it’s",
    "½",
    "👩\u{200d}💻",
    "🧙\u{200d}♂\u{fe0f}",
    "🏳\u{fe0f}\u{200d}🌈",
    "👍🏽",
    "🔥",
    "e\u{301}te\u{301}",
    "Z\u{324}\u{354}\u{367}",
    "שלום עולם",
    "مرحبا بالعالم",
    "\u{200f}",
    "a\u{a0}b",
    "\u{a0}",
    "\u{200b}",
    "\u{2028}",
    "\t",
    "数据库故障",
    "データベース障害",
    "데이터베이스",
    "**bold**",
    "*emphasis*",
    "_emphasis_",
    "***both***",
    "`max_connections`",
    "``a ` b``",
    "[runbook](https://example.com/runbook?a=1&b=2#top)",
    "<https://example.com>",
    "https://example.com/x_(y)",
    "![graph](graph.png)",
    "~~struck~~",
    "\\*",
    "&amp;",
    "<br>",
    "<kbd>Ctrl</kbd>+<kbd>C</kbd>",
    "a | b",
    "[^1]",
    ":tada:",
    "**Owner",
    "Due:",
];

/// One line of inline text: atoms and a little random text, which never starts a block.
fn inline() -> impl Strategy<Value = String> {
    let atom = prop_oneof![4 => select(ATOMS).prop_map(str::to_owned), 1 => "[a-zA-Z0-9\\PC]{1,8}"];
    prop::collection::vec(atom, 1..8).prop_map(|atoms| atoms.join(" "))
}

/// Headings inside a field, of every level, some with a section's meaning.
fn heading_block() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        select(&["Root cause details", "Timeline of the fix", "Impact on billing", "Action items we considered"][..])
            .prop_map(str::to_owned),
        select(&["Summary", "Corrective Measures", "Lessons learned", "Duration"][..]).prop_map(str::to_owned),
        inline(),
    ];
    (select(&["#", "##", "###", "####", "#####", "######"][..]), text)
        .prop_map(|(hashes, text)| format!("{hashes} {text}"))
}

/// Lines inside a code block: anything but a line closing the fence.
const CODE: &[&str] = &[
    "## Impact",
    "## Summary",
    "# a shell comment",
    "---",
    "- **10:15** – not an entry",
    "- [x] not an action item",
    "SELECT count(*) FROM pg_stat_activity;",
    "    indented",
    "<!--",
    "",
    "| a | b |",
    "max_connections = 500",
    "2025-03-01T10:15:00Z ERROR too many clients",
];

fn code_lines() -> impl Strategy<Value = String> {
    prop::collection::vec(select(CODE), 0..5).prop_map(|lines| lines.join("\n"))
}

/// One Markdown block.
fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(inline(), 1..4).prop_map(|lines| lines.join("\n")),
        // A hard line break: two trailing spaces inside the paragraph.
        1 => (inline(), inline()).prop_map(|(a, b)| format!("{a}  \n{b}")),
        2 => (select(&["- ", "* ", "+ ", "1. ", "- [ ] ", "- [x] "][..]), prop::collection::vec(inline(), 1..4))
            .prop_map(|(marker, items)| items.iter().map(|i| format!("{marker}{i}")).collect::<Vec<_>>().join("\n")),
        1 => (inline(), inline(), inline()).prop_map(|(a, b, c)| format!("- {a}\n  - {b}\n    1. {c}")),
        2 => (select(&["```", "```sql", "~~~", "````md"][..]), code_lines()).prop_map(|(fence, code)| {
            let close = fence.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            if code.is_empty() { format!("{fence}\n{close}") } else { format!("{fence}\n{code}\n{close}") }
        }),
        1 => (inline(), code_lines()).prop_map(|(item, code)| format!("- {item}\n\n  ```\n  {}\n  ```", code.replace('\n', "\n  "))),
        1 => prop::collection::vec(inline(), 1..3).prop_map(|lines| lines.iter().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")),
        2 => heading_block(),
        1 => (inline(), select(&["===", "---"][..])).prop_map(|(text, underline)| format!("{text}\n{underline}")),
        1 => select(&["---", "***", "___", "- - -"][..]).prop_map(str::to_owned),
        1 => (inline(), inline()).prop_map(|(a, b)| format!("| Time | Event |\n|---|:---|\n| {a} | {b} |")),
        1 => (select(&["**Impact:**", "**Root cause:**", "**Duration:**", "__Summary__:", "**Start:**"][..]), inline())
            .prop_map(|(label, text)| format!("{label} {text}")),
        1 => inline().prop_map(|text| format!("<!-- {text} -->")),
        1 => inline().prop_map(|text| format!("<details><summary>Logs</summary>\n\n{text}\n\n</details>")),
        1 => select(CODE).prop_map(|line| format!("    {line}")),
        1 => (inline(), inline()).prop_map(|(a, b)| format!("- **10:15** – {a}\n- **23:59** – {b}")),
        1 => inline().prop_map(|text| format!("✅ {text}")),
        // A fence never closed: the code block runs to the end of the text.
        1 => (select(&["```", "~~~"][..]), code_lines()).prop_map(|(fence, code)| format!("{fence}\n{code}")),
    ]
}

/// Markdown as typed: blocks separated by blank lines (sometimes several, sometimes none), with
/// the noise browsers and people add (CRLF, leading indentation, trailing blank lines), which
/// validation normalises or keeps exactly as the forms do.
fn prose() -> impl Strategy<Value = String> {
    let separator = select(&["\n\n", "\n\n", "\n\n\n", "\n"][..]);
    (
        prop::collection::vec((block(), separator), 0..5),
        select(&["", "", "", "\n", "\n\n", "  ", "\u{a0}"][..]),
        select(&["", "", " ", "\n", "\n\n \n", "\t\n"][..]),
        any::<bool>(),
    )
        .prop_map(|(blocks, lead, tail, crlf)| {
            let mut text = String::from(lead);
            for (i, (block, separator)) in blocks.iter().enumerate() {
                if i > 0 {
                    text.push_str(separator);
                }
                text.push_str(block);
            }
            text.push_str(tail);
            if crlf { text.replace('\n', "\r\n") } else { text }
        })
}

/// Where a prose field sits in the export, which decides what in it would read as the export's
/// own structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A standard field, written only when it has text.
    Field,
    /// The corrective measures, followed by `### Preventative Measures`.
    Corrective,
    /// An extra section, written even when empty.
    Extra,
}

/// The Markdown of a field, under the restrictions below. Each is a genuine ambiguity of the
/// export format, not something the forms refuse:
/// - Outside a code block, no line after a blank line starts `## ` (and an extra section's text
///   does not start with one). The export separates its sections with exactly that: a blank
///   line and a level-2 heading, so a field holding "text, blank line, `## Impact`, more text"
///   and a postmortem whose impact is "more text" are the same document. A `## ` line inside a
///   code block, after a non-blank line, or first in a standard field is generated (the export
///   never writes an empty standard field, so its first line is always text).
/// - For the same reason the corrective measures hold no `### Preventative Measures` line after
///   a blank line.
/// - Every code fence is closed. A fence left open runs to the end of the document in
///   CommonMark, swallowing the sections after it, so no reader can tell where the field ended.
///   (Timeline entries are list items, which end an open fence, so their text may leave one open.)
fn field_prose(place: Place) -> impl Strategy<Value = String> {
    prose().prop_filter("text the export cannot delimit", move |text| !reads_as_export_structure(text, place))
}

fn reads_as_export_structure(text: &str, place: Place) -> bool {
    // As validation stores it.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut fences = CodeFences::top_level();
    let mut after_blank = place == Place::Extra;
    for line in text.trim_end().split('\n') {
        let heading = line.starts_with("## ") || (place == Place::Corrective && line == "### Preventative Measures");
        if !fences.in_code(line) && after_blank && heading {
            return true;
        }
        after_blank = line.is_empty();
    }
    fences.is_open()
}

/// A timeline entry's text: anything but blank (the form requires text).
fn entry_prose() -> impl Strategy<Value = String> {
    prose().prop_filter("a timeline entry needs text", |text| !text.trim().is_empty())
}

/// Real offsets (including +05:45, +09:30, +12:45) and any other minute the app accepts.
const REAL_OFFSETS: &[i32] = &[
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -120, -60, 0, 60, 120, 180, 210, 240, 270,
    300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 840,
];

/// The offset field as people type it.
fn offset_text() -> impl Strategy<Value = String> {
    let minutes = prop_oneof![3 => select(REAL_OFFSETS), 1 => -720..=840i32];
    (minutes, 0..4usize).prop_map(|(minutes, style)| {
        let sign = if minutes < 0 { '-' } else { '+' };
        let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
        match style {
            0 => Offset::from_minutes(minutes).to_string(),
            1 => format!("{sign}{h:02}:{m:02}"),
            2 => format!("UTC{sign}{h:02}{m:02}"),
            _ => format!("GMT{}{h}:{m:02}", if minutes < 0 { '\u{2212}' } else { '+' }),
        }
    })
}

/// Mostly recent years, and now and then any the forms accept (four digits, signed) that
/// PostgreSQL also stores (from 4713 BC), with room for the timeline's days either side.
fn year() -> impl Strategy<Value = i32> {
    prop_oneof![4 => 1900..=2199i32, 1 => -4711..=9998i32]
}

fn local_datetime() -> impl Strategy<Value = PrimitiveDateTime> {
    // Seconds are rare in forms but accepted (`10:15:30`), so they are generated.
    (year(), 1..=365u16, 0..24u8, 0..60u8, prop_oneof![3 => Just(0u8), 1 => 0..60u8]).prop_map(
        |(year, day, hour, minute, second)| {
            let date = Date::from_ordinal_date(year, day).unwrap_or(Date::MIN);
            PrimitiveDateTime::new(date, Time::from_hms(hour, minute, second).unwrap_or(Time::MIDNIGHT))
        },
    )
}

/// `<input type="datetime-local">` output, or the same typed by hand.
fn datetime_text(local: PrimitiveDateTime, style: usize) -> String {
    let date = t::format_date(local.date());
    let (h, m, s) = local.as_hms();
    match (style, s) {
        (0, 0) => format!("{date}T{h:02}:{m:02}"),
        (1, _) => format!("{date} {h:02}:{m:02}:{s:02}"),
        _ => format!("{date}T{h:02}:{m:02}:{s:02}"),
    }
}

/// The time field of a timeline entry, in the 24-hour or 12-hour clock.
fn time_text(time: Time, style: usize) -> String {
    let (h, m, s) = time.as_hms();
    match (style, s) {
        (_, s) if s != 0 => format!("{h:02}:{m:02}:{s:02}"),
        (0, _) => format!("{h:02}:{m:02}"),
        (1, _) => format!("{h}:{m:02}"),
        _ => format!("{}:{m:02} {}", (h + 11) % 12 + 1, if h < 12 { "AM" } else { "PM" }),
    }
}

/// A verification as generated: the form's evidence, the verifier as written, the day.
type Verification = (VerifyForm, String, Date);

/// Generated forms, before validation.
#[derive(Debug, Clone)]
struct Forms {
    incident: IncidentForm,
    timeline: Vec<TimelineForm>,
    /// Each item with the verification it may have (kept only when the item is done, as the
    /// database keeps it): evidence, verifier as written, and the day.
    action_items: Vec<(ActionItemForm, Option<Verification>)>,
    sections: Vec<SectionForm>,
    labels: RawLabels,
    recurrences: RawRecurrences,
}

/// Recurrences as a database would hold them (confirmed here: earlier and later postmortems by
/// id and title, and for each action item the later ones it recurred in) and as an import would
/// have kept them (lines that named another instance's postmortems, and each item's).
#[derive(Debug, Clone)]
struct RawRecurrences {
    happened_before: Vec<(i64, String)>,
    happened_again: Vec<(i64, String)>,
    before_as_written: Vec<String>,
    again_as_written: Vec<String>,
    /// By the item's place; items beyond the list recurred nowhere.
    items: Vec<(Vec<i64>, Option<String>)>,
}

/// Titles and written lines from the same hostile atoms as the text (`**`, `—`, `#12`, odd
/// Unicode); a title as the form keeps it (trimmed, one line).
fn raw_recurrences() -> impl Strategy<Value = RawRecurrences> {
    fn refs() -> impl Strategy<Value = Vec<(i64, String)>> {
        let title = inline().prop_filter_map("a title the form refuses", |raw| {
            let mut errors = FieldErrors::default();
            let title = crate::domain::input::line(&mut errors, "title", &raw, 200);
            (errors.is_empty() && !title.is_empty()).then_some(title)
        });
        prop::collection::vec((1..100_000i64, title), 0..3)
    }
    // A written line may look like a reference (`#12 — ...`) or not.
    fn written() -> impl Strategy<Value = Vec<String>> {
        let line = prop_oneof![inline(), (1..100i64, inline()).prop_map(|(n, t)| format!("#{n} — {t}"))];
        prop::collection::vec(line, 0..2)
    }
    let item = (prop::collection::vec(1..100_000i64, 0..3), prop::option::of(item_line()));
    (refs(), refs(), written(), written(), prop::collection::vec(item, 0..5)).prop_map(
        |(happened_before, happened_again, before_as_written, again_as_written, items)| RawRecurrences {
            happened_before,
            happened_again,
            before_as_written,
            again_as_written,
            items,
        },
    )
}

/// Services, tags and factors (kind, explanation) as typed.
type RawLabels = (Vec<String>, Vec<String>, Vec<(String, String)>);

/// Names and explanations from the same atoms as the text (commas, dashes, Markdown, odd
/// Unicode), a few of each.
fn raw_labels() -> impl Strategy<Value = RawLabels> {
    (
        prop::collection::vec(inline(), 0..4),
        prop::collection::vec(inline(), 0..4),
        prop::collection::vec((inline(), prop_oneof![1 => Just(String::new()), 4 => inline()]), 0..4),
    )
}

/// The labels the forms would keep of `raw`: services and tags typed comma-separated, each
/// factor with its explanation (a factor whose kind or explanation the forms refuse is left out,
/// as its form would be corrected).
fn labels_of(raw: &RawLabels) -> LabelsDraft {
    let mut errors = FieldErrors::default();
    let services = labels::services(&mut errors, "services", &raw.0.join(", "));
    let tags = labels::tags(&mut errors, "tags", &raw.1.join(", "));
    let mut factors: Vec<(FactorChoice, String)> = Vec::new();
    for (kind, explanation) in &raw.2 {
        let mut errors = FieldErrors::default();
        let name = labels::factor_kind_name(&mut errors, "factors", kind);
        let explanation = labels::explanation(&mut errors, "factors", &name, explanation);
        let taken = factors
            .iter()
            .any(|(choice, _)| matches!(choice, FactorChoice::Named(n) if n.to_lowercase() == name.to_lowercase()));
        if errors.is_empty() && !taken {
            factors.push((FactorChoice::Named(name), explanation));
        }
    }
    LabelsDraft { services, tags, factors }
}

fn incident_form() -> impl Strategy<Value = (IncidentForm, PrimitiveDateTime)> {
    let fields = (
        prop::collection::vec(field_prose(Place::Field), 4),
        field_prose(Place::Corrective),
        prop::collection::vec(field_prose(Place::Field), 2),
    )
        .prop_map(|(mut first, corrective, rest)| {
            first.push(corrective);
            first.extend(rest);
            first
        });
    (
        inline(),
        select(Severity::ALL),
        select(Status::ALL),
        local_datetime(),
        prop::option::of(prop_oneof![0..120i64, 0..(10 * 24 * 60i64)]),
        (0..3usize, 0..3usize, prop_oneof![3 => Just(0i64), 1 => 0..60i64]),
        offset_text(),
        fields,
    )
        .prop_map(
            |(title, severity, status, start, ended_after, (style, end_style, end_seconds), offset, fields)| {
                let end = ended_after.map(|minutes| {
                    let end = start + Duration::minutes(minutes) + Duration::seconds(end_seconds);
                    datetime_text(end, end_style)
                });
                let form = IncidentForm {
                    // What people type around a title, which validation trims.
                    title: format!(" {title}\u{a0}"),
                    severity: severity.as_str().to_owned(),
                    status: status.as_str().to_owned(),
                    started_at: datetime_text(start, style),
                    ended_at: end.unwrap_or_default(),
                    utc_offset: offset,
                    // One generated text per section, in section order.
                    texts: PerSection::from_fn(|section| {
                        let index = Section::ALL.iter().position(|s| *s == section).unwrap_or(0);
                        fields[index].clone()
                    }),
                    template: String::new(),
                    version: String::new(),
                    ..IncidentForm::default()
                };
                (form, start)
            },
        )
}

/// A timeline entry from a day before the start to four days after, typed with or without its
/// date (an empty date means the incident's first day).
fn timeline_form(start: PrimitiveDateTime) -> impl Strategy<Value = TimelineForm> {
    let marker = prop_oneof![
        4 => Just(""),
        1 => select(vec!["impact_started", "detected", "mitigated", "resolved"]),
    ];
    (
        -(24 * 60)..(4 * 24 * 60i64),
        prop_oneof![3 => Just(0i64), 1 => 0..60i64],
        0..3usize,
        any::<bool>(),
        entry_prose(),
        marker,
    )
        .prop_map(move |(minutes, seconds, style, omit_date, body, marker)| {
            let local =
                start.replace_second(0).unwrap_or(start) + Duration::minutes(minutes) + Duration::seconds(seconds);
            let date =
                if omit_date && local.date() == start.date() { String::new() } else { t::format_date(local.date()) };
            let marker = marker.to_owned();
            TimelineForm { date, time: time_text(local.time(), style), body, marker, ..TimelineForm::default() }
        })
}

/// Action item text and owners, without the export's own field labels.
///
/// Restriction: no text contains a field label (`**Owner:** `, `**Team:** ` ... `**Note:** `).
/// The export writes an item's fields after its text with exactly those bold labels, so an
/// item "Fix it — **Owner:** Sam" with no owner and an item "Fix it" owned by Sam are the same
/// Markdown.
fn item_line() -> impl Strategy<Value = String> {
    inline().prop_filter("the export's field labels", |text| {
        !crate::format::item::LABELS.iter().any(|label| text.contains(label))
    })
}

fn action_item_form() -> impl Strategy<Value = ActionItemForm> {
    let tracking = (
        prop::option::of(select(ActionKind::ALL)),
        prop::option::of(select(Priority::ALL)),
        select(ActionStatus::ALL),
        item_line(),
        prop::option::of(0..100_000u32),
        prop::option::of(item_line()),
    );
    (
        item_line(),
        prop::option::of(item_line()),
        prop::option::of(item_line()),
        prop::option::of((year(), 1..=365u16)),
        tracking,
    )
        .prop_map(|(body, owner, team, due, (kind, priority, status, reason, ticket, note))| ActionItemForm {
            body: format!("{body} "),
            kind: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            priority: priority.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            owner: owner.unwrap_or_default(),
            team: team.unwrap_or_default(),
            due_on: due
                .and_then(|(year, day)| Date::from_ordinal_date(year, day).ok())
                .map(t::format_date)
                .unwrap_or_default(),
            status: status.as_str().to_owned(),
            // A reason that is only blank would be refused by the form; give it a word.
            wont_do_reason: if status == ActionStatus::WontDo { format!("{reason} x") } else { String::new() },
            ticket_url: ticket.map(|n| format!("https://tickets.example.com/T-{n}")).unwrap_or_default(),
            completion_note: note.unwrap_or_default(),
            ..ActionItemForm::default()
        })
}

/// A verification: evidence (a note or a link), a verifier as written (or none, when their
/// account is gone), and a day. Same restriction as [`item_line`].
fn verification() -> impl Strategy<Value = Verification> {
    let evidence = prop_oneof![
        item_line(),
        (0..100_000u32).prop_map(|n| format!("https://grafana.example.com/d/{n}?from=now-7d&to=now")),
    ];
    (evidence, prop::option::of(item_line()), year(), 1..=365u16).prop_map(|(evidence, by, year, day)| {
        let on = Date::from_ordinal_date(year, day).unwrap_or(Date::MIN);
        // Evidence refuses control characters (a tab); names, like owners, may hold them.
        let evidence = evidence.replace(char::is_control, " ");
        (VerifyForm { evidence }, by.unwrap_or_default(), on)
    })
}

/// An extra section, headed anything: also like a standard section ("Impact", "Timeline
/// notes"), which the export marks so it reads back as an extra section.
fn section_form() -> impl Strategy<Value = SectionForm> {
    let heading = prop_oneof![
        select(
            &[
                "Detection",
                "Supporting information",
                "Glossary",
                "Timeline notes",
                "## Appendix",
                "What went well",
                "Impact",
                "Root Cause",
                "Action Items",
                "Corrective and Preventative Measures",
                "Customer impact",
            ][..]
        )
        .prop_map(str::to_owned),
        inline(),
    ];
    (heading, field_prose(Place::Extra)).prop_map(|(heading, body)| SectionForm {
        heading,
        body,
        version: String::new(),
    })
}

fn forms() -> impl Strategy<Value = Forms> {
    incident_form().prop_flat_map(|(incident, start)| {
        (
            Just(incident),
            prop::collection::vec(timeline_form(start), 0..6),
            prop::collection::vec((action_item_form(), prop::option::of(verification())), 0..5),
            prop::collection::vec(section_form(), 0..3),
            raw_labels(),
            raw_recurrences(),
        )
            .prop_map(|(incident, timeline, action_items, sections, labels, recurrences)| Forms {
                incident,
                timeline,
                action_items,
                sections,
                labels,
                recurrences,
            })
    })
}

/// Validates `forms` as the web app does; `None` when it would refuse them. The drafts hold
/// what an import kept as written; the recurrences confirmed here come apart, as the database
/// adds them to the saved postmortem.
fn validate(forms: Forms) -> Option<(Drafts, RawRecurrences)> {
    let incident = forms.incident.validate().ok()?;
    let row = stored(&incident);
    let mut timeline = forms.timeline.iter().map(|form| form.validate(&row).ok()).collect::<Option<Vec<_>>>()?;
    // The database returns entries in time order (then by id, which is insertion order).
    timeline.sort_by_key(|entry| entry.occurred_at);
    // As the database holds them.
    TimelineDraft::one_mark_each(&mut timeline);
    let action_items = forms
        .action_items
        .iter()
        .map(|(form, verification)| {
            let mut draft = form.validate().ok()?;
            if let Some((verify, by, on)) = verification.as_ref().filter(|_| draft.is_done()) {
                let evidence = verify.validate().ok()?;
                draft.verified = Some(ImportedVerification { on: *on, by: by.trim().to_owned(), evidence });
            }
            Some(draft)
        })
        .collect::<Option<Vec<_>>>()?;
    let mut action_items = action_items;
    for (item, (_, as_written)) in action_items.iter_mut().zip(&forms.recurrences.items) {
        item.recurred_in_as_written = as_written.clone().unwrap_or_default();
    }
    let sections = forms.sections.iter().map(|form| form.validate().ok()).collect::<Option<Vec<_>>>()?;
    let mut raw = forms.recurrences;
    // As the database holds them: each postmortem once, by id.
    for refs in [&mut raw.happened_before, &mut raw.happened_again] {
        refs.sort_by_key(|(id, _)| *id);
        refs.dedup_by_key(|(id, _)| *id);
    }
    for (ids, _) in &mut raw.items {
        ids.sort_unstable();
        ids.dedup();
    }
    let recurrences = RecurrencesAsWritten {
        happened_before: raw.before_as_written.clone(),
        happened_again: raw.again_as_written.clone(),
    };
    let labels = labels_of(&forms.labels);
    Some((Drafts { incident, timeline, action_items, sections, labels, recurrences }, raw))
}

/// `stored` saved, with the recurrences confirmed here, and the drafts its import must give:
/// every recurrence as written, as the export names it.
fn with_recurrences(stored: Drafts, raw: &RawRecurrences) -> (Postmortem, Drafts) {
    let mut postmortem = saved(stored.clone());
    let refs = |refs: &[(i64, String)]| -> Vec<IncidentRef> {
        refs.iter().map(|(id, title)| IncidentRef { id: IncidentId(*id), title: title.clone() }).collect()
    };
    postmortem.recurrences.happened_before = refs(&raw.happened_before);
    postmortem.recurrences.happened_again = refs(&raw.happened_again);
    for (item, (ids, _)) in postmortem.action_items.iter_mut().zip(&raw.items) {
        item.recurred_in = ids.iter().map(|id| IncidentId(*id)).collect();
    }
    let mut want = stored;
    let lines = |refs: &[(i64, String)], written: &[String]| -> Vec<String> {
        let linked: Vec<String> =
            refs.iter().map(|(id, title)| crate::format::write_incident_ref(*id, title)).collect();
        // The export writes a line confirmed here and kept as written once.
        let kept = written.iter().filter(|line| !linked.contains(line)).cloned();
        linked.iter().cloned().chain(kept).collect()
    };
    want.recurrences.happened_before = lines(&raw.happened_before, &raw.before_as_written);
    want.recurrences.happened_again = lines(&raw.happened_again, &raw.again_as_written);
    for (item, (ids, _)) in want.action_items.iter_mut().zip(&raw.items) {
        item.recurred_in_as_written = crate::format::write_recurred_in(ids, &item.recurred_in_as_written);
    }
    (postmortem, want)
}

/// The incident row a timeline form is validated against.
fn stored(draft: &crate::domain::input::IncidentDraft) -> Incident {
    Incident {
        id: IncidentId(1),
        title: draft.title.clone(),
        severity: draft.severity,
        status: draft.status,
        started_at: draft.started_at,
        ended_at: draft.ended_at,
        offset: draft.offset,
        texts: PerSection::default(),
        headings: Default::default(),
        template: None,
        version: 1,
        updated_at: draft.started_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    }
}

/// A postmortem as saved through the forms, and the validated rows it was saved from.
fn saved_postmortem() -> impl Strategy<Value = (Postmortem, Drafts)> {
    forms().prop_filter_map("the forms refuse it", validate).prop_map(|(stored, raw)| with_recurrences(stored, &raw))
}

#[test]
fn the_generator_makes_varied_savable_postmortems() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut offsets, mut ongoing, mut multi_day, mut seconds) = (Vec::new(), 0, 0, 0);
    let (mut services, mut tags, mut factors) = (0, 0, 0);
    let (mut before, mut again, mut recurred) = (0, 0, 0);
    for _ in 0..64 {
        let Ok(tree) = saved_postmortem().new_tree(&mut runner) else { continue };
        let (postmortem, _) = tree.current();
        offsets.push(postmortem.incident.offset.minutes());
        ongoing += usize::from(postmortem.incident.ended_at.is_none());
        multi_day += usize::from(crate::markdown::export::timeline_needs_dates(&postmortem));
        seconds += usize::from(postmortem.incident.started_at.is_some_and(|start| start.second() != 0));
        services += usize::from(postmortem.labels.services.len() > 1);
        tags += usize::from(!postmortem.labels.tags.is_empty());
        factors += usize::from(postmortem.labels.factors.iter().any(|f| !f.explanation.is_empty()));
        let recurrences = &postmortem.recurrences;
        before += usize::from(!recurrences.happened_before.is_empty() && !recurrences.before_as_written.is_empty());
        again += usize::from(!recurrences.happened_again.is_empty());
        recurred += usize::from(postmortem.action_items.iter().any(|item| !item.recurred_in.is_empty()));
    }
    assert!(services > 0 && tags > 0 && factors > 0, "{services} {tags} {factors}");
    assert!(before > 0 && again > 0 && recurred > 0, "{before} {again} {recurred}");
    offsets.sort_unstable();
    offsets.dedup();
    assert!(offsets.len() > 10 && ongoing > 0 && multi_day > 0 && seconds > 0, "{offsets:?} {ongoing} {multi_day}");
}

// ---------------------------------------------------------------------------------------------
// No input makes the importer panic
// ---------------------------------------------------------------------------------------------

/// Imports `bytes` as the command line and the upload form do, then saves and exports the result
/// (with a start filled in when the document states none, as the user would in the preview).
fn import_and_export(bytes: &[u8]) {
    let Ok(text) = check_input(bytes) else { return };
    let mut found = recognise(text, Some("2025-03-01-outage.md"));
    // What `hindsight import --dry-run --json` prints.
    let _ = serde_json::to_string(&found);
    if found.started_at.is_none() {
        found.started_at = Some(time::macros::datetime!(2025-03-01 10:15 UTC));
    }
    let _ = export(&saved(found.to_drafts()));
}

/// Pieces of the Markdown postmortems are written in, the export's own lines among them, and the
/// usual hazards: every line ending, unclosed fences and comments, emoji, very long lines.
const MARKDOWNISH: &[&str] = &[
    "# Outage",
    "## Timeline",
    "## Action Items",
    "## Summary",
    "### 10:15",
    "### March 1",
    "Title\n=====",
    "\n---\n",
    "---\ntitle: Disk full\nseverity: SEV2\n---\n",
    "- ",
    "* ",
    "1. ",
    "  ",
    "    ",
    "\t",
    "| Time | Event |",
    "|---|---|",
    "| 10:15 | x |",
    "| Action Item | Owner | Due | Status |",
    "|",
    "10:15",
    "10:15 AM",
    "12:00 am",
    "23:59:59.999999999",
    "0730Z",
    "--:--",
    "UTC+2",
    "UTC-3:30",
    "UTC+14",
    "GMT−5",
    "PST",
    "Europe/Berlin",
    "(America/New_York)",
    "2025-03-01",
    "March 1, 2025",
    "Feb 29",
    "29/11/2019",
    "9999-12-31 23:59",
    "- 9999-12-31 23:00 UTC-12 – ",
    "| 0000-01-01 00:00 UTC+14 | x |",
    "0001-01-01",
    "from 10:15 to 11:05",
    "**Duration:** 50 min",
    "**Impact:**",
    "- **Severity:** SEV2",
    "- **Status:** In review",
    "- **Start:** 2025-03-01 10:15 UTC+2",
    "- **Start:** 9999-12-31 23:59:59 UTC+14",
    "- **End:** ongoing",
    "- **End:** 2025-03-01 09:00 UTC+2",
    "- **Duration:** 3 d 4 h",
    "All times are UTC+2.",
    "- **10:15** – ",
    "- **2025-03-02 00:10:05.5** – ",
    "- [x] ",
    "- [ ] ",
    " — **Owner:** ",
    " · **Team:** ",
    " · **Due:** 2025-04-01",
    "**Due:** 2025-02-30",
    "(@priya)",
    "Owner: Sam",
    "TODO",
    "(done)",
    "✅",
    "☐",
    "❌",
    "🚧",
    "```",
    "~~~",
    "<!--",
    "-->",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\u{feff}",
    "🧙\u{200d}♂\u{fe0f}",
    "e\u{301}",
    "שלום",
    "数据库",
    "\u{a0}",
    "**",
    "[",
    "]",
    "(",
    ")",
    "words of text",
];

fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        20 => select(MARKDOWNISH).prop_map(str::to_owned),
        2 => "\\PC{1,12}",
        1 => (select(&["x", "10:15 ", "| ", "- [x] ", "**"][..]), 500..3000usize).prop_map(|(s, n)| s.repeat(n / s.len())),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// The golden export with lines replaced, dropped or inserted: near misses of the export's shape.
fn mangled_export() -> impl Strategy<Value = String> {
    let golden = include_str!("../../tests/golden/seed.md");
    let edits = prop::collection::vec((0..60usize, 0..3u8, select(MARKDOWNISH)), 1..4);
    edits.prop_map(move |edits| {
        let mut lines: Vec<&str> = golden.split('\n').collect();
        for (at, kind, piece) in edits {
            let at = at.min(lines.len());
            match kind {
                0 if at < lines.len() => lines[at] = piece,
                1 if at < lines.len() => {
                    lines.remove(at);
                }
                _ => lines.insert(at, piece),
            }
        }
        lines.join("\n")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        import_and_export(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        import_and_export(text.as_bytes());
    }

    #[test]
    fn markdownish_text_never_panics(text in markdownish()) {
        import_and_export(text.as_bytes());
    }

    #[test]
    fn near_misses_of_the_export_never_panic(text in mangled_export()) {
        import_and_export(text.as_bytes());
    }
}
