//! Internal text as the internal pages show it: labelled and tinted, so an author sees what the
//! public version leaves out. Works on the renderer's events, before the sanitizer, so the
//! marks are well placed (a `<div>` only where a block may stand, a `<span>` inside one block of
//! text, closed before any element it was opened in ends) and the HTML stays well formed.
//!
//! - A run of blocks wholly internal, where a `<div>` may stand (the document, a quote, a list
//!   item, a footnote), is one labelled block.
//! - Internal text within a block is a span, labelled where its internal text begins.
//! - A fenced `internal` block shows its text rendered as Markdown in such a block.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

/// The HTML that marks internal text (made by the renderer, which alone knows how the
/// sanitizer lets its classes through).
#[derive(Debug)]
pub struct Wrappers {
    pub block_open: String,
    pub block_close: String,
    pub span_open: String,
    /// The label at the start of a span's internal text.
    pub span_label: String,
    pub span_close: String,
}

/// Where a block stands: whether a `<div>` may stand among its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Flow,
    Other,
}

fn container(tag: &Tag<'_>) -> Container {
    match tag {
        Tag::BlockQuote(_) | Tag::Item | Tag::FootnoteDefinition(_) | Tag::DefinitionListDefinition => Container::Flow,
        _ => Container::Other,
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::MetadataBlock(_)
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::MetadataBlock(_)
    )
}

/// Whether a fenced code block is internal text to show as Markdown.
fn is_internal_fence(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::CodeBlock(CodeBlockKind::Fenced(info)) if super::internal::is_internal_fence(info))
}

/// The internal regions, and which one a source range lies wholly in.
struct Regions<'r>(&'r [Range<usize>]);

impl Regions<'_> {
    fn containing(&self, range: &Range<usize>) -> Option<usize> {
        let after = self.0.partition_point(|region| region.start <= range.start);
        let index = after.checked_sub(1)?;
        (range.end <= self.0[index].end).then_some(index)
    }

    fn inside(&self, range: &Range<usize>) -> bool {
        self.containing(range).is_some()
    }
}

struct Marker<'a, 'w> {
    out: Vec<Event<'a>>,
    wrappers: &'w Wrappers,
    /// The blocks open now, as containers.
    stack: Vec<Container>,
    /// The depth of `stack` at which the open labelled block was opened.
    block_at: Option<usize>,
    /// The inline depth at which the open span was opened.
    span_at: Option<usize>,
    inline_depth: usize,
    /// The region whose label was shown last, so each is labelled once per block of text.
    labelled: Option<usize>,
}

impl<'a> Marker<'a, '_> {
    fn close_span(&mut self) {
        if self.span_at.take().is_some() {
            self.out.push(Event::InlineHtml(CowStr::from(self.wrappers.span_close.clone())));
        }
    }

    fn open_block(&mut self) {
        self.out.push(Event::Html(CowStr::from(self.wrappers.block_open.clone())));
        self.block_at = Some(self.stack.len());
    }

    /// After a block ends: the labelled block it was in ends too, unless the next block is
    /// internal as well.
    fn after_block(&mut self, next: Option<&(Event<'a>, Range<usize>)>, regions: &Regions<'_>) {
        if self.block_at != Some(self.stack.len()) {
            return;
        }
        let continues = match next {
            Some((Event::Start(tag), range)) => is_block(tag) && regions.inside(range),
            Some((Event::Rule, range)) => regions.inside(range),
            _ => false,
        };
        if !continues {
            self.out.push(Event::Html(CowStr::from(self.wrappers.block_close.clone())));
            self.block_at = None;
        }
    }

    /// Before a block starts: a labelled block opens if it is wholly internal and may be in one.
    fn before_block(&mut self, range: &Range<usize>, regions: &Regions<'_>) {
        self.close_span();
        self.labelled = None;
        let in_flow = self.stack.last().is_none_or(|parent| *parent == Container::Flow);
        if self.block_at.is_none() && in_flow && regions.inside(range) {
            self.open_block();
        }
    }

    /// Text (or another inline event) at `range`: in a span if internal, outside one if not.
    fn inline(&mut self, range: &Range<usize>, regions: &Regions<'_>) {
        match regions.containing(range) {
            Some(region) if self.span_at.is_none() => {
                self.out.push(Event::InlineHtml(CowStr::from(self.wrappers.span_open.clone())));
                if self.labelled != Some(region) {
                    self.out.push(Event::InlineHtml(CowStr::from(self.wrappers.span_label.clone())));
                    self.labelled = Some(region);
                }
                self.span_at = Some(self.inline_depth);
            }
            None if self.span_at == Some(self.inline_depth) => self.close_span(),
            _ => {}
        }
    }
}

/// `events` (each with its source range) with the `regions` of internal text marked. A fenced
/// internal block's text is shown as `nested` renders it.
pub fn mark<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    regions: &[Range<usize>],
    wrappers: &Wrappers,
    nested: impl Fn(&str) -> Vec<Event<'static>>,
    source: &str,
) -> Vec<Event<'a>> {
    // A block ends with its line's break, after the end marker that ends a region: the region
    // takes in the rest of its line, so the block is wholly inside it.
    let regions: Vec<Range<usize>> = regions
        .iter()
        .map(|region| {
            let rest = &source[region.end..];
            let blank = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let line_end =
                if rest[blank..].starts_with("\r\n") { 2 } else { usize::from(rest[blank..].starts_with('\n')) };
            region.start..region.end + blank + line_end
        })
        .collect();
    let regions = Regions(&regions);
    let mut marker = Marker {
        out: Vec::with_capacity(events.len() + 8),
        wrappers,
        stack: Vec::new(),
        block_at: None,
        span_at: None,
        inline_depth: 0,
        labelled: None,
    };
    let mut events = events.into_iter().peekable();
    // Inside a code block or an image, whose text must stay as it is.
    let mut code = false;
    let mut image_depth = 0usize;
    while let Some((event, range)) = events.next() {
        if image_depth > 0 {
            match &event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) => image_depth -= 1,
                _ => {}
            }
            marker.out.push(event);
            continue;
        }
        match event {
            Event::Start(tag) if is_internal_fence(&tag) => {
                marker.before_block(&range, &regions);
                let mut text = String::new();
                for (inner, _) in events.by_ref() {
                    match inner {
                        Event::Text(part) => text.push_str(&part),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                // Always in a labelled block (the scan made the fence internal text).
                if marker.block_at.is_none() {
                    marker.open_block();
                }
                marker.out.extend(nested(&text));
                marker.after_block(events.peek(), &regions);
            }
            Event::Start(tag) if is_block(&tag) => {
                marker.before_block(&range, &regions);
                code = matches!(tag, Tag::CodeBlock(_));
                marker.stack.push(container(&tag));
                marker.out.push(Event::Start(tag));
            }
            Event::End(tag) if is_block_end(&tag) => {
                marker.close_span();
                code = false;
                marker.stack.pop();
                marker.out.push(Event::End(tag));
                marker.after_block(events.peek(), &regions);
            }
            Event::Rule => {
                marker.before_block(&range, &regions);
                marker.out.push(Event::Rule);
                marker.after_block(events.peek(), &regions);
            }
            event if marker.block_at.is_some() || code => marker.out.push(event),
            Event::End(tag) => {
                if marker.span_at == Some(marker.inline_depth) {
                    marker.close_span();
                }
                marker.inline_depth = marker.inline_depth.saturating_sub(1);
                marker.out.push(Event::End(tag));
            }
            Event::Start(tag) => {
                marker.inline(&range, &regions);
                if matches!(tag, Tag::Image { .. }) {
                    image_depth = 1;
                } else {
                    marker.inline_depth += 1;
                }
                marker.out.push(Event::Start(tag));
            }
            Event::Html(html) => html_line(&mut marker, html, range, &regions),
            other => {
                marker.inline(&range, &regions);
                marker.out.push(other);
            }
        }
    }
    marker.close_span();
    if marker.block_at.is_some() {
        marker.out.push(Event::Html(CowStr::from(wrappers.block_close.clone())));
    }
    marker.out
}

/// A line of an HTML block, cut where internal text begins or ends within it (the sanitizer
/// puts whatever raw HTML comes of it back in order).
fn html_line<'a>(marker: &mut Marker<'a, '_>, html: CowStr<'a>, range: Range<usize>, regions: &Regions<'_>) {
    // The line's text is its source unless the parser had to make it anew (inside a container
    // over several lines); then it is marked as a whole.
    if html.len() != range.len() {
        marker.inline(&range, regions);
        marker.out.push(Event::Html(html));
        return;
    }
    let mut cuts: Vec<usize> = regions
        .0
        .iter()
        .flat_map(|region| [region.start, region.end])
        .filter(|&at| at > range.start && at < range.end)
        .collect();
    cuts.push(range.end);
    let mut from = range.start;
    for to in cuts {
        let piece = &html[from - range.start..to - range.start];
        marker.inline(&(from..to), regions);
        marker.out.push(Event::Html(CowStr::from(piece.to_owned())));
        from = to;
    }
}
