//! HTML tables, as a Confluence or wiki export leaves them in Markdown (`<table><tr><td>…`), are
//! read as the Markdown tables they mean: a row a line, a cell's line breaks as spaces, bold
//! kept as `**bold**`, other tags left out (their text stays).

/// `source` with each HTML table outside code blocks written as a Markdown table, or `None`
/// when it has none.
pub fn tables_to_markdown(source: &str) -> Option<String> {
    if !source.contains("<table") {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    let mut in_code = false;
    let mut changed = false;
    let mut closed = true;
    while !rest.is_empty() {
        let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = &rest[..line_end];
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
        }
        if !in_code
            && closed
            && trimmed.starts_with("<table")
            && let Some(close) = rest.find("</table>").or_else(|| {
                // None closes after here: looking again at each later table would be quadratic.
                closed = false;
                None
            })
        {
            let table = &rest[..close];
            out.push_str(&markdown_table(table));
            out.push('\n');
            rest = &rest[close + "</table>".len()..];
            rest = rest.strip_prefix('\n').unwrap_or(rest);
            changed = true;
            continue;
        }
        out.push_str(line);
        rest = &rest[line_end..];
    }
    changed.then_some(out)
}

/// The rows of one table (its text up to `</table>`), the first one its header.
fn markdown_table(table: &str) -> String {
    let rows: Vec<Vec<String>> = table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap_or_default();
            row.split("<t")
                .skip(1)
                .filter(|cell| cell.starts_with(['d', 'h']))
                .map(|cell| {
                    let content = cell.split_once('>').map_or("", |(_, content)| content);
                    let content = content.split("</t").next().unwrap_or_default();
                    cell_text(content)
                })
                .collect()
        })
        .filter(|cells: &Vec<String>| !cells.is_empty())
        .collect();
    let Some(width) = rows.iter().map(Vec::len).max() else { return String::new() };
    let mut lines: Vec<String> = Vec::with_capacity(rows.len() + 1);
    for (index, row) in rows.iter().enumerate() {
        let mut cells = row.clone();
        cells.resize(width, String::new());
        lines.push(format!("| {} |", cells.join(" | ")));
        if index == 0 {
            lines.push(format!("|{}", " --- |".repeat(width)));
        }
    }
    lines.join("\n")
}

/// A cell's text: `<br>` as a space, `<strong>`/`<b>` as `**`, other tags left out, entities
/// for `&`, `<`, `>` and spaces read, and `|` escaped.
fn cell_text(content: &str) -> String {
    let mut text = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or_default();
        match name {
            "br" | "p" | "div" | "li" => text.push(' '),
            "strong" | "b" => text.push_str("**"),
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
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
        // Unclosed or broken markup does not panic and keeps its text.
        for odd in
            ["<table", "<table><tr><td>a<", "<table><tr><td>é</td>\n", "<table></table>", "<table><tr></tr></table>"]
        {
            let _ = tables_to_markdown(odd);
        }
    }
}
