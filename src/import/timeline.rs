//! Timelines as people write them: bullet lists with bold or bracketed times, tables with a
//! time column, one heading per time or per day, and bare `HH:MM text` lines. Whatever sits
//! between two stamped rows (code blocks, images, quotes, wrapped lines) stays with the row
//! above it; text before the first row is kept as notes and read for the zone and the date.

use serde::Serialize;
use time::Time;

use super::outline::CodeFences;
use super::when::{self, PartialDate, Zone};

/// One row of the timeline, before its date and zone are resolved into an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    /// The date written on the row.
    pub date: Option<PartialDate>,
    /// The date of the day heading above the row (`## May 12`), if any.
    pub day: Option<PartialDate>,
    /// `None` when the row gives no time (`--:--`) or only a date.
    pub time: Option<Time>,
    pub zone: Option<Zone>,
    pub approximate: bool,
    /// The date and time as the row wrote them (`10:15 AM`, `0740`, `2:05 PM PST Saturday Oct
    /// 30th`, `2024-08-13` for a row with a date alone), the day heading above it in front for
    /// the first row under it (`Wednesday 4 June, 00:10`).
    pub time_as_written: Option<String>,
    /// The entry's Markdown, continuation blocks included.
    pub text: String,
    /// The first row of a table that follows other rows (`Das Team Lausanne hat seine Schritte
    /// separat festgehalten:`): another log of the same hours, whose times go on from the day
    /// of the rows above rather than past midnight after their last.
    pub separate: bool,
}

impl RawEntry {
    /// A row the document gives no time for (an item of the rows' list, a table row whose time
    /// cell says it is unknown), under the day heading `day`.
    fn untimed(day: Option<PartialDate>, text: String) -> RawEntry {
        RawEntry {
            date: None,
            day,
            time: None,
            zone: None,
            approximate: false,
            time_as_written: None,
            text,
            separate: false,
        }
    }
}

/// What a timeline section holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawTimeline {
    pub entries: Vec<RawEntry>,
    /// A zone stated for the whole timeline (`All times in PST`, a `Time (UTC)` column header).
    pub zone: Option<Zone>,
    /// A date stated for the whole timeline (`on February 5th 2019`).
    pub date: Option<PartialDate>,
    /// Text that is not part of any entry, as written.
    pub notes: String,
}

/// How an entry was written, for the importer's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    List,
    Table,
    Headings,
    Lines,
}

/// Reads the body of a timeline section.
pub fn parse(body: &str) -> RawTimeline {
    parse_from(body, None)
}

/// Reads the body of a timeline section whose rows written relative to moment zero count from
/// the one the section states, else from `stated_elsewhere` (above the summary, say).
pub fn parse_from(body: &str, stated_elsewhere: Option<&when::MomentZero>) -> RawTimeline {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut found = RawTimeline::default();
    let mut notes: Vec<String> = Vec::new();
    // The entry being built, and its continuation lines.
    let mut current: Option<(RawEntry, Vec<String>)> = None;
    let mut day: Option<PartialDate> = None;
    // A day heading whose words are not yet kept by a row below it.
    let mut day_line: Option<DayLine> = None;
    let mut fences = CodeFences::nested();
    // `T0 = 14:05 UTC, 4 June 2025`: rows written `T+0:12` count from it.
    let zero = when::moment_zero(body).or_else(|| stated_elsewhere.cloned());
    // Military timelines write `0558 Text`, with no separator; one such row alone is not
    // enough to read `1015 widgets` as a time, three are.
    let compact_rows = lines
        .iter()
        .filter(|line| when::leading_stamp_compact_rows(line).is_some_and(|s| s.compact && s.date.is_none()))
        .take(COMPACT_ROWS_NEEDED)
        .count()
        >= COMPACT_ROWS_NEEDED;
    let stamp_of = |line: &str| {
        if compact_rows { when::leading_stamp_compact_rows(line) } else { when::leading_stamp(line) }
    };
    // The indentation of the list items that are rows, when at least two are.
    let row_indents: Vec<usize> = lines
        .iter()
        .filter(|line| list_item_text(line, indent_of(line)).is_some())
        .filter(|line| stamp_of(line).is_some_and(|s| s.time.is_some()))
        .map(|line| indent_of(line))
        .take(ROW_ITEMS_NEEDED)
        .collect();
    let row_indent = (row_indents.len() == ROW_ITEMS_NEEDED).then(|| row_indents.iter().copied().min()).flatten();
    let mut rows_begun = false;
    // Rows start only after the text that introduces the timeline: a date it states there is
    // the day of the rows below, as a day heading's would be.
    let mut introduced = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if !fences.is_open()
            && current.is_none()
            && found.entries.is_empty()
            && let Some(rows) = log_block(&lines[i..])
        {
            // A log excerpt of dated lines where the timeline begins: each line is a row. After
            // rows, an excerpt is evidence quoted for them and stays as written.
            for log_line in &lines[i + 1..i + 1 + rows] {
                if let Some(stamp) = when::leading_stamp(log_line) {
                    let text = log_line.get(stamp.consumed..).unwrap_or_default().trim().to_owned();
                    let mut entry = RawEntry { text, ..started(&stamp, day, log_line) };
                    under_day(&mut entry, &mut day_line, &mut notes);
                    found.entries.push(entry);
                }
            }
            introduced = true;
            i += rows + 2;
            continue;
        }
        if fences.in_code(line) {
            push_line(&mut current, &mut notes, line);
            i += 1;
            continue;
        }
        if !introduced
            && day.is_none()
            && current.is_none()
            && !trimmed.is_empty()
            && stamp_of(line).is_none()
            && let Some((date, _)) = when::find_date(line).filter(|(d, _)| d.year.is_some())
        {
            day = Some(date);
        }
        if let Some(header) = table_header(&lines, i) {
            flush(&mut current, &mut found.entries);
            if found.zone.is_none() {
                found.zone = when::find_zone(lines[i]);
            }
            notes.push(lines[i].to_owned());
            notes.push(lines[i + 1].to_owned());
            introduced = true;
            let rows = lines[i + 2..].iter().take_while(|l| l.trim_start().starts_with('|')).count();
            let mut separate = found.entries.iter().any(|entry| entry.time.is_some());
            for row in &lines[i + 2..i + 2 + rows] {
                match table_entry(&header, row, day) {
                    Some(mut entry) => {
                        entry.separate = std::mem::take(&mut separate) && entry.time.is_some();
                        under_day(&mut entry, &mut day_line, &mut notes);
                        found.entries.push(entry);
                    }
                    None => notes.push((*row).to_owned()),
                }
            }
            i += 2 + rows;
            continue;
        }
        if trimmed.starts_with('#') {
            rows_begun = true;
            flush(&mut current, &mut found.entries);
            let heading = trimmed.trim_start_matches('#').trim();
            match when::leading_stamp(heading) {
                Some(stamp) if stamp.time.is_some() => {
                    introduced = true;
                    let text = heading[stamp.consumed.min(heading.len())..].trim().to_owned();
                    let mut entry = started(&stamp, day, heading);
                    under_day(&mut entry, &mut day_line, &mut notes);
                    current = Some((entry, if text.is_empty() { Vec::new() } else { vec![text] }));
                }
                Some(stamp) => {
                    // A day heading: its date applies to the rows below it, and every row
                    // shows it from then on; its words go with the first of them.
                    day = stamp.date;
                    introduced = true;
                    new_day(&mut day_line, &mut notes, &stamp, heading, line);
                }
                // `### Sábado, 15/11`: a day and month alone, after a weekday's name.
                None => match short_day_heading(heading) {
                    Some(date) => {
                        let stamp = when::Stamp::written_as(Some(date), None, false, 0..heading.len());
                        day = stamp.date;
                        introduced = true;
                        new_day(&mut day_line, &mut notes, &stamp, heading, line);
                    }
                    None => notes.push(line.to_owned()),
                },
            }
            i += 1;
            continue;
        }
        // A status page's update (`Resolved - 16:05 UTC`, its message on the lines below).
        if let Some((label, written, stamp)) = status_update(line) {
            flush(&mut current, &mut found.entries);
            rows_begun = true;
            introduced = true;
            current = Some((started(&stamp, day, written), vec![format!("{label} —")]));
            i += 1;
            continue;
        }
        if let Some(stamp) = stamp_of(line).filter(|s| s.time.is_some() || s.date.is_some()) {
            let text = with_its_opening_bold(line, stamp.consumed.min(line.len()));
            // `**Sabato 29 marzo 2025**` on a line of its own is a day heading written in bold.
            if stamp.time.is_none() && text.is_empty() {
                flush(&mut current, &mut found.entries);
                day = stamp.date;
                introduced = true;
                new_day(&mut day_line, &mut notes, &stamp, line, line);
                i += 1;
                continue;
            }
            // `Tuesday 5 August 2025, all times AEST.` says the day and zone of the rows below,
            // as a day heading would; it is not a row.
            if stamp.time.is_none() && text.chars().count() <= 60 && when::find_zone(&text).is_some() {
                flush(&mut current, &mut found.entries);
                day = stamp.date;
                found.zone = found.zone.take().or_else(|| when::find_zone(&text));
                notes.push(line.to_owned());
                i += 1;
                continue;
            }
            flush(&mut current, &mut found.entries);
            let mut entry = started(&stamp, day, line);
            under_day(&mut entry, &mut day_line, &mut notes);
            current = Some((entry, vec![text]));
            introduced = true;
            rows_begun = true;
            i += 1;
            continue;
        }
        if let Some(relative) = when::leading_relative(line) {
            // Without a moment zero stated, the row keeps its text and has no time.
            let (date, time) = match &zero {
                Some(zero) => {
                    let (date, time) = zero.at(relative.minutes);
                    (date, Some(time))
                }
                None => (None, None),
            };
            flush(&mut current, &mut found.entries);
            let entry = RawEntry {
                date,
                day,
                time,
                zone: zero.as_ref().and_then(|zero| zero.zone.clone()),
                approximate: false,
                time_as_written: line.get(relative.written.clone()).map(str::to_owned),
                text: String::new(),
                separate: false,
            };
            let mut entry = entry;
            under_day(&mut entry, &mut day_line, &mut notes);
            let text = line.get(relative.consumed..).unwrap_or_default().trim_end().to_owned();
            current = Some((entry, vec![text]));
            introduced = true;
            rows_begun = true;
            i += 1;
            continue;
        }
        // `- Someone posted in #status (time not recorded).`: an item of the rows' own list
        // (at their indentation) with no time is a row without one, once the rows have begun
        // or a sub-heading of the timeline has opened a part of them.
        if let Some(indent) = row_indent.filter(|_| rows_begun)
            && let Some(text) = list_item_text(line, indent)
        {
            flush(&mut current, &mut found.entries);
            current = Some((RawEntry::untimed(day, String::new()), vec![text.to_owned()]));
            i += 1;
            continue;
        }
        push_line(&mut current, &mut notes, line);
        i += 1;
    }
    flush(&mut current, &mut found.entries);
    if let Some(unkept) = day_line {
        notes.push(unkept.line);
    }

    let notes = notes.join("\n");
    if found.zone.is_none() {
        found.zone = when::find_zone(&notes);
    }
    found.date = when::find_date(&notes).map(|(date, _)| date);
    found.notes = notes.trim_matches('\n').to_owned();
    found
}

/// How many list items with a time make a list of rows, whose items without one are rows too.
const ROW_ITEMS_NEEDED: usize = 2;

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The text of a list item (`- `, `* `, `+ `, `1. `) written at `indent`, without its marker.
fn list_item_text(line: &str, indent: usize) -> Option<&str> {
    if indent_of(line) != indent {
        return None;
    }
    let item = line.trim_start();
    let digits = item.bytes().take_while(u8::is_ascii_digit).count();
    let text = ["- ", "* ", "+ "]
        .iter()
        .find_map(|marker| item.strip_prefix(marker))
        .or_else(|| (1..=3).contains(&digits).then(|| item[digits..].strip_prefix(". ")).flatten())?;
    let text = text.trim();
    // A task box (`- [ ] …`) is an action item, not a row.
    (!text.is_empty() && !text.starts_with("[ ]") && !text.starts_with("[x]")).then_some(text)
}

/// How many rows must start with a compact time and text (`0558 Text`) for the timeline's
/// rows to be read that way.
const COMPACT_ROWS_NEEDED: usize = 3;

/// A fenced block at the start of `lines` whose every line starts with a full date and a time
/// (`2025-09-18 21:14:57,902 INFO deploy: ...`), or with a time in brackets as a chat's export
/// writes it (`[06:52] Marloes: printer offline`): how many lines it holds between its fences.
fn log_block(lines: &[&str]) -> Option<usize> {
    let mut fences = CodeFences::nested();
    if !fences.in_code(lines.first()?) {
        return None;
    }
    for (inner, line) in lines[1..].iter().enumerate() {
        fences.in_code(line);
        if !fences.is_open() {
            return (inner > 0).then_some(inner);
        }
        if !line.trim().is_empty() {
            let chat = line.trim_start().starts_with('[');
            when::leading_stamp(line)
                .filter(|s| s.time.is_some() && (chat || s.date.is_some_and(|d| d.year.is_some())))?;
        }
    }
    None
}

/// The words a status page heads its updates with.
const STATUS_UPDATES: &[&str] = &[
    "Resolved",
    "Monitoring",
    "Update",
    "Updated",
    "Identified",
    "Investigating",
    "Verifying",
    "Postmortem",
    "Completed",
];

/// `Resolved - 16:05 UTC`, `**Update** – Nov 28, 14:32 UTC`: a status page's update, its word
/// the time as written after the dash (the whole rest of the line), and its stamp.
fn status_update(line: &str) -> Option<(&'static str, &str, when::Stamp)> {
    let trimmed = line.trim_start_matches(['*', ' ']);
    let label = STATUS_UPDATES.iter().find(|word| trimmed.starts_with(**word))?;
    let rest = trimmed[label.len()..].trim_start_matches('*').trim_start();
    let rest = rest.strip_prefix(['-', '–', '—'])?.trim();
    let stamp = when::leading_stamp(rest).filter(|s| s.time.is_some() && s.consumed >= rest.len())?;
    Some((label, rest, stamp))
}

/// A heading of a few words, one of them a day and month alone (`Sábado, 15/11`, `Fri 14/11`):
/// that date, its year unsaid.
fn short_day_heading(heading: &str) -> Option<PartialDate> {
    let words: Vec<&str> = heading.split_whitespace().map(|w| w.trim_matches([',', '.', ':'])).collect();
    if words.len() > 4 {
        return None;
    }
    let mut dates = words.iter().filter_map(|word| when::month_day_alone(word));
    let date = dates.next()?;
    dates.next().is_none().then_some(date)
}

/// A new entry from its stamp in `line`; a day heading above supplies the date the row leaves out.
/// The row's text after its stamp (from `at`); when the bold that opens before the stamp closes
/// inside the text (`**Mar 5, 16:04 UTC — Resolved.** Form …`), the text keeps its opening,
/// so it reads `**Resolved.** Form …`, not `Resolved.** Form …`.
fn with_its_opening_bold(line: &str, at: usize) -> String {
    let (before, text) = line.split_at(at);
    let text = text.trim_end();
    let opened = before.matches("**").count() % 2 == 1;
    if opened && text.matches("**").count() % 2 == 1 && !text.trim_start().starts_with("**") {
        format!("**{}", text.trim_start())
    } else {
        text.to_owned()
    }
}

fn started(stamp: &when::Stamp, day: Option<PartialDate>, line: &str) -> RawEntry {
    let time_as_written = (stamp.time.is_some() || stamp.date.is_some())
        .then(|| line.get(stamp.written.clone()))
        .flatten()
        .map(|text| text.trim().to_owned());
    RawEntry {
        date: stamp.date,
        day,
        time: stamp.time,
        zone: stamp.zone.clone(),
        approximate: stamp.approximate,
        time_as_written,
        text: String::new(),
        separate: false,
    }
}

/// A day heading (`### Wednesday 4 June`, `**Sabato 29 marzo 2025**`): the date as written,
/// and the whole line.
struct DayLine {
    date: String,
    line: String,
}

/// A day heading begins: the one before it, if no row took its words, stays in the notes.
/// One with more than its date (`### 4 June: the rollback`) stays there whole.
fn new_day(pending: &mut Option<DayLine>, notes: &mut Vec<String>, stamp: &when::Stamp, text: &str, line: &str) {
    if let Some(unkept) = pending.take() {
        notes.push(unkept.line);
    }
    // From the heading's first word, so a weekday before the date (`**Thu Nov 14**`, `###
    // Tuesday 4 March`) is kept with it.
    let date = text
        .get(..stamp.written.end)
        .map(|date| date.trim().trim_start_matches(['#', '*', '_', ' ']).trim())
        .unwrap_or_default();
    let rest = text.get(stamp.consumed..).unwrap_or_default().trim();
    if date.is_empty() || !rest.is_empty() {
        notes.push(line.to_owned());
    } else {
        *pending = Some(DayLine { date: date.to_owned(), line: line.to_owned() });
    }
}

/// The first row under a day heading writes its time after the heading's date
/// (`Wednesday 4 June, 00:10`), so the day is kept as the authors wrote it, with the row it
/// dates; when the two do not read as that day and time (a row with its own date, or no
/// time), the heading stays in the notes.
fn under_day(entry: &mut RawEntry, pending: &mut Option<DayLine>, notes: &mut Vec<String>) {
    let Some(day) = pending.take() else { return };
    if let (None, Some(_), Some(time)) = (entry.date, entry.time, entry.time_as_written.as_deref()) {
        let joined = format!("{}, {time}", day.date);
        let same = when::leading_stamp(&joined).is_some_and(|stamp| {
            stamp.consumed == joined.len()
                && stamp.date == entry.day
                && stamp.time == entry.time
                && stamp.zone == entry.zone
                && !stamp.approximate
        });
        if same {
            entry.time_as_written = Some(joined);
            return;
        }
    }
    notes.push(day.line);
}

fn push_line(current: &mut Option<(RawEntry, Vec<String>)>, notes: &mut Vec<String>, line: &str) {
    match current {
        Some((_, text)) => text.push(line.to_owned()),
        None => notes.push(line.to_owned()),
    }
}

/// Ends the entry being built: its text is the first line plus continuation lines with their
/// common indentation removed and trailing blank lines dropped.
fn flush(current: &mut Option<(RawEntry, Vec<String>)>, entries: &mut Vec<RawEntry>) {
    let Some((mut entry, lines)) = current.take() else { return };
    let (first, rest) = lines.split_first().map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
    let indent =
        rest.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let mut text = first.trim().to_owned();
    // A first line ending in a dash (a status page's `Resolved —`) goes on with the next line.
    let mut rest = rest;
    if text.ends_with(" —")
        && let Some(next) = rest.iter().position(|line| !line.trim().is_empty())
    {
        text.push(' ');
        text.push_str(rest[next].trim());
        rest = &rest[next + 1..];
    }
    for line in rest {
        text.push('\n');
        text.push_str(line.get(indent..).unwrap_or(line.trim_start()));
    }
    entry.text = text.trim_end().trim_start_matches('\n').to_owned();
    entries.push(entry);
}

/// The columns of a timeline table: which hold the date and time, and which the event.
struct TableHeader {
    stamp_columns: Vec<usize>,
}

fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(str::trim).collect()
}

/// Words naming a timeline table's date or time column, whole words of its header: English,
/// German, French, Spanish, Portuguese, Italian, Dutch. Several columns may hold the stamp
/// (`| Fecha | Hora | Evento |`); they are read together.
const STAMP_COLUMNS: &[&str] = &[
    "time",
    "date",
    "when",
    "timestamp",
    "utc",
    "epoch",
    "datum",
    "zeit",
    "uhrzeit",
    "zeitpunkt",
    "heure",
    "fecha",
    "hora",
    "data",
    "ora",
    "orario",
    "horário",
    "horario",
    "hour",
    "tijd",
    "tijdstip",
    "lt",
    "z",
    "zulu",
    "gmt",
    "local",
    "hrs",
];
/// The same in Japanese, Chinese and Korean, at the start of the header.
const STAMP_COLUMNS_CJK: &[&str] = &["時刻", "日時", "時間", "时间", "時間", "日期", "시각", "시간", "일시", "날짜"];

fn table_header(lines: &[&str], i: usize) -> Option<TableHeader> {
    let header = lines.get(i)?.trim();
    let delimiter = lines.get(i + 1)?.trim();
    if !header.starts_with('|') || !delimiter.starts_with('|') {
        return None;
    }
    if !cells(delimiter).iter().all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))) {
        return None;
    }
    let names = cells(header);
    let rows: Vec<Vec<&str>> =
        lines[i + 2..].iter().take_while(|l| l.trim_start().starts_with('|')).take(200).map(|row| cells(row)).collect();
    // A column named so, or one whose every cell is a time (`Horário | 13h45`), in a header no
    // list knows.
    let all_times = |index: usize| {
        let values: Vec<&str> =
            rows.iter().filter_map(|row| row.get(index).copied()).filter(|v| !v.is_empty()).collect();
        !values.is_empty()
            && values.iter().all(|v| {
                when::leading_stamp(v)
                    .is_some_and(|stamp| stamp.time.is_some() && v[stamp.consumed.min(v.len())..].trim().is_empty())
            })
    };
    let stamp_columns: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(index, name)| {
            let name = super::sections::normalize(name);
            STAMP_COLUMNS.iter().any(|w| name.split(' ').any(|n| n == *w))
                || STAMP_COLUMNS_CJK.iter().any(|w| name.starts_with(w))
                || all_times(*index)
        })
        .map(|(index, _)| index)
        .collect();
    Some(TableHeader { stamp_columns: if stamp_columns.is_empty() { vec![0] } else { stamp_columns } })
}

fn table_entry(header: &TableHeader, row: &str, day: Option<PartialDate>) -> Option<RawEntry> {
    let values = cells(row);
    if values.iter().all(|v| v.is_empty()) {
        return None;
    }
    let stamp_text: Vec<&str> =
        header.stamp_columns.iter().filter_map(|&c| values.get(c).copied()).filter(|v| !v.is_empty()).collect();
    let joined = stamp_text.join(" ");
    let Some(stamp) = when::leading_stamp(&joined).filter(|s| s.time.is_some() || s.date.is_some()) else {
        return unknown_time_entry(header, &values, &joined, day);
    };
    let text = text_cells(header, &values);
    // Anything in the stamp cells after the stamp itself (`12:00 (approx.)`) stays with the text.
    let leftover = joined.get(stamp.consumed..).unwrap_or("").trim();
    let mut body = text.join(" — ");
    if !leftover.is_empty() {
        body = if body.is_empty() { leftover.to_owned() } else { format!("{leftover} {body}") };
    }
    Some(RawEntry { text: body, ..started(&stamp, day, &joined) })
}

/// A row's cells that are not its time: its text, joined with ` — `.
fn text_cells<'a>(header: &TableHeader, values: &[&'a str]) -> Vec<&'a str> {
    values
        .iter()
        .enumerate()
        .filter(|(c, v)| !header.stamp_columns.contains(c) && !v.is_empty())
        .map(|(_, v)| *v)
        .collect()
}

/// What a table's time cell holds for an event whose time nobody noted: a dash, a question
/// mark, "not applicable" (English, Spanish, French, German).
const UNKNOWN_TIME_MARKS: &[&str] = &["—", "–", "-", "--", "?", "??", "…", "...", "n/a", "n/d", "s/o", "k.a."];

/// A row whose time cells say only that the time is unknown (`| — | Support posts a banner |`):
/// a row without a time, in its place, rather than a note.
fn unknown_time_entry(
    header: &TableHeader,
    values: &[&str],
    stamp: &str,
    day: Option<PartialDate>,
) -> Option<RawEntry> {
    if !UNKNOWN_TIME_MARKS.iter().any(|mark| stamp.eq_ignore_ascii_case(mark)) {
        return None;
    }
    let text = text_cells(header, values);
    (!text.is_empty()).then(|| RawEntry::untimed(day, text.join(" — ")))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod chat_tests {
    #[test]
    fn a_chat_exported_in_a_code_block_is_the_timeline() {
        let body =
            "Uit het Teams-kanaal:\n\n```\n[06:52] Marloes: printer offline\n[07:05] Jeroen: melding aangemaakt\n```\n";
        let rows = super::parse(body).entries;
        let found: Vec<(Option<time::Time>, &str)> = rows.iter().map(|r| (r.time, r.text.as_str())).collect();
        assert_eq!(
            found,
            [
                (time::Time::from_hms(6, 52, 0).ok(), "Marloes: printer offline"),
                (time::Time::from_hms(7, 5, 0).ok(), "Jeroen: melding aangemaakt")
            ]
        );
        // Code that is not a chat stays code.
        assert!(super::parse("```\nfn main() {}\n[07:05] not first\n```\n").entries.is_empty());
    }
}
