//! The outline of a Markdown document: its front matter, title and headings, found line by line
//! so that nothing inside a code fence or an HTML comment is ever taken for structure, and every
//! line of the source stays addressable (nothing is re-rendered, so nothing is lost).

/// A heading and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6. A bold line standing alone as the document's first line counts as level 1.
    pub level: u8,
    pub text: String,
    /// The heading's first line (index into [`Outline::lines`]).
    pub line: usize,
    /// Lines the heading itself takes: 1 for ATX, 2 for Setext.
    pub span: usize,
}

/// A document split into lines, with its front matter and headings located.
#[derive(Debug, Clone)]
pub struct Outline<'a> {
    /// Every line of the source without its line ending (`\n`, `\r\n` or a lone `\r`).
    pub lines: Vec<&'a str>,
    /// `key: value` pairs of a leading `---` YAML block, in order; values unquoted.
    pub front_matter: Vec<(String, String)>,
    /// Lines taken by the front matter block, including both `---` fences (0 if none).
    pub front_matter_lines: usize,
    pub headings: Vec<Heading>,
}

impl<'a> Outline<'a> {
    pub fn parse(source: &'a str) -> Outline<'a> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let lines = split_lines(source);
        let (front_matter, front_matter_lines) = front_matter(&lines);
        let headings = headings(&lines, front_matter_lines);
        Outline { lines, front_matter, front_matter_lines, headings }
    }

    /// The source text of lines `range`, joined with `\n`.
    pub fn text(&self, range: std::ops::Range<usize>) -> String {
        let end = range.end.min(self.lines.len());
        let start = range.start.min(end);
        self.lines[start..end].join("\n")
    }

    /// A front matter value by key, compared case-insensitively.
    pub fn front(&self, key: &str) -> Option<&str> {
        self.front_matter.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

fn split_lines(source: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = source;
    while !rest.is_empty() {
        match rest.find(['\n', '\r']) {
            Some(i) => {
                lines.push(&rest[..i]);
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
            None => {
                lines.push(rest);
                rest = "";
            }
        }
    }
    lines
}

/// A YAML front matter block: `---` on the first line, `---` or `...` closing it. Only flat
/// `key: value` lines are read; anything else in it is kept by the caller as text.
fn front_matter(lines: &[&str]) -> (Vec<(String, String)>, usize) {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return (Vec::new(), 0);
    }
    let Some(close) = lines.iter().skip(1).position(|l| matches!(l.trim_end(), "---" | "...")) else {
        return (Vec::new(), 0);
    };
    let body = &lines[1..=close];
    let pairs = body
        .iter()
        .filter(|line| !line.starts_with([' ', '\t', '-', '#']))
        .filter_map(|line| line.split_once(':'))
        .filter(|(key, _)| !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
        .map(|(key, value)| (key.to_owned(), unquote(value.trim()).to_owned()))
        .collect();
    (pairs, close + 2)
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

/// What the scanner is inside of, line by line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    Text,
    /// A fenced code block opened with `count` of `marker`.
    Fence {
        marker: u8,
        count: usize,
    },
    Comment,
}

fn headings(lines: &[&str], first_line: usize) -> Vec<Heading> {
    let mut found = Vec::new();
    let mut inside = Inside::Text;
    // Whether the previous line was paragraph text, which a Setext underline would turn into a heading.
    let mut paragraph_line: Option<usize> = None;
    for (index, line) in lines.iter().enumerate().skip(first_line) {
        match inside {
            Inside::Fence { marker, count } => {
                if closes_fence(line, marker, count) {
                    inside = Inside::Text;
                }
                continue;
            }
            Inside::Comment => {
                if line.contains("-->") {
                    inside = Inside::Text;
                }
                continue;
            }
            Inside::Text => {}
        }
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if indent < 4 {
            if let Some((marker, count)) = opens_fence(trimmed) {
                inside = Inside::Fence { marker, count };
                paragraph_line = None;
                continue;
            }
            if trimmed.starts_with("<!--") && !trimmed.contains("-->") {
                inside = Inside::Comment;
                paragraph_line = None;
                continue;
            }
            if let Some((level, text)) = atx_heading(trimmed) {
                found.push(Heading { level, text, line: index, span: 1 });
                paragraph_line = None;
                continue;
            }
            if let (Some(previous), Some(level)) = (paragraph_line, setext_level(trimmed)) {
                let text = lines[previous].trim().to_owned();
                found.push(Heading { level, text, line: previous, span: 2 });
                paragraph_line = None;
                continue;
            }
        }
        paragraph_line = if is_paragraph_text(line) && paragraph_line.is_none() { Some(index) } else { None };
        if line.trim().is_empty() {
            paragraph_line = None;
        }
    }
    found
}

/// Follows fenced code blocks line by line, so nothing inside one is read as structure. A fence
/// closes only with its own marker, at least as long (```` ```` ```` holds ```` ``` ````, and `~~~`
/// holds backticks).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CodeFences {
    open: Option<(u8, usize)>,
    /// Fences may be indented any amount (inside list items), not only up to three spaces.
    nested: bool,
}

impl CodeFences {
    /// For a document's top level, as CommonMark reads it.
    pub(super) fn top_level() -> CodeFences {
        CodeFences::default()
    }

    /// For text whose code blocks may sit inside list items at any indentation.
    pub(super) fn nested() -> CodeFences {
        CodeFences { open: None, nested: true }
    }

    /// Whether `line` belongs to a code block, its fences included. Call once per line, in order.
    pub(super) fn in_code(&mut self, line: &str) -> bool {
        let line = if self.nested { line.trim_start() } else { line };
        match self.open {
            Some((marker, count)) => {
                if closes_fence(line, marker, count) {
                    self.open = None;
                }
                true
            }
            None => {
                let trimmed = line.trim_start_matches(' ');
                self.open = if line.len() - trimmed.len() < 4 { opens_fence(trimmed) } else { None };
                self.open.is_some()
            }
        }
    }

    /// Whether a code block is still open.
    pub(super) fn is_open(&self) -> bool {
        self.open.is_some()
    }
}

/// A fence opening a code block (`trimmed` has its indentation removed): the marker and how many.
pub(super) fn opens_fence(trimmed: &str) -> Option<(u8, usize)> {
    for marker in [b'`', b'~'] {
        let count = trimmed.bytes().take_while(|&b| b == marker).count();
        // A backtick fence's info string may not contain backticks.
        if count >= 3 && (marker == b'~' || !trimmed[count..].contains('`')) {
            return Some((marker, count));
        }
    }
    None
}

/// Whether `line` closes a code block opened with `count` of `marker`.
pub(super) fn closes_fence(line: &str, marker: u8, count: usize) -> bool {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() >= 4 {
        return false;
    }
    let run = trimmed.bytes().take_while(|&b| b == marker).count();
    run >= count && trimmed[run..].trim().is_empty()
}

/// `## Heading ##` → (2, "Heading").
fn atx_heading(trimmed: &str) -> Option<(u8, String)> {
    let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim();
    // A closing run of #s preceded by a space is not part of the text.
    let text = match text.trim_end_matches('#') {
        stripped if stripped.len() < text.len() && (stripped.is_empty() || stripped.ends_with([' ', '\t'])) => {
            stripped.trim_end()
        }
        _ => text,
    };
    // A heading wholly in bold (`# **Summary**`, as Google Docs exports them): the bold is the
    // heading's look, not its words.
    let text = ["**", "__"]
        .iter()
        .find_map(|mark| text.strip_prefix(mark)?.strip_suffix(mark).filter(|inner| !inner.contains(mark)))
        .map_or(text, str::trim);
    // An empty heading names nothing: its line stays text of the section it is in (a section
    // without a heading could be neither saved nor exported).
    if text.is_empty() {
        return None;
    }
    u8::try_from(hashes).ok().map(|level| (level, text.to_owned()))
}

fn setext_level(trimmed: &str) -> Option<u8> {
    let underline = trimmed.trim_end();
    if !underline.is_empty() && underline.bytes().all(|b| b == b'=') {
        Some(1)
    } else if underline.len() >= 2 && underline.bytes().all(|b| b == b'-') {
        Some(2)
    } else {
        None
    }
}

/// A line that could be the text of a Setext heading: not blank, not a list item, quote,
/// table row, HTML block or thematic break.
fn is_paragraph_text(line: &str) -> bool {
    let trimmed = line.trim();
    !(trimmed.is_empty()
        || trimmed.starts_with(['-', '*', '+', '>', '|', '<', '#'])
        || trimmed.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        || line.starts_with("    "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_closes_only_with_its_own_marker() {
        let text =
            "````md\n```\n**Duration:** inside\n```\n````\n**Duration:** outside\n~~~\n```\nstill code\n~~~\nafter";
        let mut fences = CodeFences::nested();
        let code: Vec<bool> = text.split('\n').map(|line| fences.in_code(line)).collect();
        assert_eq!(code, [true, true, true, true, true, false, true, true, true, true, false]);
        assert!(!fences.is_open());
        let mut top = CodeFences::top_level();
        assert!(!top.in_code("    ```"), "four spaces of indentation is an indented code block, not a fence");
        assert!(CodeFences::nested().in_code("    ```"), "inside a list item it is a fence");
    }

    fn levels_and_texts(source: &str) -> Vec<(u8, String)> {
        Outline::parse(source).headings.into_iter().map(|h| (h.level, h.text)).collect()
    }

    #[test]
    fn atx_and_setext_headings_are_found() {
        let doc =
            "Title\n=====\n\nIntro\n\n## Impact ##\ntext\n\nTimeline\n--------\n- a\n\n#NotAHeading\n### Root cause";
        assert_eq!(
            levels_and_texts(doc),
            [(1, "Title".into()), (2, "Impact".into()), (2, "Timeline".into()), (3, "Root cause".into())]
        );
    }

    #[test]
    fn nothing_in_code_fences_or_comments_is_structure() {
        let doc = "# Real\n```md\n# Not a heading\n```\n~~~~\n## Nor this\n~~~\n~~~~\n<!--\n## Hidden\n-->\n## After";
        assert_eq!(levels_and_texts(doc), [(1, "Real".into()), (2, "After".into())]);
    }

    #[test]
    fn a_thematic_break_after_a_blank_line_is_not_a_setext_underline() {
        let doc = "**Postmortem: X**\n\n---\n\n### Summary";
        assert_eq!(levels_and_texts(doc), [(3, "Summary".into())]);
        let list = "- item\n---\n## H";
        assert_eq!(levels_and_texts(list), [(2, "H".into())]);
    }

    #[test]
    fn front_matter_is_read_and_skipped() {
        let doc = "---\ntitle: \"Disk full\"\nseverity: SEV2\ntags:\n  - db\n---\n# Not the title?\n";
        let outline = Outline::parse(doc);
        assert_eq!(outline.front("Title"), Some("Disk full"));
        assert_eq!(outline.front("severity"), Some("SEV2"));
        assert_eq!(outline.front_matter_lines, 6);
        assert_eq!(outline.headings.len(), 1);
        assert_eq!(outline.headings[0].line, 6);
    }

    #[test]
    fn line_endings_of_every_kind_split_the_same() {
        let lf = Outline::parse("a\nb\n\nc");
        let crlf = Outline::parse("a\r\nb\r\n\r\nc\r\n");
        let cr = Outline::parse("a\rb\r\rc");
        assert_eq!(lf.lines, ["a", "b", "", "c"]);
        assert_eq!(crlf.lines, lf.lines);
        assert_eq!(cr.lines, lf.lines);
        assert_eq!(Outline::parse("\u{feff}# T").headings[0].text, "T");
    }

    #[test]
    fn the_real_fixtures_outline_without_panicking() {
        let Some(fixtures) = super::super::fixtures() else { return };
        for (name, text) in &fixtures {
            let outline = Outline::parse(text);
            let normalized = text.replace("\r\n", "\n");
            let expected = normalized.strip_suffix('\n').unwrap_or(&normalized);
            assert_eq!(outline.text(0..outline.lines.len()), expected, "{name} splits losslessly");
        }
    }
}
