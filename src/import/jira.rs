//! Documents written in Jira's (and Confluence's older) wiki markup, read as the Markdown they
//! mean: `h2. Summary` is a heading, `||Time||Event||` a table's header, `# step` a numbered
//! item, `{code}` a fence, `{{name}}` code, `[text|url]` a link. Every word stays; only the
//! markup changes.

/// The document as Markdown, when it is written in wiki markup: it opens with an `h1.` or `h2.`
/// heading, or has two `hN.` headings and no Markdown heading.
pub fn to_markdown(source: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let first = lines.iter().find(|line| !line.trim().is_empty())?;
    let headings = lines.iter().filter(|line| heading(line).is_some()).count();
    let markdown_headings = lines.iter().filter(|line| line.starts_with("## ") || line.starts_with("### ")).count();
    let opens = heading(first).is_some_and(|(level, _)| level <= 2);
    if !(opens || (headings >= 2 && markdown_headings == 0)) {
        return None;
    }
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    let mut in_code = false;
    for line in lines {
        let trimmed = line.trim_start();
        if trimmed.starts_with("{code") || trimmed.starts_with("{noformat") {
            in_code = !in_code;
            out.push_str("```\n");
            continue;
        }
        if in_code {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some((level, text)) = heading(line) {
            out.push_str(&"#".repeat(level));
            out.push(' ');
            out.push_str(&inline(text));
        } else if let Some(header) = trimmed.strip_prefix("||") {
            let cells: Vec<String> =
                header.trim_end().trim_end_matches("||").split("||").map(|cell| inline(cell.trim())).collect();
            out.push_str(&format!("| {} |\n|{}|", cells.join(" | "), vec!["---"; cells.len()].join("|")));
        } else if let Some(quote) = trimmed.strip_prefix("bq. ") {
            out.push_str("> ");
            out.push_str(&inline(quote));
        } else if let Some((depth, text)) = list_item(trimmed, '#') {
            out.push_str(&format!("{}1. {}", "   ".repeat(depth - 1), inline(text)));
        } else if let Some((depth, text)) = list_item(trimmed, '*').filter(|&(depth, _)| depth > 1) {
            out.push_str(&format!("{}* {}", "  ".repeat(depth - 1), inline(text)));
        } else {
            out.push_str(&inline(line));
        }
        out.push('\n');
    }
    Some(out)
}

/// `h2. Text`: the level and the text.
fn heading(line: &str) -> Option<(usize, &str)> {
    let rest = line.strip_prefix('h')?;
    let level = rest.chars().next()?.to_digit(10).filter(|level| (1..=6).contains(level))?;
    let text = rest[1..].strip_prefix(". ")?;
    (!text.trim().is_empty()).then_some((level as usize, text.trim()))
}

/// `# step`, `## sub-step`, `** nested`: how deep, and the text.
fn list_item(line: &str, marker: char) -> Option<(usize, &str)> {
    let depth = line.chars().take_while(|&c| c == marker).count();
    let text = line[depth..].strip_prefix(' ')?;
    ((1..=6).contains(&depth) && !text.trim().is_empty()).then_some((depth, text))
}

/// Inline markup: `{{code}}` and `[text|url]` (bold `*x*` and italic `_x_` read the same in
/// Markdown).
fn inline(text: &str) -> String {
    let code = text.replace("{{", "`").replace("}}", "`");
    let mut out = String::with_capacity(code.len());
    let mut rest = code.as_str();
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|close| open + close) else { break };
        let inner = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        match inner.split_once('|') {
            Some((label, url)) if url.starts_with("http") && !url.contains(' ') => {
                out.push_str(&format!("[{label}]({url})"));
            }
            _ => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn wiki_markup_reads_as_markdown() {
        let doc = "h1. Thermostats offline\n\n||Time||Event||\n|09:58|Cert for {{mqtt-eu1}} expires.|\n\n\
                   h2. Follow-ups\n\n# Alert on expiry [runbook|https://wiki.example.com/x]\n## Sub-step\n** nested\n\n\
                   {code}\nh2. not a heading\n{code}\nbq. Quoted.";
        let markdown = to_markdown(doc).expect("wiki markup");
        assert_eq!(
            markdown,
            "# Thermostats offline\n\n| Time | Event |\n|---|---|\n|09:58|Cert for `mqtt-eu1` expires.|\n\n\
             ## Follow-ups\n\n1. Alert on expiry [runbook](https://wiki.example.com/x)\n   1. Sub-step\n  * nested\n\n\
             ```\nh2. not a heading\n```\n> Quoted.\n"
        );
    }

    #[test]
    fn markdown_is_left_alone() {
        assert_eq!(to_markdown("# Title\n\n## Summary\n\nh2. is just text here.\n"), None);
        assert_eq!(to_markdown("Intro.\n\nh3. One\n\n## Two\n\nh3. Three\n"), None);
        assert_eq!(to_markdown(""), None);
        assert_eq!(to_markdown("h2.without a space\n"), None);
    }
}
