//! Documents written as plain text, read as the Markdown they mean: a Google Doc downloaded as
//! `.txt`, a page copied out of a browser, a word-processor report saved as text. They have no
//! `#` or underlined headings; their sections are named by short lines standing alone
//! (`Timeline (CET)`, `Zusammenfassung:`, `3. Root cause`), their title is the first line, and
//! an action-items section may be lines without any bullet. Every word stays; only the markup
//! is added.

use super::outline::Outline;
use super::sections::{SectionKind, classify};

/// A line longer than this is a sentence, not a section's name.
const MAX_HEADING_CHARS: usize = 60;
const MAX_HEADING_WORDS: usize = 8;
/// A title is a line, not a paragraph.
const MAX_TITLE_CHARS: usize = 150;

/// The document as Markdown, when it is plain text: it has no heading of any Markdown kind,
/// and at least two short lines standing alone name postmortem sections (one could be a
/// sentence's fragment; two are a document's outline).
pub fn to_markdown(source: &str) -> Option<String> {
    let outline = Outline::parse(source);
    if !outline.headings.is_empty() || looks_like_markup(source) {
        return None;
    }
    let lines = &outline.lines;
    let body_start = outline.front_matter_lines;
    let body = &lines[body_start..];
    let names = section_names(body);
    if names.iter().flatten().count() < 2 {
        return None;
    }
    let first = (0..body.len()).find(|&i| !body[i].trim().is_empty());
    // A message's subject is its title (`Subject: Incident report: …` under `From:`).
    let subject = first.and_then(|i| mail_subject(&body[i..]));
    let title = first.filter(|&i| subject.is_none() && names[i].is_none() && is_title(body, i));

    let mut out = String::with_capacity(source.len() + 64);
    for line in &lines[..body_start] {
        out.push_str(line);
        out.push('\n');
    }
    if let Some(subject) = subject {
        out.push_str("# ");
        out.push_str(subject);
        out.push_str("\n\n");
    }
    write_with_headings(body, &names, &mut out, title);
    Some(out)
}

/// The subject of a message whose first lines are its headers (`From:`, `To:`, `Date:`,
/// `Subject:`, in English, German and French), without `Re:` or `Fwd:`.
fn mail_subject<'a>(lines: &[&'a str]) -> Option<&'a str> {
    let headers: Vec<(&str, &str)> = lines
        .iter()
        .take_while(|line| !line.trim().is_empty())
        .take(12)
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect();
    let key_is = |key: &str, names: &[&str]| names.iter().any(|n| key.eq_ignore_ascii_case(n));
    let from =
        headers.iter().any(|(key, _)| key_is(key, &["From", "To", "Date", "Sent", "Cc", "Von", "An", "De", "À"]));
    let subject = headers
        .iter()
        .find(|(key, _)| key_is(key, &["Subject", "Betreff", "Objet", "Asunto", "Assunto", "Oggetto"]))?
        .1;
    let mut subject = subject;
    while let Some((prefix, rest)) = subject.split_once(':') {
        if !["re", "fwd", "fw", "aw", "wg", "tr"].iter().any(|p| prefix.trim().eq_ignore_ascii_case(p)) {
            break;
        }
        subject = rest.trim();
    }
    (from && !subject.is_empty() && subject.chars().count() <= MAX_TITLE_CHARS).then_some(subject)
}

/// A quoted block (`> `) that holds a plain-text postmortem, as an e-mail thread pasted into a
/// Markdown document does (`> Summary`, `> Timeline (all CEST)`), unquoted and read as the
/// Markdown it means; `None` when the document has none. Quotes inside it keep one level less.
pub fn unquote_outlines(source: &str) -> Option<String> {
    if !source.contains('>') {
        return None;
    }
    let lines: Vec<&str> = source.split('\n').collect();
    let quoted = |line: &str| line.trim_start().starts_with('>');
    let mut out = String::with_capacity(source.len() + 64);
    let mut changed = false;
    let mut i = 0;
    while i < lines.len() {
        if !quoted(lines[i]) {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        let end = (i..lines.len()).find(|&j| !quoted(lines[j])).unwrap_or(lines.len());
        let inner: Vec<&str> = lines[i..end]
            .iter()
            .map(|line| {
                let line = line.trim_start().strip_prefix('>').unwrap_or(line);
                line.strip_prefix(' ').unwrap_or(line)
            })
            .collect();
        let names = section_names(&inner);
        if names.iter().flatten().count() >= 2 {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            write_with_headings(&inner, &names, &mut out, None);
            changed = true;
        } else {
            for line in &lines[i..end] {
                out.push_str(line);
                out.push('\n');
            }
        }
        i = end;
    }
    if !changed {
        return None;
    }
    // Every piece of the split was given a line ending: the last had none.
    out.pop();
    Some(out)
}

/// What section each line names, if it names one ([`section_name`]), found once.
fn section_names(lines: &[&str]) -> Vec<Option<SectionKind>> {
    (0..lines.len()).map(|i| section_name(lines, i)).collect()
}

/// A short line with a blank line (or the document's start) above it and text below.
fn stands_alone(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    !line.is_empty()
        && line.chars().count() <= MAX_HEADING_CHARS
        && (i == 0 || lines[i - 1].trim().is_empty())
        && lines[i + 1..].iter().any(|l| !l.trim().is_empty())
}

/// Writes `lines` with each line naming a section as a `##` heading (and line `title` as the
/// `#` title), and an action-items section's bare lines as list items.
fn write_with_headings(lines: &[&str], names: &[Option<SectionKind>], out: &mut String, title: Option<usize>) {
    // Whether the current action-items section writes its items as lines without a bullet.
    let mut bare_items = false;
    let mut in_timeline = false;
    for (i, &line) in lines.iter().enumerate() {
        if Some(i) == title {
            out.push_str(&format!("# {}\n", line.trim()));
            continue;
        }
        if let Some(kind) = names[i] {
            // A blank line before and after, so the heading is one whatever surrounded it.
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(&format!("## {}\n\n", line.trim()));
            // "Corrective actions" may be items too (`assign` decides, by their owners and dues).
            let names_items = kind == SectionKind::ActionItems
                || (matches!(
                    kind,
                    SectionKind::CorrectiveMeasures | SectionKind::PreventativeMeasures | SectionKind::Measures
                ) && super::found_elsewhere::names_actions(line));
            bare_items = names_items && items_without_bullets(lines, names, i + 1);
            in_timeline = kind == SectionKind::Timeline;
            continue;
        }
        if bare_items && !line.trim().is_empty() {
            out.push_str("- ");
            out.push_str(line.trim());
            out.push('\n');
            continue;
        }
        // Plain text's line is its paragraph (`Prepared by: Oskar`, then `Impact window: …`),
        // where Markdown would run the two together; a wrapped sentence's lines stay one.
        if !in_timeline && i > 0 && Some(i - 1) != title && is_own_paragraph(lines[i - 1], line) {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
}

/// Whether plain line `line`, below `above`, is a paragraph of its own: both are text (not
/// blank, a list or a table), and `above` ends a sentence or either is a `Label: value` line.
fn is_own_paragraph(above: &str, line: &str) -> bool {
    let text = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !is_list_item(t) && !t.starts_with(['|', '>', '#', '`', '<'])
    };
    let labelled = |l: &str| {
        l.split_once(": ").is_some_and(|(label, _)| {
            let label = label.trim();
            !label.is_empty() && label.chars().count() <= 40 && !label.contains(['.', ','])
        })
    };
    text(above)
        && text(line)
        && (above.trim_end().ends_with(['.', '!', '?', ':', ';', '。', '！', '？'])
            || labelled(above)
            || labelled(line))
}

/// Markup that another reader handles (HTML pages and tables, Jira's `h2.`).
fn looks_like_markup(source: &str) -> bool {
    let lower = source.get(..source.len().min(64 * 1024)).unwrap_or(source).to_ascii_lowercase();
    ["<h1", "<h2", "<h3", "<table", "<p>", "<div"].iter().any(|tag| lower.contains(tag))
}

/// Whether line `i` is a section's name: short, standing alone (a blank line or the document's
/// start above it, text below), not a sentence, and naming a section the importer knows. A
/// number or a letter before it (`3. Timeline`, `B) Impact`) and a colon after it are allowed.
fn section_name(lines: &[&str], i: usize) -> Option<SectionKind> {
    let line = lines[i].trim();
    if !stands_alone(lines, i) {
        return None;
    }
    let name = without_number(line).trim_end_matches([':', '：']).trim();
    if name.is_empty()
        || name.ends_with(['.', ',', ';', '!', '?', '。', '，'])
        || name.split_whitespace().count() > MAX_HEADING_WORDS
        || is_list_item(name)
        || name.contains(": ")
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    classify(name)
}

/// The document's first line is its title when it stands alone (a blank line or nothing after
/// it), is no longer than a title, and is not a sentence or a list.
fn is_title(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let alone = lines.get(i + 1).is_none_or(|next| next.trim().is_empty());
    alone
        && line.chars().count() <= MAX_TITLE_CHARS
        && !line.ends_with(['.', ',', ';', ':'])
        && !is_list_item(line)
        && !line.starts_with(|c: char| c.is_ascii_digit())
}

/// An action-items section whose items are lines without a bullet: none of its lines (up to the
/// next blank-line-separated short line or the end) is a list item or a table row, and it has
/// at least one line.
fn items_without_bullets(lines: &[&str], names: &[Option<SectionKind>], from: usize) -> bool {
    let mut any = false;
    for i in from..lines.len() {
        if names[i].is_some() {
            break;
        }
        let line = lines[i].trim();
        if line.is_empty() {
            continue;
        }
        if is_list_item(line) || line.starts_with('|') || line.ends_with(':') {
            return false;
        }
        any = true;
    }
    any
}

/// A Markdown list item's line (`- `, `* `, `+ `, `1. `, `1) `, or a bullet symbol).
fn is_list_item(line: &str) -> bool {
    if line.starts_with(['•', '●', '○', '▪', '◦', '–']) {
        return true;
    }
    if let Some(rest) = line.strip_prefix(['-', '*', '+']) {
        return rest.starts_with(' ') || rest.is_empty();
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with([')', '.']) && line[digits + 1..].starts_with(' ')
}

/// A section name without its number (`3. `, `3) `, `IV. `, `B) `).
fn without_number(line: &str) -> &str {
    let mark = line.split_once([' ', '\t']).map_or("", |(mark, _)| mark);
    let number = mark.strip_suffix(['.', ')']).unwrap_or("");
    let is_number = !number.is_empty()
        && (number.chars().all(|c| c.is_ascii_digit() || c == '.')
            || number.chars().all(|c| "IVXLC".contains(c))
            || (number.len() == 1 && number.chars().all(|c| c.is_ascii_alphabetic())));
    if is_number { line[mark.len()..].trim_start() } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_names_standing_alone_become_headings() {
        let text = "Disk full on the primary\n\nSummary\nThe disk filled.\n\nTimeline (UTC):\n10:00 - Alert\n\n\
                    3. Root cause\n\nA log rotation job stopped.\n";
        let markdown = to_markdown(text).expect("plain text");
        assert!(markdown.starts_with("# Disk full on the primary\n"), "{markdown}");
        assert!(markdown.contains("## Summary\n\nThe disk filled."), "{markdown}");
        assert!(markdown.contains("## Timeline (UTC):\n\n10:00 - Alert"), "{markdown}");
        assert!(markdown.contains("## 3. Root cause\n"), "{markdown}");
    }

    #[test]
    fn a_sentence_or_a_label_is_not_a_heading() {
        let text = "Title line\n\nThe root cause was a full disk.\nMore text.\n\nRoot cause: a full disk\nx\n\n\
                    Timeline\n10:00 alert\n";
        // Only one section name stands alone: not enough to call it an outline.
        assert_eq!(to_markdown(text), None);
    }

    #[test]
    fn markdown_documents_are_left_alone() {
        assert_eq!(to_markdown("# Title\n\nSummary\nx\n\nTimeline\ny\n"), None);
        assert_eq!(to_markdown("Title\n=====\n\nSummary\nx\n\nTimeline\ny\n"), None);
        assert_eq!(to_markdown("<h2>Summary</h2>\n\nSummary\nx\n\nTimeline\ny\n"), None);
    }

    #[test]
    fn bare_action_item_lines_become_list_items() {
        let text = "T\n\nSummary\nx\n\nFollow-up actions:\nAdd an alert – Owner: Kim\nb) Fix the job (Lee, 1 May)\n";
        let markdown = to_markdown(text).expect("plain text");
        assert!(markdown.ends_with("- Add an alert – Owner: Kim\n- b) Fix the job (Lee, 1 May)\n"), "{markdown}");
        // Items already in a list are not listed twice.
        let listed = "T\n\nSummary\nx\n\nNext steps\n* Add an alert\n";
        assert!(to_markdown(listed).expect("plain text").ends_with("## Next steps\n\n* Add an alert\n"));
    }

    #[test]
    fn capitals_and_other_languages_name_sections_too() {
        let text = "Caída del pago con tarjeta\n\nRESUMEN\nEl pago falló.\n\nCRONOLOGÍA (UTC-6)\n10:00 alerta\n";
        let markdown = to_markdown(text).expect("plain text");
        assert!(markdown.contains("## RESUMEN\n") && markdown.contains("## CRONOLOGÍA (UTC-6)\n"), "{markdown}");
        let japanese = "決済障害\n\n概要\n決済が失敗した。\n\nタイムライン\n10:00 アラート\n";
        assert!(to_markdown(japanese).expect("plain text").contains("## タイムライン\n"));
    }

    #[test]
    fn a_quoted_email_holding_a_postmortem_is_unquoted() {
        let text = "# Outage\n\nFrom: Kim\n\n> Hi,\n>\n> Summary\n> The disk filled.\n>\n> Timeline (UTC)\n> 10:00 Alert\n>\n>> Sent: 9:00\nAfter\n";
        let markdown = unquote_outlines(text).expect("an outline in the quote");
        assert_eq!(
            markdown,
            "# Outage\n\nFrom: Kim\n\nHi,\n\n## Summary\n\nThe disk filled.\n\n## Timeline (UTC)\n\n10:00 Alert\n\n> Sent: 9:00\nAfter\n"
        );
        // A quote that is only a quote stays one.
        assert_eq!(unquote_outlines("# T\n\n> Summary of the call: fine.\n> Thanks\n"), None);
    }

    #[test]
    fn each_plain_line_that_ends_a_sentence_or_is_labelled_is_a_paragraph() {
        let text = "T\n\nIncident date: 2025-01-31\nPrepared by: Oskar\n\nSummary\nThe export failed.\nSalaries were paid.\n\
                    The job that\nwraps its lines\n\nTimeline\n10:00 Alert.\n10:05 Ack.\n";
        let markdown = to_markdown(text).expect("plain text");
        assert!(markdown.contains("Incident date: 2025-01-31\n\nPrepared by: Oskar\n"), "{markdown}");
        assert!(markdown.contains("The export failed.\n\nSalaries were paid.\n"), "{markdown}");
        assert!(markdown.contains("The job that\nwraps its lines\n"), "{markdown}");
        // A timeline's rows stay rows.
        assert!(markdown.contains("10:00 Alert.\n10:05 Ack.\n"), "{markdown}");
    }

    #[test]
    fn never_panics_on_odd_lines() {
        for text in ["", "\n\n", "a)", "(", "1.", "Summary\n\nTimeline", "\u{feff}Summary\n\nx\n\nTimeline\n\ny", "é)"]
        {
            let _ = to_markdown(text);
        }
    }
}
