//! The fields of an item's first line, lifted from its ends inwards: a status in brackets
//! before the text, owners in brackets or a handle before it, a label naming only the text, then
//! from the end a group in brackets, segments after dashes, a handle with its due, a labelled
//! field, a bare due; what is left is the item's text.

use super::*;

/// Lifts the fields of an item's first line and returns what is left of it.
pub(super) fn lift_from_line(line: &str, found: &mut Found, convention: Convention) -> String {
    // A Markdown hard break (`\` or two spaces at the end) is not part of the last field.
    let hard_break = line.trim_end().strip_suffix('\\').map(str::trim_end);
    let mut text = hard_break.unwrap_or(line.trim_end());
    // `【完了】…`: a status in brackets before the text.
    for (open, close) in [('【', '】'), ('［', '］'), ('[', ']')] {
        if let Some(rest) = text.strip_prefix(open)
            && let Some((inner, after)) = rest.split_once(close)
            && let Some(status) = status_word(inner)
        {
            found.status = Some(status);
            found.wrote(WrittenField::Status, None, inner, inner);
            text = after.trim_start();
        }
    }
    // `[ana] Extend the key`, `[ana, jonas] Find a holder`: the owners in brackets before the
    // text, as a mailing list writes its follow-ups.
    if let Some(rest) = text.strip_prefix('[')
        && let Some((inner, after)) = rest.split_once(']')
        && !after.starts_with('(')
        && after.starts_with(' ')
        && owners_in_brackets(inner)
    {
        found.owner = Some(inner.to_owned());
        found.wrote(WrittenField::Owner, None, inner, &format!("[{inner}]"));
        text = after.trim_start();
    }
    // `@colm: origin map …`: the owner's handle before the text.
    if let Some((handle, after)) = text.split_once(':')
        && handle.starts_with('@')
        && handle.len() > 1
        && !handle.contains([' ', '*'])
    {
        found.owner = Some(handle.to_owned());
        found.wrote(WrittenField::Owner, None, handle, handle);
        text = after.trim_start();
    }
    // `**Done:** All poolers re-resolve …`: a status word as the label of the text.
    if let Some((at, colon)) = text.char_indices().take(24).find(|&(_, c)| matches!(c, ':' | '：'))
        && found.status.is_none()
    {
        let written = strip_bold(&text[..at]);
        if !written.is_empty()
            && let Some(status) = status_word(written)
        {
            found.status = Some(status);
            found.wrote(WrittenField::Status, None, written, written);
            let after = text[at + colon.len_utf8()..].trim_start();
            text = ["**", "</strong>", "</b>"].iter().find_map(|c| after.strip_prefix(c)).unwrap_or(after).trim_start();
        }
    }
    // `**Action:** …`: the label only names the text.
    if let Some((at, colon)) = text.char_indices().take(24).find(|&(_, c)| matches!(c, ':' | '：')) {
        let label = strip_bold(&text[..at]).to_lowercase();
        if TEXT_LABELS.contains(&label.as_str()) {
            let written = strip_bold(&text[..at]);
            found.wrote(WrittenField::Text, Some(written), "", written);
            let after = text[at + colon.len_utf8()..].trim_start();
            text = ["**", "</strong>", "</b>"].iter().find_map(|c| after.strip_prefix(c)).unwrap_or(after).trim_start();
        }
    }
    loop {
        let trimmed = text.trim_end();
        // A group in brackets at the end: `(Bea Lindgren, W05)`.
        if let Some((before, inner)) = trailing_group(trimmed)
            && let Some(parts) = group_parts(inner, found, convention.names_in_brackets)
        {
            if parts.iter().any(|p| matches!(p, Part::Name(_) | Part::Handle(_) | Part::Labelled(Slot::Owner, ..))) {
                found.owner_in_brackets = true;
            }
            found.put_parts(&parts);
            text = before.trim_end();
            continue;
        }
        if let Some((_, inner)) = trailing_group(trimmed)
            && matches!(classify_part(inner), Some(Part::Name(_)))
        {
            found.name_in_brackets = true;
        }
        // Segments after dashes or sentences' ends: `— @marek — due 2025-03-21`, `. Due
        // 2025-06-20.`; the longest run of them at the end that are all fields.
        let spans = segments(trimmed);
        let mut run: Vec<Part> = Vec::new();
        let mut best: Option<(usize, usize)> = None;
        for k in (1..spans.len()).rev() {
            let (from, to, sentence) = spans[k];
            let Some(parts) = segment_parts(&trimmed[from..to]) else { break };
            if sentence && parts.iter().any(|p| !p.is_strong()) {
                break;
            }
            run.extend(parts);
            if acceptable(&run, found, convention.names_after_dashes) && found.fits(&run) {
                best = Some((spans[k - 1].1, run.len()));
            }
        }
        if let Some((cut, taken)) = best {
            run.truncate(taken);
            if run.iter().any(|p| matches!(p, Part::Name(_) | Part::Handle(_))) {
                found.owner_after_dash = true;
            }
            found.put_parts(&run);
            // The dash goes with the segments.
            text = trimmed[..cut].trim_end().trim_end_matches(['—', '–', '→', '\t']).trim_end();
            continue;
        }
        // A trailing `@handle`, or `due 2025-03-07` / `by 2025-03-07` at the end.
        if let Some((before, last)) = trimmed.rsplit_once(' ')
            && last.starts_with('@')
            && last.len() > 1
            && found.owner.is_none()
            && !last[1..].contains('@')
        {
            found.owner = Some(last.to_owned());
            found.wrote(WrittenField::Owner, None, last, last);
            text = before;
            continue;
        }
        // `… @jonasb, aiming for end of November`, `… @mei-lin, next weekend`: a handle and
        // the due after a comma, at the end, as a quick list writes them.
        if let Some(at) = trimmed.rfind(" @")
            && found.owner.is_none()
            && found.due.is_none()
            && let Some((handle, due)) = trimmed[at + 1..].split_once(", ")
            && handle.len() > 1
            && !handle[1..].contains(['@', ' '])
            && let Some(due) = due_after_filler(due)
        {
            found.owner = Some(handle.to_owned());
            found.wrote(WrittenField::Owner, None, handle, handle);
            let written = &trimmed[at + 1 + handle.len() + 2..];
            found.due = Some(due.to_owned());
            found.wrote(WrittenField::Due, None, due, written);
            text = &trimmed[..at];
            continue;
        }
        // `… @sato 期限：6/20`, `… Owner: Sam Lee`: a labelled field after a space.
        if let Some((before, part)) = trailing_labelled(trimmed)
            && let Some((slot, value)) = labelled(part)
            && found.fits(&[Part::Labelled(slot, value, part)])
        {
            found.put_parts(&[Part::Labelled(slot, value, part)]);
            text = before;
            continue;
        }
        if let Some((before, word, due)) = bare_due_at_end(trimmed)
            && found.due.is_none()
        {
            found.due = Some(due.to_owned());
            found.wrote(WrittenField::Due, Some(word), due, &trimmed[before.len()..]);
            text = before;
            continue;
        }
        break;
    }
    // `**Hanna Lind** — …`: a name in bold before the text.
    let spans = segments(text);
    if spans.len() > 1 && found.owner.is_none() {
        let first = text[spans[0].0..spans[0].1].trim();
        let after = spans[1].0;
        if let Some(name) = first.strip_prefix("**").and_then(|f| f.strip_suffix("**"))
            && looks_like_name(name)
            && text[spans[0].1..].trim_start().starts_with(['—', '–'])
        {
            found.owner = Some(name.to_owned());
            found.wrote(WrittenField::Owner, None, name, name);
            found.owner_after_dash = true;
            return text[after..].trim().to_owned();
        }
    }
    text.trim().to_owned()
}

/// Whether `inner` (of `[…]` before an item) names its owners: one to three short names or
/// handles, not a priority (`P1`), a severity or a ticket's key (`OPS-12`).
fn owners_in_brackets(inner: &str) -> bool {
    let names: Vec<&str> = inner.split(',').map(str::trim).collect();
    (1..=3).contains(&names.len())
        && names.iter().all(|name| {
            let lower = name.to_lowercase();
            let numbered = |prefix: &str| {
                lower.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
            };
            (1..=24).contains(&name.chars().count())
                && name.starts_with(|c: char| c.is_alphabetic() || c == '@')
                && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | ' '))
                && name.split(' ').count() <= 3
                && !["p", "sev", "s", "prio"].iter().any(|p| numbered(p))
                && !(name.contains('-') && name.chars().any(|c| c.is_ascii_digit()))
                && status_word(name).is_none()
        })
}

/// A due written after a word of intent (`aiming for end of November`, `hopefully next
/// sprint`, `target: Q3`): the due itself, if the rest is one.
fn due_after_filler(text: &str) -> Option<&str> {
    let text = text.trim().trim_end_matches('.');
    let lower = text.to_lowercase();
    let filler = ["aiming for ", "aiming at ", "targeting ", "hopefully ", "ideally ", "roughly ", "around ", "~"]
        .iter()
        .find(|f| lower.starts_with(**f))
        .map_or(0, |f| f.len());
    let due = text.get(filler..)?.trim();
    is_due(due, true).then_some(due)
}

/// The parts of a segment after a dash, if all are fields: a status with its note (`done,
/// shipped in 4.18.2`), a group (`@sunhao，截止：11月28日`), or a name with its due date in
/// brackets (`Marco Bianchi (due 31.10.2025)`). Whether they may be taken is the caller's.
fn segment_parts(segment: &str) -> Option<Vec<Part<'_>>> {
    if let Some(part) = status_part(segment) {
        return Some(vec![part]);
    }
    let pieces = split_parts(segment, &[", ", "; ", "，", "；", "／", " / "]);
    let parts: Option<Vec<Part>> = pieces.iter().map(|piece| classify_part(piece)).collect();
    if let Some(parts) = parts {
        // `— Marloes Janssen, Jeroen Smit —`: owners together, one field.
        let whole = segment.trim();
        if parts.len() > 1 && parts.iter().all(|p| matches!(p, Part::Name(_))) && looks_like_name(whole) {
            return Some(vec![Part::Name(whole)]);
        }
        return Some(parts);
    }
    let (before, inner) = trailing_group(segment)?;
    let pieces = split_parts(inner, &[", ", "; ", "，", "；", "／", " / "]);
    let mut parts: Vec<Part> = pieces.iter().map(|piece| classify_part(piece)).collect::<Option<_>>()?;
    if !parts.iter().any(|p| p.is_strong()) {
        return None;
    }
    let name = before.trim();
    if !name.is_empty() {
        if !looks_like_name(name) {
            return None;
        }
        parts.push(Part::Name(name));
    }
    Some(parts)
}

/// `… @sato 期限：6/20`, `… Owner: Sam Lee`: the text before a field whose label (of up to
/// three words, not in lower case) follows a space near the end, and the field. Only the last
/// three colons are looked at, so a long line stays linear; a status must read as one.
fn trailing_labelled(text: &str) -> Option<(&str, &str)> {
    let colons = text.char_indices().rev().take(120).filter(|&(_, c)| matches!(c, ':' | '：')).take(3);
    for (colon, _) in colons {
        let head = &text[..colon];
        let mut cut = head.len();
        for _ in 0..3 {
            let Some(space) = head[..cut].rfind(' ') else { break };
            cut = space;
            let label = strip_bold(&head[space + 1..]);
            let Some(slot) = slot_of(label) else { continue };
            if label.starts_with(char::is_lowercase) {
                break;
            }
            let part = &text[space + 1..];
            let value = labelled(part)?.1;
            if slot == Slot::Status && status_and_note(value, true).is_none() {
                return None;
            }
            return Some((head[..space].trim_end(), part));
        }
    }
    None
}

/// `… by 2025-03-07`, `… due 2025-02-12`: the text before, the due word and the date ending
/// the line.
fn bare_due_at_end(text: &str) -> Option<(&str, &str, &str)> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Lower-casing changed lengths: positions would not match.
        return None;
    }
    for word in ["due", "by", "fällig"] {
        let pattern = format!(" {word} ");
        let Some(at) = lower.rfind(&pattern) else { continue };
        let value = &text[at + pattern.len()..];
        if is_due(value, false) && value.split_whitespace().count() <= 4 {
            let word = text.get(at + 1..at + pattern.len() - 1).unwrap_or(word);
            return Some((text[..at].trim_end(), word, clean(value)));
        }
    }
    None
}
