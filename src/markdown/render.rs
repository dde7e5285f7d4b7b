//! User Markdown to sanitized HTML: the only way user-written text reaches a page unescaped.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use ammonia::{Builder, Url, UrlRelative};
use linkify::{LinkFinder, LinkKind};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeWithOffset};

use super::{internal, internal_marks};
use crate::domain::StoredHtml;

/// Put before every user `id` and `#fragment`, so user ids can never collide with the
/// app's own ids or clobber DOM globals such as `document.forms`.
const ID_PREFIX: &str = "user-content-";

/// html5ever's tree builder is quadratic in element nesting depth (each block start scans
/// the open-element stack), so nesting is bounded: Markdown containers deeper than this are
/// flattened, and once a document has used up the raw-HTML tag budget, further raw HTML is
/// shown escaped. Counting open tags (never decrementing) cannot be fooled by stray end tags.
const MAX_CONTAINER_DEPTH: usize = 32;
const MAX_RAW_OPEN_TAGS: usize = 1_000;

/// HTML produced from user Markdown and sanitized; the only type a template may emit unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SafeHtml(String);

impl SafeHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The HTML, to store beside its Markdown.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Whether a reader would see nothing: no text, no image, rule or tick box, only empty
    /// elements (Markdown that was all script or other markup the sanitizer removes). A page
    /// then says so, rather than showing a blank or claiming that nothing was written.
    pub fn shows_nothing(&self) -> bool {
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('<') {
            if !rest[..open].trim().is_empty() {
                return false;
            }
            let tag = &rest[open + 1..];
            let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect::<String>();
            if ["img", "hr", "input"].contains(&name.to_ascii_lowercase().as_str()) {
                return false;
            }
            let Some(close) = tag.find('>') else { return false };
            rest = &tag[close + 1..];
        }
        rest.trim().is_empty()
    }
}

impl fmt::Display for SafeHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for SafeHtml {}

/// The version of what [`render`] makes. HTML is stored with the version that made it, and HTML
/// made by another version is made again (on read, and by `hindsight migrate`). Raise it with
/// any change to the output: the options, the sanitizer's rules, the heading shift, or an
/// upgrade of pulldown-cmark or ammonia (the fingerprint test below fails until it is raised).
pub const RENDERER_VERSION: i32 = 2;

/// What a page shows for a Markdown field: the HTML stored with it when the current renderer
/// made it, else the field rendered now. The flag says the stored HTML was stale and should be
/// stored again.
pub fn shown(markdown: &str, stored: &StoredHtml) -> (SafeHtml, bool) {
    if stored.rendered_with == RENDERER_VERSION {
        (SafeHtml(stored.html.clone()), false)
    } else {
        (render(markdown), true)
    }
}

/// The HTML stored with a Markdown field, when the current renderer made it.
pub fn stored(stored: &StoredHtml) -> Option<SafeHtml> {
    (stored.rendered_with == RENDERER_VERSION).then(|| SafeHtml(stored.html.clone()))
}

/// Renders `pieces` in order for as long as `deadline` allows: a piece not started by then is
/// `None` (the caller shows [`not_rendered`] instead). A started piece is finished: each is
/// bounded by the size limits (`domain::limits`, and the import's own).
pub fn render_until(pieces: &[String], deadline: std::time::Instant) -> Vec<Option<SafeHtml>> {
    pieces.iter().map(|piece| (std::time::Instant::now() < deadline).then(|| render(piece))).collect()
}

/// What a page shows in place of Markdown there was no time to render.
pub fn not_rendered() -> SafeHtml {
    SafeHtml(
        "<p class=\"placeholder not-rendered\">This section is too large to preview. It is kept as written; \
         its text is in the Markdown.</p>"
            .to_owned(),
    )
}

/// Renders user Markdown (GFM tables, task lists, strikethrough, footnotes, autolinks,
/// raw HTML) to HTML and sanitizes it.
pub fn render(markdown: &str) -> SafeHtml {
    let started = std::time::Instant::now();
    let html = render_untimed(markdown);
    crate::metrics::global().rendered(started.elapsed());
    html
}

fn render_untimed(markdown: &str) -> SafeHtml {
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events(markdown, true).into_iter());
    let clean = SANITIZER.clean(&html).to_string();
    // html5ever serializes U+00A0 as `&nbsp;`; restore the character so text round-trips.
    // A typed `&nbsp;` that should stay literal is serialized as `&amp;nbsp;`, so this
    // replacement only ever undoes the serializer's own escape.
    if clean.contains("&nbsp;") { SafeHtml(clean.replace("&nbsp;", "\u{a0}")) } else { SafeHtml(clean) }
}

/// The Markdown the renderer reads: GFM tables, task lists, strikethrough and footnotes.
pub(super) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// The events to write as HTML, with internal text marked as such (`mark_internal`; not
/// inside a fenced internal block, which is all internal already).
fn events(markdown: &str, mark_internal: bool) -> Vec<Event<'_>> {
    let regions = if mark_internal { internal::scan(markdown).internal } else { Vec::new() };
    let mut out: Vec<(Event<'_>, Range<usize>)> = Vec::new();
    // Text inside a link, an image's alt text or a code block must not be auto-linked.
    let mut no_autolink_depth = 0usize;
    let mut container_depth = 0usize;
    let mut raw_open_tags = 0usize;
    // Merging adjacent Text events keeps URLs that the parser split (at `_`, `&`, ...) whole.
    let parser = TextMergeWithOffset::new(Parser::new_ext(markdown, options()).into_offset_iter());
    for (mut event, range) in parser {
        if let Event::Start(Tag::Heading { level, .. }) | Event::End(TagEnd::Heading(level)) = &mut event {
            *level = shift_heading(*level);
        }
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => {
                no_autolink_depth += 1;
                out.push((event, range));
            }
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                no_autolink_depth = no_autolink_depth.saturating_sub(1);
                out.push((event, range));
            }
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
                container_depth += 1;
                if container_depth <= MAX_CONTAINER_DEPTH {
                    out.push((event, range));
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
                if container_depth <= MAX_CONTAINER_DEPTH {
                    out.push((event, range));
                }
                container_depth = container_depth.saturating_sub(1);
            }
            Event::Html(ref raw) | Event::InlineHtml(ref raw) => {
                raw_open_tags += count_open_tags(raw);
                out.push((if raw_open_tags > MAX_RAW_OPEN_TAGS { Event::Text(raw.clone()) } else { event }, range));
            }
            Event::Text(text) if no_autolink_depth == 0 => push_autolinked(text, range, &mut out),
            other => out.push((other, range)),
        }
    }
    if regions.is_empty() {
        return out.into_iter().map(|(event, _)| event).collect();
    }
    let nested = |text: &str| events(text, false).into_iter().map(Event::into_static).collect();
    internal_marks::mark(out, &regions, &WRAPPERS, nested, markdown)
}

/// Lets the marks of internal text through the sanitizer, and nothing a user writes: a class
/// passes only if it starts with this process's random prefix, which no output ever holds (the
/// filter replaces it by the class's name).
static CLASS_PREFIX: LazyLock<String> = LazyLock::new(|| {
    let mut bytes = [0u8; 16];
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        // No random source: a hash keyed by the standard library's own random keys.
        Err(_) => {
            use std::hash::BuildHasher as _;
            let keys = std::collections::hash_map::RandomState::new();
            format!("{:016x}{:016x}", keys.hash_one(1u8), keys.hash_one(2u8))
        }
    };
    format!("hs{random}-")
});

/// The classes internal text is marked with (see `static/hindsight.css`).
const INTERNAL_CLASSES: [&str; 3] = ["internal", "internal-label", "visually-hidden"];

static WRAPPERS: LazyLock<internal_marks::Wrappers> = LazyLock::new(|| {
    let class = |name: &str| format!("class=\"{}{name}\"", *CLASS_PREFIX);
    internal_marks::Wrappers {
        block_open: format!("<div {}><span {}>Internal</span>\n", class("internal"), class("internal-label")),
        block_close: format!("<span {}>End of internal text.</span></div>\n", class("visually-hidden")),
        span_open: format!("<span {}>", class("internal")),
        span_label: format!("<span {}>Internal</span> ", class("internal-label")),
        span_close: "</span>".to_owned(),
    }
});

/// Each field is shown under the page's own `<h2>`, so `#` becomes `<h3>`.
fn shift_heading(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Tags that can add to the parser's open-element stack (void elements cannot).
fn count_open_tags(raw: &str) -> usize {
    const VOID: [&str; 13] =
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];
    raw.split('<')
        .skip(1)
        .filter(|rest| {
            let name = rest.split(|c: char| !c.is_ascii_alphanumeric()).next();
            name.is_some_and(|name| {
                name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && !VOID.iter().any(|void| void.eq_ignore_ascii_case(name))
            })
        })
        .count()
}

static LINK_FINDER: LazyLock<LinkFinder> = LazyLock::new(|| {
    let mut finder = LinkFinder::new();
    // Scheme-less matches are needed for `www.` links; the rest are dropped in `autolink_href`.
    finder.kinds(&[LinkKind::Url]).url_must_have_scheme(false);
    finder
});

/// Pushes `text` with its bare URLs made links; every event made of it has its source range.
fn push_autolinked<'a>(text: CowStr<'a>, range: Range<usize>, out: &mut Vec<(Event<'a>, Range<usize>)>) {
    let mut done = 0;
    for link in LINK_FINDER.links(&text) {
        let Some(href) = autolink_href(link.as_str()) else {
            continue;
        };
        if link.start() > done {
            out.push((Event::Text(text[done..link.start()].to_owned().into()), range.clone()));
        }
        let start = Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: href.into(),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        });
        out.push((start, range.clone()));
        out.push((Event::Text(link.as_str().to_owned().into()), range.clone()));
        out.push((Event::End(TagEnd::Link), range.clone()));
        done = link.end();
    }
    if done == 0 {
        out.push((Event::Text(text), range));
    } else if done < text.len() {
        out.push((Event::Text(text[done..].to_owned().into()), range));
    }
}

/// GFM extended autolinks: only `http://`, `https://` and `www.` (which gets `https://`).
fn autolink_href(found: &str) -> Option<String> {
    let has_prefix = |prefix: &str| found.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    if has_prefix("http://") || has_prefix("https://") {
        Some(found.to_owned())
    } else if has_prefix("www.") {
        Some(format!("https://{found}"))
    } else {
        None
    }
}

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        // Task-list checkboxes; every surviving input is forced to a disabled checkbox,
        // because an attribute filter can drop attributes but not whole elements.
        .add_tags(&["input"])
        .add_tag_attributes("input", &["checked"])
        .add_tag_attribute_values("input", "type", &["checkbox"])
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        // Footnote definitions are `<div id=...>`; ids are prefixed below. Classes mark
        // internal text, and pass only as `filter_attribute` says.
        .add_tag_attributes("div", &["id", "class"])
        .add_tag_attributes("span", &["class"])
        // The page owns h1/h2; Markdown headings are shifted, raw ones are unwrapped.
        .rm_tags(&["h1", "h2"])
        // Drop these with their content: it is never prose and may be namespace-confused.
        .add_clean_content_tags(&["svg", "math", "iframe", "object", "template", "noscript", "textarea", "select"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Custom(Box::new(keep_prefixed_fragment)))
        .id_prefix(Some(ID_PREFIX))
        .attribute_filter(filter_attribute);
    builder
});

/// Runs before the relative-URL policy, so it also sees (and decides) every relative URL.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        (_, "class") => value
            .strip_prefix(CLASS_PREFIX.as_str())
            .and_then(|name| INTERNAL_CLASSES.iter().find(|class| **class == name))
            .map(|class| Cow::Borrowed(*class)),
        ("input", "type") => value.eq_ignore_ascii_case("checkbox").then_some(Cow::Borrowed("checkbox")),
        (_, "src") => absolute_url(value, &["http", "https"]),
        // ammonia checks the scheme of href/src only; `cite` is a URL too.
        (_, "href" | "cite") => match value.strip_prefix('#') {
            Some(fragment) if fragment.starts_with(ID_PREFIX) => Some(Cow::Borrowed(value)),
            Some(fragment) => Some(Cow::Owned(format!("#{ID_PREFIX}{fragment}"))),
            None => absolute_url(value, &["http", "https", "mailto"]),
        },
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Relative URLs (`/x`, `../x`, `//host`) fail to parse without a base and are dropped.
/// Emitting the canonical form matters: a browser resolves `https:incidents/1` against an
/// https page as a relative path, whereas its canonical form `https://incidents/1` is not.
fn absolute_url<'u>(value: &str, schemes: &[&str]) -> Option<Cow<'u, str>> {
    let url = Url::parse(value).ok()?;
    schemes.contains(&url.scheme()).then(|| Cow::Owned(url.into()))
}

/// After `filter_attribute`, the only relative URLs left are prefixed fragments.
fn keep_prefixed_fragment(url: &str) -> Option<Cow<'_, str>> {
    url.strip_prefix('#').is_some_and(|fragment| fragment.starts_with(ID_PREFIX)).then_some(Cow::Borrowed(url))
}

/// A search snippet or title as HTML: the text escaped, and only the matches, which the search
/// delimits with `start` and `end` (characters no stored text carries), made `<mark>`. An
/// unpaired delimiter is dropped, so the marks always close.
pub fn marked(text: &str, start: char, end: char) -> SafeHtml {
    let mut html = String::with_capacity(text.len() + 32);
    let mut open = false;
    for c in text.chars() {
        match c {
            c if c == start && !open => {
                html.push_str("<mark>");
                open = true;
            }
            c if c == end && open => {
                html.push_str("</mark>");
                open = false;
            }
            c if c == start || c == end => {}
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    SafeHtml(html)
}

#[cfg(test)]
mod tests {
    /// What [`render`] makes of a sample of every feature, as a SHA-256: it changes exactly
    /// when the output does.
    fn output_fingerprint() -> String {
        use sha2::{Digest as _, Sha256};
        const SAMPLES: &[&str] = &[
            "# Heading\n\nPara with **bold**, _em_, `code`, ~~gone~~ and a [link](https://example.com \"t\").",
            "| a | b |\n|---|:-:|\n| 1 | 2 |",
            "- [x] done\n- [ ] open\n\n1. one\n2. two",
            "Footnote.[^1]\n\n[^1]: The note.",
            "Bare https://example.com/x_y?q=1&r=2 and www.example.org, not mail@example.com.",
            "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:x\">j</a><b id=\"x\">ok</b>",
            "```rust\nfn main() {}\n```\n\n> quote\n>> nested\n\n---\n\n![alt](https://example.com/i.png)",
            "Non\u{a0}breaking &nbsp; &amp; <details><summary>s</summary>d</details> [x](#frag)",
            "Public <!-- internal -->not<!-- /internal --> text.\n\n```internal\n*Internal* block.\n```",
        ];
        let mut hasher = Sha256::new();
        for sample in SAMPLES {
            hasher.update(render(sample).as_str().as_bytes());
            hasher.update([0]);
        }
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rendering_stops_at_its_deadline() {
        let pieces = vec!["*a*".to_owned(), "b".to_owned()];
        let later = std::time::Instant::now() + std::time::Duration::from_secs(60);
        assert_eq!(render_until(&pieces, later), vec![Some(render("*a*")), Some(render("b"))]);
        assert_eq!(render_until(&pieces, std::time::Instant::now()), vec![None, None], "past the deadline");
        assert!(not_rendered().as_str().contains("too large to preview"));
    }

    #[test]
    fn markdown_that_renders_to_nothing_visible_is_told_apart() {
        for invisible in ["<script>alert(1)</script>", "<p></p>", "<style>p{}</style>\n\n<div> </div>", ""] {
            assert!(render(invisible).shows_nothing(), "{invisible:?} renders to {:?}", render(invisible));
        }
        for visible in ["hi", "![chart](https://example.com/c.png)", "---", "- [ ] task", "&lt;", "<b>x</b>"] {
            assert!(!render(visible).shows_nothing(), "{visible:?} renders to {:?}", render(visible));
        }
    }

    #[test]
    fn the_renderer_version_changes_with_its_output() {
        // If this fails, what `render` makes has changed (an option, the sanitizer, an upgrade
        // of pulldown-cmark or ammonia): raise RENDERER_VERSION, so stored HTML is made again,
        // and record the new fingerprint against it.
        const FINGERPRINTS: &[(i32, &str)] = &[
            (1, "3185ec524b49d387d5f42d90d63e5da47c6d68251c2c227de3f54f7dfba78407"),
            // Internal text shown as such (and a sample of it).
            (2, "97100c344a86a2445ea0ea127bf70c4a6fea0950c4fbb7c27c7d9ccdc6cafdd0"),
        ];
        let fingerprint = output_fingerprint();
        let recorded = FINGERPRINTS.iter().find(|(version, _)| *version == RENDERER_VERSION).map(|(_, f)| *f);
        assert_eq!(recorded, Some(fingerprint.as_str()), "RENDERER_VERSION {RENDERER_VERSION} made other output");
    }

    use super::*;

    fn html(markdown: &str) -> String {
        render(markdown).to_string()
    }

    /// (input, substrings the output must contain)
    #[rustfmt::skip]
    const RENDERS: &[(&str, &[&str])] = &[
        ("| a | b |\n|---|:-:|\n| 1 | 2 |", &["<table>", "<th>a</th>", "<td>1</td>"]),
        ("~~x~~", &["<p><del>x</del></p>"]),
        ("Cause[^db].\n\n[^db]: Disk full.",
            &[r##"<a href="#user-content-db""##, r#"<div id="user-content-db">"#, "Disk full."]),
        ("[a](#x) [b](#user-content-y)",
            &[r##"href="#user-content-x""##, r##"href="#user-content-y""##]),
        ("See https://status.example.com/a?b=c. Or http://x.example/a_b_c&d.",
            &[r#"<a href="https://status.example.com/a?b=c" rel="noopener noreferrer">https://status.example.com/a?b=c</a>."#,
              r#"<a href="http://x.example/a_b_c&amp;d" rel="noopener noreferrer">http://x.example/a_b_c&amp;d</a>."#]),
        ("Visit www.example.com today",
            &[r#"<a href="https://www.example.com/" rel="noopener noreferrer">www.example.com</a> today"#]),
        ("<https://example.com/x>",
            &[r#"<a href="https://example.com/x" rel="noopener noreferrer">https://example.com/x</a>"#]),
        ("# a\n## b\n### c\n#### d\n##### e\n###### f",
            &["<h3>a</h3>", "<h4>b</h4>", "<h5>c</h5>", "<h6>d</h6>", "<h6>e</h6>", "<h6>f</h6>"]),
        ("```html\n<script>alert(1)</script>\n```\n\n`<b>x</b>`",
            &["&lt;script&gt;alert(1)&lt;/script&gt;", "<code>&lt;b&gt;x&lt;/b&gt;</code>"]),
        ("<kbd>Ctrl</kbd>+<kbd>C</kbd><br>\n\n<details><summary>Log</summary>\n\nok\n</details>",
            &["<kbd>Ctrl</kbd>+<kbd>C</kbd><br>", "<details><summary>Log</summary>"]),
        ("<h1>raw</h1>\n\n[m](mailto:ops@example.com)",
            &["raw", r#"href="mailto:ops@example.com""#]),
    ];

    #[test]
    fn renders_gfm_and_safe_html() {
        for (input, expected) in RENDERS {
            let out = html(input);
            for want in *expected {
                assert!(out.contains(want), "{want:?} not in {out:?}");
            }
            assert!(!out.contains("<h1") && !out.contains("<h2"), "{out}");
        }
    }

    #[test]
    fn no_autolinks_where_they_do_not_belong() {
        for input in [
            "`https://a.example`",
            "```\nhttps://a.example\n```",
            "![https://a.example](https://b.example/i.png)",
            "file.rs and example.org and javascript:alert(1)",
        ] {
            assert!(!html(input).contains("<a"), "{input}");
        }
        let out = html("[https://a.example](https://b.example)");
        assert_eq!(out.matches("<a ").count(), 1, "{out}");
    }

    /// Attributes of each `<input>`, sorted: ammonia's attribute order is not stable.
    fn inputs(out: &str) -> Vec<Vec<(String, String)>> {
        let sorted = |(_, mut attrs): (String, Vec<_>)| {
            attrs.sort();
            attrs
        };
        let tags = parse_tags(out).into_iter();
        tags.filter(|(tag, _)| tag == "input").map(sorted).collect()
    }

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn task_list_checkboxes_are_disabled() {
        let out = html("- [ ] todo\n- [x] done\n");
        let unchecked = attrs(&[("disabled", ""), ("type", "checkbox")]);
        let checked = attrs(&[("checked", ""), ("disabled", ""), ("type", "checkbox")]);
        assert_eq!(inputs(&out), [unchecked.clone(), checked], "{out}");
        assert!(out.contains("todo</li>") && out.contains("done</li>"), "{out}");
        let out = html("<input type=text name=q value=x> <input type=submit formaction=/x>");
        assert_eq!(inputs(&out), [unchecked.clone(), unchecked], "{out}");
    }

    #[test]
    fn unicode_and_nbsp_survive() {
        let text = "👩\u{200d}👩\u{200d}👧 10\u{a0}GB é";
        assert_eq!(html(text), format!("<p>{text}</p>\n"));
        assert_eq!(html("a&nbsp;b &amp;nbsp;"), "<p>a\u{a0}b &amp;nbsp;</p>\n");
    }

    #[test]
    fn empty_input_and_accessors() {
        assert!(render("").is_empty());
        assert!(render(" \n\n").is_empty());
        let out = render("*hi*");
        assert_eq!(out.as_str(), "<p><em>hi</em></p>\n");
        assert_eq!(out.to_string(), out.as_str());
        assert_eq!(SafeHtml::default().as_str(), "");
    }

    /// Tags and attributes of sanitized output. html5ever escapes `<`, `>` and `"` inside
    /// attribute values and text, so every `<` opens a real tag and every `"` delimits a value.
    fn parse_tags(out: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut tags = Vec::new();
        for chunk in out.split('<').skip(1) {
            let inner = chunk.split('>').next().unwrap_or_default();
            let inner = inner.trim_start_matches('/');
            let name_end = inner.find([' ', '/', '\n', '\t']).unwrap_or(inner.len());
            let mut rest = &inner[name_end..];
            let mut attrs = Vec::new();
            loop {
                rest = rest.trim_start_matches([' ', '/', '\n', '\t']);
                if rest.is_empty() {
                    break;
                }
                let end = rest.find(['=', ' ', '/', '\n', '\t']).unwrap_or(rest.len());
                let name = rest[..end].to_ascii_lowercase();
                rest = &rest[end..];
                let mut value = "";
                if let Some(after) = rest.strip_prefix('=') {
                    (value, rest) = match after.strip_prefix('"') {
                        Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
                        None => after.split_once(' ').unwrap_or((after, "")),
                    };
                }
                attrs.push((name, value.to_owned()));
            }
            tags.push((inner[..name_end].to_ascii_lowercase(), attrs));
        }
        tags
    }

    fn assert_safe(input: &str, out: &str) {
        let lower = out.to_ascii_lowercase();
        for tag in [
            "script", "style", "iframe", "svg", "math", "form", "object", "embed", "meta", "link", "base", "template",
            "button", "select", "textarea", "option", "noscript",
        ] {
            assert!(!lower.contains(&format!("<{tag}")), "<{tag} in {out:?} from {input:?}");
        }
        for (tag, attrs) in parse_tags(out) {
            let get = |n: &str| attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v.as_str());
            if tag == "input" {
                assert_eq!(get("type"), Some("checkbox"), "{out:?} from {input:?}");
                assert_eq!(get("disabled"), Some(""), "{out:?} from {input:?}");
            }
            for (name, value) in &attrs {
                let banned = ["style", "class", "name", "srcdoc", "formaction", "xlink:href"];
                let bad_name = name.starts_with("on") || banned.contains(&name.as_str());
                assert!(!bad_name, "attribute {name} in {out:?} from {input:?}");
                let norm: String = value
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(!norm.contains(scheme), "{scheme} in {out:?} from {input:?}");
                }
                if name == "id" {
                    assert!(value.starts_with(ID_PREFIX), "{out:?} from {input:?}");
                }
                if ["href", "src", "cite"].contains(&name.as_str()) {
                    let ok = ["http://", "https://", "mailto:", "#user-content-"].iter().any(|p| value.starts_with(p));
                    assert!(ok, "url {value:?} in {out:?} from {input:?}");
                }
            }
        }
    }

    const HOSTILE: &[&str] = &[
        "<script>alert(1)</script>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<script\n>alert(1)</script\n>",
        "<div><script src=https://evil.example/x.js></script></div>",
        "[click](javascript:alert(1))",
        "[click][r]\n\n[r]: javascript:alert(document.cookie)",
        "<javascript:alert(1)>",
        "![pic](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "<a href=\"&#x6A;avascript&#x3A;alert(1)\">x</a>",
        "<a href=\"java&#9;script:alert(1)\">x</a>",
        "<a href=\"java\nscript:alert(1)\">x</a>",
        "<a href=\" &#14; javascript:alert(1)\">x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2Zy8+)",
        "<img src=\"data:text/html,<script>alert(1)</script>\">",
        "[x](vbscript:msgbox(1)) <a href=VBScript:msgbox(1)>y</a>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"https://ok.example/a.png\" onload=\"alert(1)\">",
        "<a href=https://ok.example onmouseover=alert(1)>hover</a>",
        "<div onclick=`alert(1)`>x</div>",
        "<details open ontoggle=alert(1)><summary>s</summary></details>",
        "<img src=x ONERROR = 'alert(1)'>",
        "<img/src/onerror=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<svg onload=alert(1)>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<iframe src=https://evil.example></iframe>",
        "<object data=\"javascript:alert(1)\"></object><embed src=https://evil.example/x>",
        "<form action=/incidents/1/delete><button formaction=javascript:alert(1)>go</button></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
        "<base href=\"https://evil.example/\"><link rel=import href=https://evil.example/x>",
        "<a href=\"/incidents/1/delete\">delete</a>",
        "[x](/relative) [y](../export.md) [z](//evil.example/) ![w](/i.png)",
        "<a href=\"https:incidents/1/delete\">x</a> <img src=\"//evil.example/p.png\">",
        "<a href=\"\\\\evil.example\\x\">x</a>",
        "<input type=text name=q value=x>",
        "<input type=checkbox onclick=alert(1)>",
        "<input type=image src=x formaction=javascript:alert(1)>",
        "<img name=forms src=https://ok.example/a.png> <a id=location>x</a>",
        "<form id=x><input name=y></form>",
        "<div class=\"btn\" id=\"forms\" name=\"forms\">x</div>",
        "<p style=\"width:expression(alert(1))\">x</p>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<template><img src=x onerror=alert(1)></template>",
        "<!-- <script>alert(1)</script> --><p>ok</p>",
        "<!--><img src=x onerror=alert(1)>-->",
        "<img src=x onerror=alert(1)//",
        "<a href=\"javascript:alert(1)",
        "a\0<script>alert(1)</script>\0",
        "<select><option>x</option></select><textarea><script>x</script></textarea>",
        "<xmp><img src=x onerror=alert(1)></xmp>",
        "[x](https://ok.example \"t\\\" onmouseover=\\\"alert(1)\")",
        "<blockquote cite=\"javascript:alert(1)\">q</blockquote>",
        "Note[^1]\n\n[^1]: <img src=x onerror=alert(1)> [a](javascript:x)",
        "| a |\n|---|\n| <script>alert(1)</script> <img src=x onerror=alert(1)> |",
        "- [ ] <input type=checkbox onchange=alert(1) checked>",
        "<a href=\"#x\" id=\"x\" onfocus=alert(1) autofocus>x</a>",
    ];

    #[test]
    fn hostile_inputs_are_neutralized() {
        assert!(HOSTILE.len() >= 40);
        for input in HOSTILE {
            assert_safe(input, &html(input));
        }
    }

    #[test]
    fn hostile_details() {
        assert!(html("[x](/relative)").contains(r#"<a rel="noopener noreferrer">x</a>"#));
        assert!(html("<div id=forms>x</div>").contains(r#"<div id="user-content-forms">"#));
        let out = html("<a href=\"https:incidents/1\">x</a> ![a](mailto:a@b.example)");
        assert!(out.contains(r#"href="https://incidents/1""#), "{out}");
        assert!(out.contains(r#"<img alt="a">"#), "{out}");
    }

    #[test]
    // Speed on these inputs is measured in the render benchmark, not timed here.
    fn pathological_nesting_renders_safely() {
        let inputs = [
            ">".repeat(10_000) + " deep",
            "- ".repeat(5_000) + "deep",
            "[".repeat(10_000) + "deep" + &"]".repeat(10_000),
            "[".repeat(10_000) + "(" + &"](deep)".repeat(1_000),
            "*a ".repeat(10_000) + "deep" + &"b*".repeat(10_000),
            "<div>".repeat(10_000) + "deep",
            "<div>\n".repeat(10_000) + "\ndeep",
            "<b title=x><p>".repeat(5_000) + "deep",
            "a".to_owned() + &"`".repeat(10_000) + "deep",
        ];
        for input in &inputs {
            let out = html(input);
            assert!(out.contains("deep"), "{}", &input[..20]);
            assert_safe(&input[..20], &out);
        }
    }

    #[test]
    fn nesting_limits_keep_content() {
        let out = html(&(">".repeat(100) + " quoted"));
        assert_eq!(out.matches("<blockquote>").count(), MAX_CONTAINER_DEPTH);
        assert!(out.contains("quoted"));
        let raw = "<div><span>x</span></div>\n".repeat(MAX_RAW_OPEN_TAGS / 2 + 1);
        let out = html(&raw);
        assert_eq!(out.matches("<div>").count(), MAX_RAW_OPEN_TAGS / 2, "{out}");
        assert!(out.contains("&lt;div&gt;&lt;span&gt;x"), "{out}");
        assert!(!html(&"a<br>b ".repeat(5_000)).contains("&lt;br"));
    }

    #[test]
    fn never_panics_on_random_metacharacters() {
        #[rustfmt::skip]
        const ALPHABET: &[&str] = &[
            "<", ">", "[", "]", "(", ")", "!", "*", "_", "`", "~", "#", "|", "-", "\n", " ",
            "\t", "&", ";", "\"", "'", "=", "/", ":", "\\", "^", "a", "x", "img", "script",
            "on", "href", "src", "<a ", "http://x", "www.", "&#", "\0", "\u{a0}", "é",
            "👩\u{200d}👧", "[^1]", "[^1]: ", "- [ ] ", "```", "> ", "1. ", "|---|", "<!--",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3_000 {
            let len = next() % 48;
            let input: String = (0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect();
            assert_safe(&input, &html(&input));
        }
    }
}
