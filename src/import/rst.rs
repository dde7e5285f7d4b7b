//! Documents written in reStructuredText, read as the Markdown they mean: underlined (and
//! overlined) titles are headings, their levels in the order the document first uses each
//! style; `:Field: value` lines are labelled lines; simple tables (`===  ====` borders) are
//! tables; ``` ``code`` ``` is code. Every word stays; only the markup changes.

/// The document as Markdown, when it is written in reStructuredText: it has at least two
/// underlined titles and no Markdown (`#`) heading.
pub fn to_markdown(source: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    // Markdown headings mean Markdown, unless the document has markup only reStructuredText
    // has (a simple table's `#` column reads like one).
    if lines.iter().any(|line| line.starts_with("# ") || line.starts_with("## ")) && !is_restructured_text(source) {
        return None;
    }
    let titles = (1..lines.len()).filter(|&i| underline_of(lines[i - 1], lines[i]).is_some()).count();
    if titles < 2 {
        return None;
    }
    let mut styles: Vec<(bool, char)> = Vec::new();
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // `====\nTitle\n====` (overlined) or `Title\n====`.
        let overlined = border_char(line).filter(|_| {
            lines.get(i + 2).is_some_and(|under| border_char(under) == border_char(line))
                && lines.get(i + 1).is_some_and(|text| underline_of(text, lines[i + 2]).is_some())
        });
        if let Some(c) = overlined {
            push_heading(&mut out, &mut styles, (true, c), lines[i + 1].trim());
            i += 3;
            continue;
        }
        if let Some(c) = lines.get(i + 1).and_then(|under| underline_of(line, under)) {
            push_heading(&mut out, &mut styles, (false, c), line.trim());
            i += 2;
            continue;
        }
        if let Some(columns) = table_border(line) {
            i = push_table(&mut out, &lines, i, &columns);
            continue;
        }
        if let Some(rest) = line.strip_prefix(':')
            && let Some((field, value)) = rest.split_once(": ")
            && !field.is_empty()
            && field.len() <= 40
        {
            // A list item, so each field stays a line of its own, read as a labelled line.
            out.push_str(&format!("- {field}: {}\n", inline(value)));
        } else if let Some(directive) = line.strip_prefix(".. ").and_then(|d| d.strip_suffix("::")) {
            // `.. note::`: its indented body follows as a quote.
            out.push_str(&format!("> **{}**\n", directive.trim()));
            i += 1;
            let mut body = false;
            while i < lines.len() && (lines[i].trim().is_empty() || lines[i].starts_with("   ")) {
                if !lines[i].trim().is_empty() {
                    out.push_str(&format!("> {}\n", inline(lines[i].trim())));
                    body = true;
                } else if body && lines.get(i + 1).is_some_and(|next| next.starts_with("   ")) {
                    out.push_str(">\n");
                }
                i += 1;
            }
            out.push('\n');
            continue;
        } else {
            out.push_str(&inline(line));
            out.push('\n');
        }
        i += 1;
    }
    Some(out)
}

/// Whether the document uses markup only reStructuredText has (a field list, a directive, a
/// simple table, an overlined title or a title underlined with other than `=` or `-`), rather
/// than Markdown's underlined headings alone.
pub fn is_restructured_text(source: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        line.starts_with(".. ")
            || (line.starts_with(':') && line[1..].contains(": "))
            || table_border(line).is_some()
            || (i > 0 && underline_of(lines[i - 1], line).is_some_and(|c| c != '=' && c != '-'))
            || (border_char(line).is_some() && i + 2 < lines.len() && border_char(lines[i + 2]) == border_char(line))
    })
}

/// The punctuation a title is underlined with, when `under` underlines the text `line`.
fn underline_of(line: &str, under: &str) -> Option<char> {
    let c = border_char(under)?;
    let text = line.trim();
    let is_text = !text.is_empty() && border_char(line).is_none() && !line.starts_with(' ');
    (is_text && under.trim_end().chars().count() >= text.chars().count()).then_some(c)
}

/// The character a line of one repeated punctuation mark (at least three) is made of.
fn border_char(line: &str) -> Option<char> {
    let line = line.trim_end();
    let c = line.chars().next()?;
    let punctuation = matches!(c, '=' | '-' | '~' | '^' | '"' | '*' | '+' | '#' | '`' | ':' | '.' | '\'' | '_');
    (punctuation && line.chars().count() >= 3 && line.chars().all(|x| x == c)).then_some(c)
}

fn push_heading(out: &mut String, styles: &mut Vec<(bool, char)>, style: (bool, char), text: &str) {
    let level = match styles.iter().position(|s| *s == style) {
        Some(level) => level + 1,
        None => {
            styles.push(style);
            styles.len()
        }
    };
    out.push_str(&format!("{} {}\n", "#".repeat(level.min(6)), inline(text)));
}

/// A simple table's border (`=  =====  ===`): the byte ranges of its columns.
fn table_border(line: &str) -> Option<Vec<(usize, usize)>> {
    let line = line.trim_end();
    if !line.starts_with('=') || !line.chars().all(|c| c == '=' || c == ' ') || !line.contains(' ') {
        return None;
    }
    let mut columns = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c, start) {
            ('=', None) => start = Some(i),
            (' ', Some(s)) => {
                columns.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        columns.push((s, line.len()));
    }
    (columns.len() >= 2).then_some(columns)
}

/// Writes the simple table starting at border line `i` as a Markdown table; returns the line
/// after it. The last column runs to the end of each line.
fn push_table(out: &mut String, lines: &[&str], i: usize, columns: &[(usize, usize)]) -> usize {
    let cells = |line: &str| -> Vec<String> {
        columns
            .iter()
            .enumerate()
            .map(|(k, &(start, end))| {
                let end = if k + 1 == columns.len() { line.len() } else { end.min(line.len()) };
                let start = start.min(line.len());
                match line.get(start..end) {
                    Some(cell) => inline(cell.trim()).replace('|', "\\|"),
                    None => String::new(),
                }
            })
            .collect()
    };
    let mut j = i + 1;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut borders = 1;
    while j < lines.len() && borders < 3 {
        if table_border(lines[j]).is_some() {
            borders += 1;
        } else if !lines[j].trim().is_empty() {
            rows.push(cells(lines[j]));
        }
        j += 1;
        if borders == 3 || lines.get(j).is_none_or(|line| line.trim().is_empty() && borders == 2 && rows.len() == 1) {
            break;
        }
    }
    for (k, row) in rows.iter().enumerate() {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
        if k == 0 {
            out.push_str(&format!("|{}|\n", vec!["---"; columns.len()].join("|")));
        }
    }
    j
}

/// ``` ``code`` ``` as Markdown code.
fn inline(text: &str) -> String {
    text.replace("``", "`")
}

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn restructured_text_reads_as_markdown() {
        let doc = "=====\nGates\n=====\n\n:Date: 2024-04-16\n:Impact start: 2024-04-16 07:12 AEST\n\n\
                   .. note::\n\n   All times AEST.\n\nSummary\n=======\n\nCards failed (``fares-b``).\n\n\
                   Impact\n------\n\n* Many taps\n\n\
                   Actions\n=======\n\n=  ======  =====\n#  Action  Owner\n=  ======  =====\n\
                   1  Check   Lucy Tran\n2  Alert\n=  ======  =====\n";
        let markdown = to_markdown(doc).expect("reStructuredText");
        assert_eq!(
            markdown,
            "# Gates\n\n- Date: 2024-04-16\n- Impact start: 2024-04-16 07:12 AEST\n\n> **note**\n> All times AEST.\n\n\
             ## Summary\n\nCards failed (`fares-b`).\n\n### Impact\n\n* Many taps\n\n## Actions\n\n\
             | # | Action | Owner |\n|---|---|---|\n| 1 | Check | Lucy Tran |\n| 2 | Alert |  |\n"
        );
    }

    #[test]
    fn markdown_is_left_alone() {
        assert_eq!(to_markdown("# Title\n\nSummary\n=======\n\nImpact\n------\n"), None);
        assert_eq!(to_markdown("Title\n=====\n\nJust one heading.\n"), None);
    }
}
