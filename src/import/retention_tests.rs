//! Word retention on the corpus (`tests/import_corpus`): the export of each document's import
//! repeats every word of the source. `cargo test corpus_word_retention -- --nocapture` prints
//! each document's words that the export does not repeat.

use std::collections::BTreeSet;
use std::path::Path;

use super::draft::{recognise, saved};
use crate::markdown::export::export;

/// The distinct words of `text`, lower-case: runs of letters and digits.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// `text` without the markup syntax that is made of letters or digits, so is not stripped with
/// the punctuation (`#`, `*`, `|`): no one wants it repeated, any more than a `##`.
/// - An ordered list's numbers (`3. 23:40 — Deploy`, `2) Roll back`, up to nine digits as in
///   CommonMark): the list's order is the markup's, and the export keeps the order, in its own
///   lists (a timeline's rows, action items).
/// - Jira wiki markup's headings (`h2. Summary`) and block macros (`{code}`, `{code:java}`,
///   `{noformat}`, `{quote}`, `{panel:title=…}`), at the start of a line: Markdown's `##` and
///   fences. (Inline `{{name}}` is code, as Markdown's backticks: its words stay.)
/// - The HTML tags of a wiki export's tables (`<table>`, `<tr>`, `<td colspan="2">`), which the
///   importer reads as the Markdown tables they mean (`super::html`): `|` and `---`. On a
///   table's lines and an HTML heading's (`<h2 id="x-Timeline">Timeline</h2>`), which the
///   importer reads as Markdown, every tag and character reference is markup: a cell's
///   `<span class="aui-lozenge">`, a mention's `<a data-username="…">`, the wrapping
///   `<div class="table-wrap">`, a heading's `id`, a `&nbsp;`. Their text stays.
fn without_markup(text: &str) -> String {
    let text = &without_html_read_as_markdown(text);
    let text = &without_table_tags(text);
    let mut kept = String::with_capacity(text.len());
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let (lead, rest) = line.split_at(indent);
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = rest.get(digits..).unwrap_or_default();
        let rest = if (1..=9).contains(&digits)
            && (after.starts_with(". ") || after.starts_with(") ") || after == "." || after == ")")
        {
            &after[1..]
        } else if let Some(level) =
            rest.strip_prefix('h').and_then(|r| r.strip_prefix(|c: char| ('1'..='6').contains(&c)))
            && (level.starts_with(". ") || level == ".")
        {
            &level[1..]
        } else if ["{code", "{noformat", "{quote", "{panel"].iter().any(|name| rest.starts_with(name))
            && let Some(end) = rest.find('}')
        {
            &rest[end + 1..]
        } else {
            rest
        };
        kept.push_str(lead);
        kept.push_str(rest);
        kept.push('\n');
    }
    kept
}

/// `text` with every tag and character reference left out of the lines the importer reads as
/// Markdown: a table's, from the line it opens on (after nothing but tags) to the line it
/// closes on, and a line holding an HTML heading alone.
fn without_html_read_as_markdown(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut depth = 0usize;
    for line in text.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        let opens = lower.find("<table").is_some_and(|at| only_tags(&lower[..at]));
        let trimmed = lower.trim();
        let heading = trimmed.len() > 3
            && trimmed.starts_with("<h")
            && trimmed[2..].starts_with(|c: char| ('1'..='6').contains(&c))
            && trimmed.ends_with(&format!("</h{}>", &trimmed[2..3]));
        let in_table = depth > 0 || opens;
        if in_table {
            depth = (depth + lower.matches("<table").count()).saturating_sub(lower.matches("</table").count());
        }
        if in_table || heading {
            kept.push_str(&without_tags(line));
        } else {
            kept.push_str(line);
        }
    }
    kept
}

/// Whether `text` is nothing but whitespace and tags.
fn only_tags(text: &str) -> bool {
    without_tags(text).trim().is_empty() && !text.contains(['&'])
}

/// `text` without its tags (`<a href="…">`, `</span>`, `<!-- … -->`) and character references
/// (`&nbsp;`, `&#8211;`), each a space.
fn without_tags(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['<', '&']) {
        kept.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = if rest[at..].starts_with('<') {
            after
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
                .then(|| after.find('>'))
                .flatten()
        } else {
            after.find(';').filter(|&end| {
                end > 0 && end <= 10 && after[..end].chars().all(|c| c.is_ascii_alphanumeric() || c == '#')
            })
        };
        match end {
            Some(end) => {
                kept.push(' ');
                rest = &after[end + 1..];
            }
            None => {
                kept.push_str(&rest[at..at + 1]);
                rest = after;
            }
        }
    }
    kept.push_str(rest);
    kept
}

/// `text` without the tags of HTML tables, their attributes included.
fn without_table_tags(text: &str) -> String {
    const TABLE_TAGS: &[&str] = &["table", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "caption"];
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        kept.push_str(&rest[..open]);
        let tag = &rest[open + 1..];
        let name_start = usize::from(tag.starts_with('/'));
        let name: String = tag[name_start..].chars().take_while(char::is_ascii_alphanumeric).collect();
        let closes = tag.find('>');
        match closes {
            Some(close) if TABLE_TAGS.contains(&name.to_ascii_lowercase().as_str()) => {
                kept.push(' ');
                rest = &tag[close + 1..];
            }
            _ => {
                kept.push('<');
                rest = tag;
            }
        }
    }
    kept.push_str(rest);
    kept
}

/// Each corpus document's words the export of its import leaves out, by file name.
fn lost_words() -> Vec<(String, Vec<String>)> {
    let paths = super::corpus_tests::corpus();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("readable");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let exported = export(&saved(recognise(&text, Some(&name)).to_drafts()));
            let kept = words(&exported);
            (name, words(&without_markup(&text)).difference(&kept).cloned().collect())
        })
        .collect()
}

#[test]
fn the_measure_leaves_out_only_markup_made_of_letters_or_digits() {
    // `2024. A year` at the start of a line is a list item for CommonMark too; `3.5`, `h2.x`
    // and ten digits are not markers.
    let text = "h2. Summary\n\n1. 23:40 — Deploy\n  12) Roll back\n{code:java}\nh2o\n{code}\n\
                2024. A year\n3.5 s\nh2.Summary\n1234567890. Ten digits";
    assert_eq!(
        words(&without_markup(text)),
        words("Summary 23:40 Deploy Roll back h2o A year 3.5 s h2.Summary 1234567890 Ten digits")
    );
    // A table's tags go, attributes and all; any other tag, and a `<` in prose, stay.
    let html = "<table class=\"x\"><tr><TD colspan=2>Start</td></tr></table> <b>bold</b> a < b <tr";
    assert_eq!(words(&without_markup(html)), words("Start b bold b a b tr"));
    // On a table's lines and a heading's, every tag and reference goes; their text stays.
    let export = "<div class=\"wrap\"><table><tr><td><span class=\"lozenge\">DONE</span>&nbsp;<a data-user=\"kim\">Kim \
                  Ito</a></td></tr>\n<tr><td>x</td></tr></table></div>\n<h2 id=\"p-Timeline\">Timeline</h2>\n\
                  <span class=\"kept\">y</span> &nbsp;\n";
    assert_eq!(words(&without_markup(export)), words("DONE Kim Ito x Timeline span class kept y span nbsp"));
}

/// The words each document was already known to lose (`UPDATE_GOLDEN=1` rewrites it): a
/// ratchet towards every word, which fails when a change loses one more.
const GOLDEN: &str = "tests/golden/corpus-retention.txt";

#[test]
fn corpus_word_retention() {
    let lost = lost_words();
    let complete = lost.iter().filter(|(_, words)| words.is_empty()).count();
    let lines: String = lost
        .iter()
        .filter(|(_, words)| !words.is_empty())
        .map(|(name, words)| format!("{name}\t{}\n", words.join(" ")))
        .collect();
    print!("{lines}");
    println!("{complete} of {} corpus documents: every word repeated", lost.len());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &lines).expect("write the golden file");
    }
    let golden = std::fs::read_to_string(&path).expect("the golden file exists (UPDATE_GOLDEN=1 writes it)");
    let known: std::collections::HashMap<&str, BTreeSet<&str>> = golden
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, words)| (name, words.split(' ').collect()))
        .collect();
    let worse: Vec<String> = lost
        .iter()
        .flat_map(|(name, words)| {
            let allowed = known.get(name.as_str());
            words
                .iter()
                .filter(move |word| !allowed.is_some_and(|allowed| allowed.contains(word.as_str())))
                .map(move |word| format!("{name}: {word}"))
        })
        .collect();
    assert!(worse.is_empty(), "words the export no longer repeats: {worse:?}");
}

/// Fields an item's reader lifts keep every word, whatever their values say: an unknown status
/// word, a due no date reads, an owner's role, a trailing `by` with a date.
#[test]
fn an_items_fields_keep_their_words_whatever_their_values() {
    let doc = "# X\n\n## Azioni\n\n1. Fare il test.\n   Responsabile: Ada. Scadenza: 14/02/2025. Stato: sospeso.\n\
               2. Scrivere il runbook.\n   Responsabile: da definire. Scadenza: quando possibile. Stato: bloccato.\n\
               - [ ] @kim: write the runbook by 2025-04-01\n- [x] @lee @max: ship it by 2025-03-04\n";
    let exported = export(&saved(recognise(doc, Some("x.md")).to_drafts()));
    let lost: Vec<String> = words(&without_markup(doc)).difference(&words(&exported)).cloned().collect();
    assert!(lost.is_empty(), "lost {lost:?} in\n{exported}");
}
