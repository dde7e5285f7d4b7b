//! Internal text: the parts of a postmortem's Markdown that its public version leaves out.
//!
//! An author marks text as internal in any Markdown field, in a way that still reads in the
//! Markdown export and the wiki:
//!
//! - `<!-- internal -->…<!-- /internal -->` around a block or an inline span (any spacing or
//!   case, nested, or starting in one paragraph and ending in another);
//! - a fenced block whose info string is `internal` (```` ```internal ````).
//!
//! Markers are found with pulldown-cmark's offset iterator, as the renderer reads the text, so
//! a marker written inside a code span or a code block is text, not a marker. What the public
//! sees is the Markdown with the internal *source ranges* taken out ([`public`]), rendered like
//! any other Markdown: nothing is filtered out of rendered HTML, so nothing internal can be
//! left behind in it.
//!
//! Every way this can go wrong fails closed. A start marker never closed makes the rest of the
//! field internal (the author's page warns about it). Every other HTML comment is left out of
//! the public text too: a comment is invisible on the internal page, and its author may well
//! think of it as a note to colleagues. A comment left open in an HTML block hides the rest of
//! the field on the internal page (the browser reads it to the end), so it does on the public
//! one as well.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// What [`scan`] found in a Markdown field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The source ranges of internal text, markers and fences included: in order, apart.
    pub internal: Vec<Range<usize>>,
    /// The source ranges of the other HTML comments, outside internal text: never public.
    pub comments: Vec<Range<usize>>,
    /// A start marker has no end: the rest of the field is internal.
    pub unclosed_marker: bool,
    /// An HTML comment in an HTML block has no end: the rest of the field is hidden.
    pub unclosed_comment: bool,
}

impl Scan {
    /// Whether the field holds nothing to leave out of its public text.
    pub fn is_empty(&self) -> bool {
        self.internal.is_empty() && self.comments.is_empty()
    }

    /// What the author is warned about, in words, if anything.
    pub fn warning(&self) -> Option<&'static str> {
        if self.unclosed_marker {
            Some(
                "An <!-- internal --> marker has no <!-- /internal --> after it: everything after it is kept \
                 internal.",
            )
        } else if self.unclosed_comment {
            Some("An HTML comment (<!--) is never closed (-->): everything after it is hidden, on both pages.")
        } else {
            None
        }
    }
}

/// What a comment or fence is, as [`scan`] reads them in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    Comment,
    /// A comment with no end, in an HTML block: it runs to the end of the field.
    Unclosed,
    Fenced,
}

/// Whether `markdown` may hold a marker or a comment at all: most fields hold neither, and
/// this spares them a second parse.
fn might_hold_any(markdown: &str) -> bool {
    markdown.contains("<!--")
        || ((markdown.contains("```") || markdown.contains("~~~"))
            && markdown.as_bytes().windows(8).any(|word| word.eq_ignore_ascii_case(b"internal")))
}

/// Finds the internal text and the comments of one Markdown field.
pub fn scan(markdown: &str) -> Scan {
    let mut found = Scan::default();
    if !might_hold_any(markdown) {
        return found;
    }
    let mut tokens: Vec<(Kind, Range<usize>)> = Vec::new();
    let parser = Parser::new_ext(markdown, super::render::options());
    // A link reference definition is no event, and is shown nowhere but in the Markdown: a
    // marker in it counts as one around the whole definition.
    for (_, definition) in parser.reference_definitions().iter() {
        markers_within(&markdown[definition.span.clone()], definition.span.clone(), &mut tokens);
    }
    // The links open now: each one's range and where its text ends so far.
    let mut links: Vec<(Range<usize>, usize)> = Vec::new();
    for (event, range) in parser.into_offset_iter() {
        if let Some((_, text_end)) = links.last_mut()
            && !matches!(event, Event::End(TagEnd::Link | TagEnd::Image))
        {
            *text_end = (*text_end).max(range.end);
        }
        match event {
            // The lines of an HTML block are raw HTML, comments wherever they are: read the
            // block's source (its `Html` events, inside it, are then skipped).
            Event::Start(Tag::HtmlBlock) => comments_in_block(markdown, range, &mut tokens),
            // Inline, the parser gives a whole comment (an open one is text, not HTML).
            Event::InlineHtml(html) if html.starts_with("<!--") => tokens.push((comment_kind(&html), range)),
            // A marker inside a tag (in an attribute's value) or in a link's address is not one
            // to a browser, but its author meant it: the whole tag or link counts as the marker.
            Event::InlineHtml(html) => markers_within(&html, range, &mut tokens),
            // The address and title as written (`<…>` around an address is not in the event),
            // after the text, whose markers are events of their own.
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => links.push((range.clone(), range.start + 1)),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some((link, text_end)) = links.pop() {
                    markers_within(&markdown[text_end.min(link.end)..link.end], link, &mut tokens);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_internal_fence(&info) => {
                tokens.push((Kind::Fenced, range));
            }
            _ => {}
        }
    }
    // In the order a reader meets them: an end marker in a link's address ends the region
    // after the link's text.
    tokens.sort_by_key(|(kind, range)| if *kind == Kind::End { range.end } else { range.start });
    let mut depth = 0usize;
    let mut opened_at = 0;
    for (kind, range) in tokens {
        match kind {
            Kind::Start => {
                if depth == 0 {
                    opened_at = range.start;
                }
                depth += 1;
            }
            Kind::End if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    found.internal.push(opened_at..range.end);
                }
            }
            // An end with no start is a comment like any other.
            Kind::End | Kind::Comment if depth == 0 => found.comments.push(range),
            Kind::Fenced if depth == 0 => found.internal.push(range),
            Kind::Unclosed => {
                // The browser reads the comment to the end of the field, end markers included.
                if depth > 0 {
                    found.unclosed_marker = true;
                    depth = 0;
                    found.internal.push(opened_at..markdown.len());
                } else {
                    found.unclosed_comment = true;
                    found.comments.push(range.start..markdown.len());
                }
                break;
            }
            // Inside internal text already.
            Kind::End | Kind::Comment | Kind::Fenced => {}
        }
    }
    if depth > 0 {
        found.unclosed_marker = true;
        found.internal.push(opened_at..markdown.len());
    }
    found.internal = merged(std::mem::take(&mut found.internal));
    found
}

/// `ranges` in order, those that overlap or touch made one.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|range| range.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// The markers written inside `text` (a tag, a link's address or title), as tokens at `range`.
fn markers_within(text: &str, range: Range<usize>, tokens: &mut Vec<(Kind, Range<usize>)>) {
    if !text.contains("<!--") {
        return;
    }
    let mut inside = Vec::new();
    comments_in_block(text, 0..text.len(), &mut inside);
    let markers = inside.into_iter().filter(|(kind, _)| matches!(kind, Kind::Start | Kind::End));
    tokens.extend(markers.map(|(kind, _)| (kind, range.clone())));
}

/// The comments in the HTML block at `block` of `markdown`, as tokens.
fn comments_in_block(markdown: &str, block: Range<usize>, tokens: &mut Vec<(Kind, Range<usize>)>) {
    let source = &markdown[block.clone()];
    let mut from = 0;
    while let Some(found) = source[from..].find("<!--") {
        let start = from + found;
        let body = start + "<!--".len();
        // `<!-->` and `<!--->` are whole (empty) comments to a browser.
        let end = if source[body..].starts_with('>') {
            Some(body + 1)
        } else if source[body..].starts_with("->") {
            Some(body + 2)
        } else {
            source[body..].find("-->").map(|close| body + close + "-->".len())
        };
        let Some(end) = end else {
            tokens.push((Kind::Unclosed, block.start + start..markdown.len()));
            return;
        };
        tokens.push((comment_kind(&source[start..end]), block.start + start..block.start + end));
        from = end;
    }
}

/// Whether a whole comment (`<!-- … -->`) is a start marker, an end marker or neither. Spacing,
/// case and extra dashes do not matter, nor a blockquote's `>` where the comment breaks across
/// lines. A marker after an earlier `<!--` that is still open (`<!-- draft <!-- internal -->`)
/// is read as a marker: a browser ends that comment where the marker ends.
fn comment_kind(comment: &str) -> Kind {
    let inner = comment.strip_prefix("<!--").unwrap_or(comment);
    let inner = inner.strip_suffix("-->").unwrap_or(inner);
    let inner = inner.rsplit("<!--").next().unwrap_or(inner);
    let mut words = String::with_capacity(inner.len());
    for word in inner.split_whitespace().filter(|word| !word.chars().all(|c| c == '>')) {
        words.push_str(word);
    }
    let words = words.trim_matches('-');
    if words.eq_ignore_ascii_case("internal") {
        Kind::Start
    } else if words.eq_ignore_ascii_case("/internal") {
        Kind::End
    } else {
        Kind::Comment
    }
}

/// Whether a fenced block's info string makes it internal: its first word is `internal`.
pub(super) fn is_internal_fence(info: &str) -> bool {
    info.split_whitespace().next().is_some_and(|word| word.eq_ignore_ascii_case("internal"))
}

/// Most passes [`public`] makes: taking text out can join what is left into a new comment
/// (`<!<!-- x -->-- y -->`), which the next pass takes out in turn.
const MAX_PASSES: usize = 4;

/// The public text of one Markdown field: the field without its internal text and comments,
/// blank lines at either end trimmed. Empty when all of it is internal.
pub fn public(markdown: &str) -> String {
    let mut text = markdown.to_owned();
    for _ in 0..MAX_PASSES {
        let found = scan(&text);
        if found.is_empty() {
            break;
        }
        text = without(&text, &found);
    }
    trim_blank_lines(&text).to_owned()
}

/// Whether all of a field is internal (or comments): its public text is blank.
pub fn wholly_internal(markdown: &str) -> bool {
    !markdown.trim().is_empty() && public(markdown).trim().is_empty()
}

/// `text` without the ranges `found` holds, tidied where they were: where a span after a space
/// or at a line's start goes, a space after it goes too, so `a <!-- internal -->b<!--
/// /internal --> c` reads `a c`; where one at a line's end goes, the spaces before it go, and
/// the blank lines around it are not doubled.
fn without(text: &str, found: &Scan) -> String {
    let mut ranges: Vec<&Range<usize>> = found.internal.iter().chain(&found.comments).collect();
    ranges.sort_by_key(|range| range.start);
    let mut out = String::with_capacity(text.len());
    let mut kept_from = 0;
    for range in ranges {
        if range.end <= kept_from {
            continue;
        }
        out.push_str(&text[kept_from..range.start.max(kept_from)]);
        kept_from = range.end;
        let rest = &text[kept_from..];
        if rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n") {
            // No spaces left at a line's end; and of the line breaks on either side, as many
            // as the more of the two had (a list stays tight, paragraphs stay apart).
            out.truncate(out.trim_end_matches([' ', '\t']).len());
            let before = out.len() - out.trim_end_matches('\n').len();
            let after = rest.len() - rest.trim_start_matches('\n').len();
            kept_from += before.min(after);
        } else if (out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) && rest.starts_with(' ') {
            kept_from += 1;
        }
    }
    out.push_str(&text[kept_from..]);
    out
}

/// `text` without blank lines at its start and whitespace at its end (a first line's own
/// indentation stays: it may make an indented code block).
fn trim_blank_lines(text: &str) -> &str {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() {
            break;
        }
        start += line.len();
    }
    text[start..].trim_end()
}

#[cfg(test)]
#[path = "internal_tests.rs"]
mod tests;
