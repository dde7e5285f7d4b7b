//! Owners, teams, due dates and status words written in an item's text, lifted out of it: as
//! labels in any of the importer's languages (`Owner: X`, `fällig 27.09.`, `担当：森`), as
//! segments after a dash (`— @marek — due 2025-03-21`), as a group in brackets at the end
//! (`(Bea Lindgren, W05)`), as a bold name before the text (`**Hanna Lind** — …`), and as
//! sub-bullets that hold only fields (`- Responsable : X`). What is not a field stays in the
//! text; what a status word adds (`done, shipped in 4.18.2`) becomes the item's note.

use super::status::status_word;
use super::words::{BARE_DUE, LABELS, TEAM_WORDS, TEXT_LABELS, VAGUE_DUE};
use super::{ImportedItem, ItemStatus, Written, WrittenField};
use crate::import::when;

mod line;
use line::lift_from_line;

/// What a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Owner,
    Team,
    Due,
    Status,
}

/// Where the lifting may take a name alone (`(Priya)`, `— IT architecture`) as the owner: the
/// list writes its owners there (two other items did, beside a date or a label).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Convention {
    pub(super) names_in_brackets: bool,
    pub(super) names_after_dashes: bool,
}

/// What was lifted from one item, and from where.
#[derive(Debug, Default)]
pub(super) struct Found {
    owner: Option<String>,
    team: Option<String>,
    due: Option<String>,
    status: Option<ItemStatus>,
    note: Option<String>,
    /// The owner came from a group in brackets, or from a segment after a dash.
    pub(super) owner_in_brackets: bool,
    pub(super) owner_after_dash: bool,
    /// The line ends with a name alone in brackets, not taken (`(Hugo)`).
    pub(super) name_in_brackets: bool,
    /// Each field lifted, as written.
    written: Vec<Written>,
}

impl Slot {
    fn field(self) -> WrittenField {
        match self {
            Slot::Owner => WrittenField::Owner,
            Slot::Team => WrittenField::Team,
            Slot::Due => WrittenField::Due,
            Slot::Status => WrittenField::Status,
        }
    }
}

/// Lifts the fields out of `item.text` and returns where they were and the status the text
/// states, if any (the caller decides whether a task box outranks it).
pub(super) fn lift_fields(item: &mut ImportedItem, convention: Convention) -> (Found, Option<ItemStatus>) {
    let mut found = Found::default();
    let lines: Vec<&str> = item.text.split('\n').collect();
    // The first paragraph (the item and its wrapped lines) ends with its fields; the lines
    // after it may be sub-bullets that hold only fields.
    let paragraph_end = (1..lines.len())
        .find(|&i| {
            let line = lines[i].trim_start();
            line.is_empty() || ["- ", "* ", "+ ", "• "].iter().any(|marker| line.starts_with(marker))
        })
        .unwrap_or(lines.len());
    let mut kept: Vec<String> = vec![lift_from_line(&lines[..paragraph_end].join("\n"), &mut found, convention)];
    for line in &lines[paragraph_end..] {
        if !field_line(line, &mut found) {
            kept.push((*line).to_owned());
        }
    }
    item.text = kept.join("\n").trim().to_owned();
    item.owner = item.owner.take().or(found.owner.take());
    item.team = item.team.take().or(found.team.take());
    item.due = item.due.take().or(found.due.take());
    item.note = item.note.take().or(found.note.take());
    item.written.append(&mut found.written);
    let status = found.status;
    (found, status)
}

/// One part of a group of fields, as classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part<'t> {
    /// The slot, the value, and the part as written with its label.
    Labelled(Slot, &'t str, &'t str),
    Handle(&'t str),
    Due(&'t str),
    Status(&'t str),
    /// A name alone, or a due date such as `next sprint`: fields only beside stronger ones.
    Name(&'t str),
    VagueDue(&'t str),
}

impl Part<'_> {
    fn is_strong(self) -> bool {
        !matches!(self, Part::Name(_) | Part::VagueDue(_))
    }
}

impl Found {
    fn put(&mut self, slot: Slot, value: &str) -> bool {
        let value = clean(value);
        if value.is_empty() {
            return false;
        }
        // A value wrapped over two lines is one value.
        let joined = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = joined.as_str();
        let place = match slot {
            Slot::Owner => &mut self.owner,
            Slot::Team => &mut self.team,
            Slot::Due => &mut self.due,
            Slot::Status => return self.status.is_none() && self.put_status(value, true),
        };
        if place.is_some() {
            return false;
        }
        *place = Some(value.to_owned());
        true
    }

    /// Whether every part can be put, checked before any is (so a group is taken whole or
    /// left in the text whole).
    fn fits(&self, parts: &[Part]) -> bool {
        let mut owner = self.owner.is_some();
        let mut due = self.due.is_some();
        let mut status = self.status.is_some();
        let mut team = self.team.is_some();
        for part in parts {
            let slot = match part {
                Part::Labelled(slot, ..) => *slot,
                Part::Handle(_) | Part::Name(_) => Slot::Owner,
                Part::Due(_) | Part::VagueDue(_) => Slot::Due,
                Part::Status(_) => Slot::Status,
            };
            let taken = match slot {
                Slot::Owner => &mut owner,
                Slot::Due => &mut due,
                Slot::Status => &mut status,
                Slot::Team => &mut team,
            };
            if *taken {
                return false;
            }
            *taken = true;
        }
        true
    }

    /// Puts each part in its field. A part that cannot be put (a status word none of the
    /// importer's languages has, a second owner) is recorded as written all the same: it has
    /// left the item's text, and the details repeat it.
    fn put_parts(&mut self, parts: &[Part]) {
        for part in parts {
            match *part {
                Part::Labelled(slot, value, written) => {
                    self.put(slot, value);
                    let label = written.find(value).map(|at| label_text(&written[..at]));
                    self.wrote(slot.field(), label.filter(|l| !l.is_empty()), value, written);
                }
                Part::Handle(value) | Part::Name(value) => {
                    self.put(Slot::Owner, value);
                    self.wrote(WrittenField::Owner, None, value, value);
                }
                Part::Due(value) | Part::VagueDue(value) => {
                    let due = strip_due_word(value);
                    self.put(Slot::Due, due);
                    let word = clean(value).strip_suffix(due).map(str::trim).filter(|w| !w.is_empty());
                    self.wrote(WrittenField::Due, word, due, value);
                }
                Part::Status(value) => {
                    self.put_status(value, false);
                    self.wrote(WrittenField::Status, None, value, value);
                }
            }
        }
    }

    /// Records a field lifted, as written (`label` as the document wrote it, if it had one).
    fn wrote(&mut self, field: WrittenField, label: Option<&str>, value: &str, written: &str) {
        self.written.push(Written::new(field, label, clean(value), as_written(written)));
    }

    /// A status word, and what follows it (`done, shipped in 4.18.2`, `erledigt am
    /// 10.09.2024`) as the item's note, the status word with it: the note reads as written. Only a labelled status may be followed by other words
    /// without a comma or bracket (`Status: done since Monday`); unlabelled, `complete the
    /// migration` is a sentence.
    fn put_status(&mut self, value: &str, labelled: bool) -> bool {
        let Some((status, note)) = status_and_note(value, labelled) else { return false };
        self.status = Some(status);
        if !note.is_empty() && self.note.is_none() {
            self.note = Some(clean(value).to_owned());
        }
        true
    }
}

fn status_and_note(value: &str, labelled: bool) -> Option<(ItemStatus, &str)> {
    let value = clean(value);
    if let Some(status) = status_word(value) {
        return Some((status, ""));
    }
    // The longest leading words that are a status word, then a comma, a bracket, or (for a
    // labelled status, or before a date) a space.
    let cuts = value.char_indices().filter(|&(_, c)| matches!(c, ',' | ';' | '(' | '，' | ' ')).take(6);
    let mut best = None;
    for (at, c) in cuts {
        let Some(status) = status_word(clean(&value[..at])) else { continue };
        let note = value[at..].trim_start_matches([',', ';', '，', ' ']).trim();
        let spaced = c == ' ' && !note.starts_with('(');
        if spaced && !labelled && when::find_date(note).is_none() {
            continue;
        }
        best = Some((status, note));
    }
    best
}

/// A value without emphasis, surrounding spaces, a sentence's full stop or a check mark.
fn clean(value: &str) -> &str {
    fn trim(v: &str) -> &str {
        let v = v.trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_'));
        v.trim_start_matches(['✅', '☑', '✔', '\u{fe0f}']).trim_start()
    }
    let value = trim(value);
    let value = value.strip_suffix('.').unwrap_or(value);
    trim(value)
}

/// A field as written, for the item's details: without surrounding spaces or a sentence's
/// full stop, its emphasis kept where whole (`**Aperto**`, `*Done.*`).
fn as_written(text: &str) -> &str {
    let text = text.trim();
    if text.matches('*').count().is_multiple_of(2) && text.matches('_').count().is_multiple_of(2) {
        if text.ends_with(['*', '_']) { text } else { text.strip_suffix('.').unwrap_or(text) }
    } else {
        clean(text)
    }
}

/// `due next sprint` → `next sprint`: the due word said what the value is.
fn strip_due_word(value: &str) -> &str {
    let value = clean(value);
    let lower = value.to_lowercase();
    for word in BARE_DUE {
        if lower.starts_with(word) && lower[word.len()..].starts_with(' ') && value.is_char_boundary(word.len()) {
            return value[word.len()..].trim_start();
        }
    }
    value
}

/// A sub-bullet (or a line) of fields only: each of its parts, split at ` / `, is `Label: value`.
fn field_line(line: &str, found: &mut Found) -> bool {
    let bare = line.trim().trim_start_matches(['-', '*', '+', '•']).trim();
    if bare.is_empty() {
        return false;
    }
    let pieces = split_parts(bare, &[" / ", "／", " | ", " · "]);
    let parts: Vec<Part> =
        pieces.iter().filter_map(|piece| labelled(piece).map(|(s, v)| Part::Labelled(s, v, piece))).collect();
    if parts.len() != pieces.len() || !found.fits(&parts) {
        return false;
    }
    found.put_parts(&parts);
    true
}

/// `text` split at each separator, trimmed; a part that is only a year joins the one before
/// (`due July 15, 2024`).
fn split_parts<'t>(text: &'t str, separators: &[&str]) -> Vec<&'t str> {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for separator in separators {
        cuts.extend(text.match_indices(separator).map(|(at, s)| (at, at + s.len())));
    }
    cuts.sort_unstable();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (at, end) in cuts {
        if at < start {
            continue;
        }
        parts.push((start, at));
        start = end;
    }
    parts.push((start, text.len()));
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in parts {
        let piece = text[from..to].trim().trim_end_matches('.');
        let is_year = piece.len() == 4 && piece.bytes().all(|b| b.is_ascii_digit());
        match merged.last_mut() {
            Some(last) if is_year => last.1 = to,
            _ => merged.push((from, to)),
        }
    }
    merged.into_iter().map(|(from, to)| text[from..to].trim()).filter(|p| !p.is_empty()).collect()
}

/// `Label: value` (the label in bold or HTML bold, the colon ASCII or full-width, spaces or a
/// no-break space before it) with a known label; or a bare due label before a date
/// (`due 2025-03-07`, `fällig 27.09.2024`).
fn labelled(part: &str) -> Option<(Slot, &str)> {
    let part = part.trim();
    if let Some((at, colon)) = part.char_indices().take(40).find(|&(_, c)| matches!(c, ':' | '：')) {
        let label = strip_bold(&part[..at]);
        let value = &part[at + colon.len_utf8()..];
        let value = value.trim_start();
        let value = ["**", "</strong>", "</b>"].iter().find_map(|close| value.strip_prefix(close)).unwrap_or(value);
        if let Some(slot) = slot_of(label)
            && !clean(value).is_empty()
        {
            return Some((slot, value.trim()));
        }
    }
    // Only the first words are compared: a long line stays linear.
    let lower: String = part.chars().take(12).collect::<String>().to_lowercase();
    for word in BARE_DUE {
        if lower.starts_with(word)
            && part.is_char_boundary(word.len())
            && part[word.len()..].starts_with(char::is_whitespace)
            && is_due(&part[word.len()..], !word.starts_with('b') && !word.starts_with('a'))
        {
            return Some((Slot::Due, part[word.len()..].trim()));
        }
    }
    None
}

/// A label as written before its value, without its colon and emphasis (`**Owner:**` → `Owner`).
fn label_text(before_value: &str) -> &str {
    let label = before_value.trim_end().trim_end_matches(['*', ' ']).trim_end();
    let label = ["</strong>", "</b>"].iter().find_map(|close| label.strip_suffix(close)).unwrap_or(label);
    strip_bold(label.trim_end().trim_end_matches([':', '：', '\u{a0}', ' ']))
}

fn strip_bold(label: &str) -> &str {
    let label = label.trim();
    let label = ["**", "<strong>", "<b>"].iter().find_map(|open| label.strip_prefix(open)).unwrap_or(label);
    let label = ["**", "</strong>", "</b>"].iter().find_map(|close| label.strip_suffix(close)).unwrap_or(label);
    label.trim_matches(|c: char| c.is_whitespace() || c == '*')
}

fn slot_of(label: &str) -> Option<Slot> {
    let lower = label.trim().to_lowercase();
    if let Some((_, slot)) = LABELS.iter().find(|(name, _)| *name == lower) {
        return Some(*slot);
    }
    // A label a table would name its column with (`Fecha compromiso`, `Actiehouder`,
    // `Estatus`): the items' fields are written with the same words as their columns.
    if lower.chars().count() > 32 {
        return None;
    }
    match super::tables::column_role(label) {
        super::tables::Column::Owner => Some(Slot::Owner),
        super::tables::Column::Team => Some(Slot::Team),
        super::tables::Column::Due => Some(Slot::Due),
        super::tables::Column::Status => Some(Slot::Status),
        _ => None,
    }
}

/// What one part of a group is, if a field.
fn classify_part(part: &str) -> Option<Part<'_>> {
    let part = part.trim();
    if let Some((slot, value)) = labelled(part) {
        return Some(Part::Labelled(slot, value, part));
    }
    let bare = clean(part);
    // `owner Valeria Núñez`: the owner label without its colon, before a name.
    for label in ["owner ", "owners ", "assignee ", "owned by "] {
        if let Some(name) = bare.strip_prefix(label)
            && looks_like_name(name.trim())
        {
            return Some(Part::Labelled(Slot::Owner, name.trim(), bare));
        }
    }
    if bare.starts_with('@') && bare.len() > 1 && !bare[1..].contains([' ', '@']) {
        return Some(Part::Handle(bare));
    }
    if is_due(bare, false) {
        return Some(Part::Due(bare));
    }
    if let Some(status) = status_part(part) {
        return Some(status);
    }
    if is_due(bare, true) {
        return Some(Part::VagueDue(bare));
    }
    looks_like_name(bare).then_some(Part::Name(bare))
}

/// A name, a role or a team: a few words, no sentence, no number; in lower case only a team or
/// a role (`release team`, `account management`).
pub(super) fn looks_like_name(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let first = text.chars().next();
    let lower_case = first.is_some_and(char::is_lowercase);
    (1..=6).contains(&words)
        && text.chars().count() <= 48
        && !text.contains([':', '：', '。', '!', '?', '"', '“'])
        && !text.chars().any(|c| c.is_ascii_digit())
        && !text.ends_with('.')
        && first.is_some_and(|c| c.is_alphabetic() || c == '@')
        && (!lower_case || TEAM_WORDS.iter().any(|w| text.split_whitespace().any(|word| word == *w)))
}

/// Whether `value` is a due date: a date, a week number or a quarter, or (when `vague` ones
/// are welcome) a moment such as `next sprint`.
pub(super) fn is_due(value: &str, vague: bool) -> bool {
    let value = clean(value);
    if value.is_empty() || value.chars().nth(60).is_some() {
        return false;
    }
    if super::due::week_or_quarter(value).is_some() {
        return true;
    }
    if let Some((_, range)) = when::find_date(value) {
        // The date is most of the value (`Fri 25 Oct`, `2024-10-25`), not one in a sentence.
        return range.start <= 6 && value.len() - range.end <= 6;
    }
    let lower = value.to_lowercase();
    vague && VAGUE_DUE.iter().any(|start| lower.starts_with(start))
}

/// The parts of a group, if every one is a field, they fit what was found, and at least one
/// is strong, or they are a name and a due date such as `next sprint` where the list writes
/// its owners so (`names_alone`), or a name beside a field already found in the line
/// (`(Priya) by 2025-03-14`).
fn group_parts<'t>(inner: &'t str, found: &Found, names_alone: bool) -> Option<Vec<Part<'t>>> {
    let pieces = split_parts(inner, &[", ", "; ", "，", "；", "／", " / ", "、"]);
    if let [only] = pieces.as_slice()
        && let Some(part) = status_part(only)
    {
        return found.fits(&[part]).then(|| vec![part]);
    }
    let parts: Option<Vec<Part>> = pieces.iter().map(|piece| classify_part(piece)).collect();
    let parts = parts?;
    (!parts.is_empty() && acceptable(&parts, found, names_alone) && found.fits(&parts)).then_some(parts)
}

/// A status word, with what follows it after a comma or a bracket (`done, shipped in 4.18.2`).
fn status_part(piece: &str) -> Option<Part<'_>> {
    let bare = clean(piece);
    let plain = matches!(bare.to_lowercase().as_str(), "yes" | "no");
    (!plain && status_and_note(bare, false).is_some()).then_some(Part::Status(piece))
}

/// Whether parts that are all fields may be taken: one is strong, or they are weak ones (a
/// name, a due such as `next sprint`) where the list writes its owners so, or beside a field
/// found in the same line.
fn acceptable(parts: &[Part], found: &Found, names_alone: bool) -> bool {
    if parts.iter().any(|p| p.is_strong()) {
        return true;
    }
    let names = parts.iter().filter(|p| matches!(p, Part::Name(_))).count();
    let dues = parts.iter().filter(|p| matches!(p, Part::VagueDue(_))).count();
    let context = found.owner.is_some() || found.due.is_some() || found.status.is_some();
    names <= 1 && dues <= 1 && (names_alone || context)
}

/// The group in brackets that ends `text`, and the text before it.
fn trailing_group(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_end();
    let (open, close) = if text.ends_with(')') {
        ('(', ')')
    } else if text.ends_with('）') {
        ('（', '）')
    } else {
        return None;
    };
    let mut depth = 0usize;
    for (at, c) in text.char_indices().rev() {
        if c == close {
            depth += 1;
        } else if c == open {
            depth -= 1;
            if depth == 0 {
                let inner = &text[at + open.len_utf8()..text.len() - close.len_utf8()];
                return Some((&text[..at], inner));
            }
        }
    }
    None
}

/// Separators between an item's text and its fields.
const DASHES: &[&str] = &[" — ", " – ", " -- ", " - ", " → ", "\t— ", "\t", " —", "— "];

/// Cuts `line` into its text and segments: at dashes and arrows, and at a sentence's end
/// (`. `, `.** `, not after an abbreviation such as `Dr.`). Each span says whether a sentence's
/// end starts it (such a segment holds a field only if labelled or unmistakable: a sentence of a
/// few words is not a name).
fn segments(line: &str) -> Vec<(usize, usize, bool)> {
    let mut cuts: Vec<(usize, usize, bool)> = Vec::new();
    for dash in DASHES {
        cuts.extend(line.match_indices(dash).map(|(at, d)| (at, at + d.len(), false)));
    }
    for (at, _) in line.match_indices(". ") {
        let word = line[..at].rsplit([' ', '(']).next().unwrap_or_default();
        let abbreviation = word.chars().count() <= 2 && word.starts_with(char::is_uppercase)
            || ["Dr", "Mr", "Mrs", "Ms", "St", "vs", "e.g", "i.e", "etc", "approx", "Nr", "No", "ca"].contains(&word);
        // `resp. : Julien M.`: an abbreviated label before its colon ends no sentence.
        let label_colon = line[at + 2..].starts_with([':', '：']);
        if !abbreviation && !label_colon {
            cuts.push((at + 1, at + 2, true));
        }
    }
    for (at, _) in line.match_indices(".** ") {
        cuts.push((at + 3, at + 4, true));
    }
    // `Add jitter **Owner:** Priya`: a bold label after the text starts a field (bounded:
    // only the first few of a long line are tested).
    for (at, _) in line.match_indices(" **").take(16) {
        if labelled(&line[at + 1..]).is_some() {
            cuts.push((at, at + 1, true));
        }
    }
    // `Fix the pool, Owner: Sam Lee, Due: 2025-04-01`: a comma before a label (or the middle
    // dot between fields: `**Owner:** Sam · **Due:** 2025-04-01`).
    // Not inside brackets, whose group of fields is taken whole (`(Owner: Sam, due: Q2)`).
    let mut depth = 0i32;
    for (at, c) in line.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            ',' | ';' | '·' if depth <= 0 => {
                let next = at + c.len_utf8();
                if line[next..].starts_with(' ') && labelled(&line[next + 1..]).is_some() {
                    cuts.push((at, next + 1, true));
                }
            }
            _ => {}
        }
    }
    for (at, _) in line.match_indices(".\n") {
        cuts.push((at + 1, at + 2, true));
    }
    // `**Require a dry run.**` then `Owner: Priya · Due: 2025-03-14` on the next line: a
    // line that starts with a label starts the fields (bounded, as above).
    for (at, _) in line.match_indices('\n').take(16) {
        let next = line[at + 1..].trim_start();
        if labelled(next).is_some() {
            cuts.push((at, line.len() - next.len(), true));
        }
    }
    cuts.sort_unstable();
    let mut spans = Vec::new();
    let (mut start, mut sentence) = (0, false);
    for (at, end, is_sentence) in cuts {
        if at < start || at == 0 {
            continue;
        }
        spans.push((start, at, sentence));
        start = end;
        sentence = is_sentence;
    }
    spans.push((start, line.len(), sentence));
    spans
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
