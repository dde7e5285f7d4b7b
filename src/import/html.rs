//! HTML tables and headings, as a Confluence or wiki export leaves them in Markdown
//! (`<div class="table-wrap"><table class="confluenceTable"><tbody><tr><th>…`,
//! `<h2 id="…">Timeline</h2>`), are read as the Markdown they mean: a table row a line, a
//! heading a `##` line.
//!
//! A cell keeps its text and drops its markup, whatever an export wraps the text in: paragraphs,
//! spans, links (a user mention keeps the person's name), status lozenges (their word),
//! `<time>` (its text, else its `datetime`), line breaks (as spaces). Bold stays `**bold**`.
//! A cell spanning columns is followed by empty ones, and one spanning rows is repeated in the
//! rows below, so every row's cells stay under their headers.

/// At most this many columns or rows a cell may span: more is a broken attribute.
const MAX_SPAN: usize = 64;

/// `source` with each HTML table outside code blocks written as a Markdown table, and each
/// HTML heading standing on its own line (`<h2>Timeline</h2>`) as a Markdown heading, or
/// `None` when it has neither.
pub fn tables_to_markdown(source: &str) -> Option<String> {
    // Lower case keeps every byte where it was, so positions found in it slice `source`.
    let lower = source.to_ascii_lowercase();
    if !lower.contains("<table") && !(1..=6).any(|level| lower.contains(&format!("<h{level}"))) {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    let mut in_code = false;
    let mut changed = false;
    // Whether a later `</table>` may still close a table: once none does, looking again at each
    // later table would be quadratic.
    let mut closed = true;
    while at < source.len() {
        let line_end = source[at..].find('\n').map_or(source.len(), |i| at + i + 1);
        let line = &source[at..line_end];
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
        }
        if !in_code {
            if closed && let Some(start) = table_start(&lower[at..line_end]).map(|i| at + i) {
                if let Some((inner_end, end)) = table_end(&lower, start) {
                    let table = markdown_table(&source[start..inner_end]);
                    let after_end = source[end..].find('\n').map_or(source.len(), |i| end + i + 1);
                    let after = &source[end..after_end];
                    out.push_str(&table);
                    out.push('\n');
                    if !only_tags(after) {
                        // Text after the table on its line stays, on a line of its own.
                        out.push('\n');
                        out.push_str(after.trim_start());
                        if !after.ends_with('\n') && after_end < source.len() {
                            out.push('\n');
                        }
                    }
                    at = after_end;
                    changed = true;
                    continue;
                }
                closed = false;
            }
            if let Some(heading) = markdown_heading(line) {
                out.push_str(&heading);
                out.push_str(if line.ends_with('\n') { "\n" } else { "" });
                at = line_end;
                changed = true;
                continue;
            }
        }
        out.push_str(line);
        at = line_end;
    }
    changed.then_some(out)
}

/// Where a table opens on `line` (lower case): a `<table` tag with nothing but other tags
/// before it (`<div class="table-wrap"><table …>`), so a `<table>` written in prose is prose.
fn table_start(line: &str) -> Option<usize> {
    let start = line.find("<table")?;
    let after = line[start + "<table".len()..].chars().next();
    let is_tag = after.is_none_or(|c| c == '>' || c == '/' || c.is_whitespace());
    (is_tag && only_tags(&line[..start])).then_some(start)
}

/// Where the table opening at `start` (in `lower`) ends: the start of its closing tag and the
/// position after it. Tables inside it are counted; when the tags do not balance, the first
/// `</table>` closes it.
fn table_end(lower: &str, start: usize) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut first_close = None;
    let mut at = start;
    while let Some(found) = lower[at..].find("table").map(|i| at + i) {
        at = found + "table".len();
        let closing = lower[..found].ends_with("</");
        if !closing && !lower[..found].ends_with('<') {
            continue;
        }
        if closing {
            let tag = found - 2;
            let end = lower[at..].find('>').map_or(lower.len(), |i| at + i + 1);
            first_close = first_close.or(Some((tag, end)));
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some((tag, end));
            }
        } else {
            depth += 1;
        }
    }
    first_close
}

/// Whether `text` is nothing but whitespace and tags (`<div class="table-wrap">`, `</div>`).
fn only_tags(text: &str) -> bool {
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some(end) = rest
            .strip_prefix('<')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/'))
            .and_then(tag_end)
        else {
            return false;
        };
        rest = rest[end + 2..].trim_start();
    }
    true
}

/// The position of the `>` ending a tag whose text (after its `<`) starts `tag`; a `>` inside
/// a quoted attribute value does not end it.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '>') => return Some(i),
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    // An unclosed quote: the first `>` ends the tag, as browsers recover.
    tag.find('>')
}

/// A line holding an HTML heading and nothing else (`<h2 id="x">Timeline</h2>`), as Markdown.
fn markdown_heading(line: &str) -> Option<String> {
    let trimmed = line.trim();
    let lower = trimmed.to_ascii_lowercase();
    let level = lower.strip_prefix("<h").and_then(|r| r.chars().next()).and_then(|c| c.to_digit(10))?;
    if !(1..=6).contains(&level) {
        return None;
    }
    let open = tag_end(&trimmed[1..])? + 2;
    let name_end = &lower[3..];
    if !name_end.starts_with(['>', ' ', '\t', '/']) {
        return None;
    }
    let close = format!("</h{level}>");
    let inner = trimmed[open..]
        .strip_suffix(&close)
        .or_else(|| lower[open..].ends_with(&close).then(|| &trimmed[open..trimmed.len() - close.len()]))?;
    let text = inline_text(inner).replace("\\|", "|");
    if text.is_empty() || text.contains('\n') {
        return None;
    }
    Some(format!("{} {text}", "#".repeat(level as usize)))
}

/// One cell being read: its markup so far and how far it spans.
struct Cell {
    html: String,
    columns: usize,
    rows: usize,
}

/// The rows of one table (its text from `<table` up to its `</table>`), the first one its
/// header, with the table's caption and any text standing outside its cells on lines around it.
fn markdown_table(table: &str) -> String {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut row: Option<Vec<Cell>> = None;
    let mut cell: Option<Cell> = None;
    let mut caption: Option<String> = None;
    let mut captions = String::new();
    let mut stray = String::new();
    // Tables inside this one: their markup is a cell's text.
    let mut depth = 0usize;
    let mut rest = table;
    while !rest.is_empty() {
        let Some((before, tag, after)) = next_tag(rest) else {
            push_text(rest, &mut cell, &mut caption, &mut stray);
            break;
        };
        push_text(before, &mut cell, &mut caption, &mut stray);
        rest = after;
        let lower = tag.to_ascii_lowercase();
        let closing = lower.starts_with("</");
        let name: String =
            lower.trim_start_matches(['<', '/']).chars().take_while(char::is_ascii_alphanumeric).collect();
        if name == "table" {
            if closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
            }
            if depth > 1 || (depth == 1 && closing) {
                push_text(tag, &mut cell, &mut caption, &mut stray);
            }
            continue;
        }
        if depth > 1 || name.is_empty() {
            push_text(tag, &mut cell, &mut caption, &mut stray);
            continue;
        }
        match (name.as_str(), closing) {
            ("tr" | "thead" | "tbody" | "tfoot", _) => {
                end_cell(&mut cell, &mut row);
                if let Some(done) = row.take() {
                    rows.push(done);
                }
                if name == "tr" && !closing {
                    row = Some(Vec::new());
                }
            }
            ("td" | "th", false) => {
                end_cell(&mut cell, &mut row);
                cell =
                    Some(Cell { html: String::new(), columns: span(&lower, "colspan"), rows: span(&lower, "rowspan") });
            }
            ("td" | "th", true) => end_cell(&mut cell, &mut row),
            ("caption", false) => caption = Some(String::new()),
            ("caption", true) => {
                if let Some(text) = caption.take() {
                    captions.push_str(&text);
                    captions.push(' ');
                }
            }
            ("colgroup" | "col", _) => {}
            _ => push_text(tag, &mut cell, &mut caption, &mut stray),
        }
    }
    end_cell(&mut cell, &mut row);
    if let Some(done) = row.take() {
        rows.push(done);
    }
    if let Some(text) = caption {
        captions.push_str(&text);
    }
    let grid = grid(rows);
    // The caption, then any text standing outside the cells, then the table.
    let mut lines: Vec<String> = Vec::with_capacity(grid.len() + 3);
    for text in [inline_text(&captions), inline_text(&stray)] {
        if !text.is_empty() {
            lines.push(text);
            lines.push(String::new());
        }
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    for (index, cells) in grid.into_iter().enumerate() {
        let mut cells = cells;
        cells.resize(width, String::new());
        lines.push(format!("| {} |", cells.join(" | ")));
        if index == 0 {
            lines.push(format!("|{}", " --- |".repeat(width)));
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}

/// The text before the next tag (or comment) in `text`, the tag, and the text after it.
fn next_tag(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    loop {
        let open = from + text[from..].find('<')?;
        let after = &text[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            let end = comment.find("-->").map_or(text.len(), |i| open + 4 + i + 3);
            return Some((&text[..open], &text[open..end], &text[end..]));
        }
        if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
            && let Some(close) = tag_end(after)
        {
            let end = open + 1 + close + 1;
            return Some((&text[..open], &text[open..end], &text[end..]));
        }
        // A `<` that opens no tag (`latency < 200 ms`) is text.
        from = open + 1;
    }
}

/// Adds markup or text to the cell or caption being read, or to the text outside any cell.
fn push_text(text: &str, cell: &mut Option<Cell>, caption: &mut Option<String>, stray: &mut String) {
    if let Some(caption) = caption {
        caption.push_str(text);
    } else if let Some(cell) = cell {
        cell.html.push_str(text);
    } else if !text.trim().is_empty() {
        stray.push_str(text);
        stray.push(' ');
    }
}

fn end_cell(cell: &mut Option<Cell>, row: &mut Option<Vec<Cell>>) {
    if let Some(done) = cell.take() {
        row.get_or_insert_with(Vec::new).push(done);
    }
}

/// A cell's `colspan` or `rowspan` (`tag` in lower case), 1 when it has none.
fn span(tag: &str, attribute: &str) -> usize {
    attribute_value(tag, attribute).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, MAX_SPAN)
}

/// The value of `attribute` in `tag` (`<time datetime="2025-09-16">`), quoted or not.
fn attribute_value<'t>(tag: &'t str, attribute: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(attribute).map(|i| from + i) {
        from = found + attribute.len();
        let before_ok = lower[..found].ends_with(|c: char| c.is_whitespace() || c == '"' || c == '\'');
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - rest.len() + 1;
        let value = tag[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value.split(|c: char| c.is_whitespace() || c == '>' || c == '/').next().unwrap_or_default(),
        });
    }
    None
}

/// The rows' texts, each cell spanning columns followed by empty cells and each spanning rows
/// repeated in the rows below, where its column is.
fn grid(rows: Vec<Vec<Cell>>) -> Vec<Vec<String>> {
    // For each column, the text a cell above still spans down into, and for how many rows.
    let mut spanning: Vec<Option<(String, usize)>> = Vec::new();
    let mut grid = Vec::with_capacity(rows.len());
    for row in rows {
        let mut texts: Vec<String> = Vec::new();
        let take_spanning = |texts: &mut Vec<String>, spanning: &mut Vec<Option<(String, usize)>>| {
            while let Some(Some((text, left))) = spanning.get_mut(texts.len()) {
                texts.push(text.clone());
                *left -= 1;
                if *left == 0 {
                    spanning[texts.len() - 1] = None;
                }
            }
        };
        let had_cells = !row.is_empty();
        for cell in row {
            take_spanning(&mut texts, &mut spanning);
            let text = inline_text(&cell.html);
            let column = texts.len();
            texts.push(text.clone());
            texts.extend(std::iter::repeat_n(String::new(), cell.columns - 1));
            if cell.rows > 1 {
                if spanning.len() < column + 1 {
                    spanning.resize(column + 1, None);
                }
                spanning[column] = Some((text, cell.rows - 1));
            }
        }
        take_spanning(&mut texts, &mut spanning);
        if had_cells {
            grid.push(texts);
        }
    }
    grid
}

/// A cell's (or heading's) text: tags left out (their text stays), `<br>` and block tags as a
/// space, `<strong>`/`<b>` as `**`, an empty `<time>` as its `datetime`, character references
/// read, whitespace collapsed and `|` escaped.
fn inline_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut bold = 0usize;
    // Where the text stood when the open bold or `<time>` began.
    let mut bold_from = 0;
    let mut time: Option<(usize, String)> = None;
    let mut rest = html;
    loop {
        let Some((before, tag, after)) = next_tag(rest) else {
            text.push_str(&decode(rest));
            break;
        };
        if !before.is_empty() {
            if bold > 0 && text.len() == bold_from && before.starts_with(char::is_whitespace) {
                // `<b> Alert</b>`: the space goes before the `**`.
                text.insert(bold_from - 2, ' ');
                bold_from += 1;
            }
            text.push_str(&decode(before));
        }
        rest = after;
        if tag.starts_with("<!") {
            continue;
        }
        let lower = tag.to_ascii_lowercase();
        let closing = lower.starts_with("</");
        let name: String =
            lower.trim_start_matches(['<', '/']).chars().take_while(char::is_ascii_alphanumeric).collect();
        match name.as_str() {
            "strong" | "b" if !closing => {
                bold += 1;
                if bold == 1 {
                    text.push_str("**");
                    bold_from = text.len();
                }
            }
            "strong" | "b" => {
                if bold == 1 {
                    end_bold(&mut text, bold_from);
                }
                bold = bold.saturating_sub(1);
            }
            "time" if !closing => time = Some((text.len(), attribute_value(tag, "datetime").unwrap_or("").to_owned())),
            "time" => {
                if let Some((from, datetime)) = time.take()
                    && text.get(from..).is_none_or(|t| t.trim().is_empty())
                {
                    text.push(' ');
                    text.push_str(&decode(&datetime));
                }
            }
            "br" | "p" | "div" | "li" | "ul" | "ol" | "tr" | "td" | "th" | "table" | "h1" | "h2" | "h3" | "h4"
            | "h5" | "h6" | "blockquote" | "pre" | "hr" | "dd" | "dt" | "dl" | "section" => text.push(' '),
            _ => {}
        }
    }
    if bold > 0 {
        end_bold(&mut text, bold_from);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// Closes bold begun at `from` (just after its `**`): nothing bold drops the `**`, and the
/// bold text's trailing space goes after the closing `**`.
fn end_bold(text: &mut String, from: usize) {
    if text.get(from..).is_none_or(|t| t.trim().is_empty()) {
        text.truncate(from.saturating_sub(2));
        text.push(' ');
        return;
    }
    let trailing = text.len() - text.trim_end().len();
    text.truncate(text.len() - trailing);
    text.push_str("**");
    if trailing > 0 {
        text.push(' ');
    }
}

/// `text` with its character references read (`&amp;`, `&nbsp;`, `&#8211;`, `&#x20AC;`); one
/// it does not know stays as written.
fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let reference = after.find(';').filter(|&end| end <= 10).map(|end| &after[..end]);
        let read = reference.and_then(|name| {
            let number = name.strip_prefix('#');
            let code = match number {
                Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16).ok(),
                Some(decimal) => decimal.parse::<u32>().ok(),
                None => None,
            };
            if number.is_some() {
                return code.and_then(char::from_u32).filter(|&c| c != '\0').map(String::from);
            }
            let c = match name {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
                "ndash" => "–",
                "mdash" => "—",
                "hellip" => "…",
                "lsquo" => "‘",
                "rsquo" => "’",
                "ldquo" => "“",
                "rdquo" => "”",
                "euro" => "€",
                "middot" => "·",
                "rarr" => "→",
                "larr" => "←",
                "times" => "×",
                "deg" => "°",
                _ => return None,
            };
            Some(c.to_owned())
        });
        match (reference, read) {
            (Some(reference), Some(read)) => {
                out.push_str(&read);
                rest = &after[reference.len() + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_table_becomes_a_markdown_table() {
        let source = "# T\n\n<table>\n\t<tr>\n\t\t<th>Time</th>\n\t\t<th>Event</th>\n\t</tr>\n\t<tr>\n\t\t<td>03 Oct 2024<br/>21:40</td>\n\t\t<td><strong>Alert</strong> fires &amp; pages.</td>\n\t</tr>\n</table>\n\nAfter.";
        assert_eq!(
            tables_to_markdown(source).as_deref(),
            Some("# T\n\n| Time | Event |\n| --- | --- |\n| 03 Oct 2024 21:40 | **Alert** fires & pages. |\n\nAfter.")
        );
    }

    #[test]
    fn tables_in_code_and_text_without_tables_are_left_alone() {
        assert_eq!(tables_to_markdown("No tables here."), None);
        assert_eq!(tables_to_markdown("```html\n<table><tr><td>x</td></tr></table>\n```"), None);
        // A table named in prose is prose.
        assert_eq!(tables_to_markdown("Use a `<table><tr><td>x</td></tr></table>` here."), None);
        // Unclosed or broken markup does not panic and keeps its text.
        for odd in [
            "<table",
            "<table><tr><td>a<",
            "<table><tr><td>é</td>\n",
            "<table></table>",
            "<table><tr></tr></table>",
            "<table><tr><td colspan=\"99999999999\">a</td></tr></table>",
            "<table><tr><td rowspan=3>a</td><td>b</td></tr><tr><td>c",
            "<table><tr><td>a &#xFFFFFFFF; &#0; &#; &</td></tr></table><table>",
            "<h2",
            "<h7>x</h7>",
            "<h2></h2>\n<h3>é</h4>\n<H1 class='a>b'>é</H1>",
            "<table><tr><td><b></td></tr></table>",
            "<table><table><tr><td>x</td></tr></table>",
            "<table><tr><td>x</td></tr></table></table></table>",
        ] {
            let _ = tables_to_markdown(odd);
        }
    }

    #[test]
    fn a_wiki_export_table_keeps_the_text_of_its_cells_and_drops_their_markup() {
        // A MediaWiki-like export: wrapper div, thead and tbody, attributes in any case, links
        // to users, labels in spans, a `<time>` element, entities, a comment, a `<` in text.
        let source = "<div class=\"wrap\"><TABLE class='wikitable'>\n<thead><tr><th scope=\"col\"><p><b>When</b></p></th>\
                      <th scope=\"col\">What</th><th>Owner</th><th>State</th></tr></thead>\n<tbody>\n\
                      <tr><td><time datetime=\"2024-03-05T10:00Z\">5 Mar, 10:00</time></td>\
                      <td><p>Cache hit rate &lt; 40&nbsp;%<br>pages <em>on-call</em></p><!-- a <b>note</b> --></td>\
                      <td><a href=\"/wiki/User:Ana\" title=\"User:Ana > Ops\">Ana Lima</a></td>\
                      <td><span class=\"label label-green\" data-x=\"1\">Closed</span></td></tr>\n\
                      <tr><td><time datetime=\"2024-03-05T11:30Z\"></time></td><td>latency < 200 ms | p99</td>\
                      <td>@<span class=\"mention\">Bo Chen</span></td><td><span class=\"status\">Open</span></td></tr>\n\
                      </tbody></TABLE></div>\nAfter.\n";
        assert_eq!(
            tables_to_markdown(source).as_deref(),
            Some(
                "| **When** | What | Owner | State |\n| --- | --- | --- | --- |\n\
                 | 5 Mar, 10:00 | Cache hit rate < 40 % pages on-call | Ana Lima | Closed |\n\
                 | 2024-03-05T11:30Z | latency < 200 ms \\| p99 | @Bo Chen | Open |\nAfter.\n"
            )
        );
    }

    #[test]
    fn spanning_cells_keep_the_others_under_their_headers() {
        let source = "<table><tr><th>Day</th><th>Time</th><th>Event</th></tr>\
                      <tr><td rowspan=\"2\">12 May</td><td>09:00</td><td>Deploy</td></tr>\
                      <tr><td>09:20</td><td>Alert</td></tr>\
                      <tr><td colspan=\"2\">13 May 10:00</td><td>Fixed</td></tr></table>";
        assert_eq!(
            tables_to_markdown(source).as_deref(),
            Some(
                "| Day | Time | Event |\n| --- | --- | --- |\n| 12 May | 09:00 | Deploy |\n\
                 | 12 May | 09:20 | Alert |\n| 13 May 10:00 |  | Fixed |\n"
            )
        );
    }

    #[test]
    fn a_caption_text_after_the_table_and_a_nested_table_keep_their_words() {
        let source = "<table><caption>Follow-ups</caption><tr><td>Fix <table><tr><td>inner</td></tr></table> it</td></tr>\
                      </table> Then more.\nNext";
        assert_eq!(
            tables_to_markdown(source).as_deref(),
            Some("Follow-ups\n\n| Fix inner it |\n| --- |\n\nThen more.\nNext")
        );
    }

    #[test]
    fn html_headings_on_their_own_line_become_markdown_headings() {
        let source = "<h1>Outage</h1>\n<h2 id=\"x-Timeline\" class=\"a\"><a name=\"t\"></a>Time&shy;line</h2>\n\
                      <H3>Root <b>cause</b></H3>\ntext <h2>inline</h2>\n";
        assert_eq!(
            tables_to_markdown(source).as_deref(),
            Some("# Outage\n## Time&shy;line\n### Root **cause**\ntext <h2>inline</h2>\n")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_mix_of_markup_reads_without_panicking(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40)
        ) {
            let _ = tables_to_markdown(&parts.concat());
        }
    }

    const FRAGMENTS: &[&str] = &[
        "<table>",
        "<TABLE class='x'>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "<th colspan=\"3\">",
        "<td rowspan=2>",
        "</td>",
        "</th>",
        "<thead>",
        "</tbody>",
        "<caption>",
        "</caption>",
        "<h2 id=\"a\">",
        "</h2>",
        "<h6>",
        "<b>",
        "</strong>",
        "<time datetime='2024'>",
        "</time>",
        "<!--",
        "-->",
        "<br/>",
        "<a href=\"x>y\">",
        "</a>",
        "&amp;",
        "&#x1F600;",
        "&#99999999;",
        "&",
        ";",
        "<",
        ">",
        "'",
        "\"",
        "|",
        "é",
        "日本",
        "\n",
        "```\n",
        " ",
        "x",
        "12:00",
        "<div class=\"table-wrap\">",
        "</div>",
    ];

    #[test]
    fn character_references_are_read_once() {
        assert_eq!(decode("a &amp;lt; b &#8211; &#x20AC;5 &bogus; & c"), "a &lt; b – €5 &bogus; & c");
    }
}
