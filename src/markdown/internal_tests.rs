//! Internal text: what the public text keeps and leaves out, what the internal page shows, and
//! a property: a word placed inside markers, in any Markdown around it, never reaches the
//! public text (unless written as code, where a marker is text).

use proptest::prelude::*;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::*;
use crate::markdown::render;

/// (Markdown, its public text)
#[rustfmt::skip]
const PUBLIC: &[(&str, &str)] = &[
    // Inline, block, fenced, nested.
    ("a <!-- internal -->secret<!-- /internal --> b", "a b"),
    ("Para.\n\n<!-- internal -->\nSecret para.\n<!-- /internal -->\n\nAfter.", "Para.\n\nAfter."),
    ("Before.\n\n```internal\nSecret.\n```\n\nAfter.", "Before.\n\nAfter."),
    ("- a\n<!-- internal -->\n- b\n<!-- /internal -->\n- c", "- a\n- c"),
    ("~~~ Internal note to self\nSecret.\n~~~", ""),
    ("<!-- internal -->a <!-- internal -->b<!-- /internal --> c<!-- /internal --> d", "d"),
    // From one paragraph into another.
    ("one <!-- internal -->two\n\nthree<!-- /internal --> four", "one four"),
    // Spacing and case.
    ("x <!--internal-->s<!--/internal--> y", "x y"),
    ("x <!--   INTERNAL   -->s<!-- / Internal --> y", "x y"),
    ("x <!--\ninternal\n-->s<!--\n/internal\n--> y", "x y"),
    // A quote's `>` where the marker breaks across lines.
    ("> a <!--\n> internal -->s<!-- /internal --> b", "> a b"),
    // Never closed: the rest of the field is internal.
    ("Public. <!-- internal --> secret\n\nmore secret", "Public."),
    // Markers written as code are text.
    ("`<!-- internal -->` stays", "`<!-- internal -->` stays"),
    ("```\n<!-- internal -->x<!-- /internal -->\n```", "```\n<!-- internal -->x<!-- /internal -->\n```"),
    ("    <!-- internal -->indented code", "    <!-- internal -->indented code"),
    // Other comments are notes, never public; an end with no start is one.
    ("a <!-- a note --> b <!-- /internal --> c", "a b c"),
    // In an HTML block, wherever the comment is.
    ("<div>\n<!-- internal -->secret<!-- /internal -->\n</div>", "<div>\n</div>"),
    ("<div>\n<!-- note\n\nafter", "<div>"),
    // In an HTML tag's attribute: fails closed.
    ("a <b title=\"<!-- internal -->\">secret</b><!-- /internal --> c", "a c"),
    // In a list item, a table cell, a link's text.
    ("- one\n- two <!-- internal -->secret<!-- /internal -->\n- three", "- one\n- two\n- three"),
    ("| a | b |\n|---|---|\n| x <!-- internal -->s<!-- /internal --> | y |", "| a | b |\n|---|---|\n| x | y |"),
    ("[see <!-- internal -->secret<!-- /internal -->](https://example.com)", "[see ](https://example.com)"),
    // Taking text out can make a new comment: it goes too.
    ("<!<!-- x -->-- y -->z", "z"),
    ("", ""),
    ("Nothing to leave out.", "Nothing to leave out."),
];

#[test]
fn the_public_text_leaves_out_internal_text_and_comments() {
    for (markdown, want) in PUBLIC {
        assert_eq!(public(markdown), *want, "{markdown:?}");
        assert_eq!(public(want), *want, "the public text of {markdown:?} is its own public text");
    }
}

#[test]
fn a_marker_never_closed_is_warned_about() {
    let found = scan("a <!-- internal --> b");
    assert!(found.unclosed_marker);
    assert!(found.warning().is_some_and(|warning| warning.contains("kept internal")));
    let found = scan("<div>\n<!-- a note that never ends\n\nmore");
    assert!(found.unclosed_comment && !found.unclosed_marker);
    assert!(found.warning().is_some_and(|warning| warning.contains("never closed")));
    for fine in ["a <!-- internal -->b<!-- /internal -->", "a <!-- /internal --> b", "```internal\nx\n```", "`<!--`"] {
        assert_eq!(scan(fine).warning(), None, "{fine:?}");
    }
}

#[test]
fn a_field_is_wholly_internal_when_nothing_public_is_left() {
    assert!(wholly_internal("<!-- internal -->All of it.<!-- /internal -->"));
    assert!(wholly_internal("```internal\nAll of it.\n```"));
    assert!(wholly_internal("<!-- just a note -->"));
    assert!(!wholly_internal("Some <!-- internal -->of<!-- /internal --> it."));
    assert!(!wholly_internal(""), "an empty field is empty, not internal");
}

#[test]
fn internal_text_is_labelled_on_the_internal_page() {
    let html = render("a <!-- internal -->secret<!-- /internal --> b").to_string();
    assert_eq!(
        html,
        "<p>a <span class=\"internal\"><span class=\"internal-label\">Internal</span> secret</span> b</p>\n"
    );
    let html = render("Para.\n\n<!-- internal -->\nSecret *para*.\n\n- item\n<!-- /internal -->\n\nAfter.").to_string();
    assert!(
        html.starts_with("<p>Para.</p>\n<div class=\"internal\"><span class=\"internal-label\">Internal</span>\n"),
        "{html}"
    );
    assert!(html.contains("<p>Secret <em>para</em>.</p>\n<ul>\n<li>item</li>\n</ul>"), "one labelled block: {html}");
    assert!(
        html.ends_with("<span class=\"visually-hidden\">End of internal text.</span></div>\n<p>After.</p>\n"),
        "{html}"
    );
}

#[test]
fn a_fenced_internal_block_shows_its_text_as_markdown() {
    let html = render("```internal\nSecret **bold**.\n\n- a list\n```").to_string();
    assert!(html.starts_with("<div class=\"internal\">"), "{html}");
    assert!(html.contains("<p>Secret <strong>bold</strong>.</p>") && html.contains("<li>a list</li>"), "{html}");
    assert!(!html.contains("<pre>"), "{html}");
}

#[test]
fn marks_close_inside_the_element_they_opened_in() {
    // Across paragraphs: each paragraph has its own span.
    let html = render("one <!-- internal -->two\n\nthree<!-- /internal --> four").to_string();
    assert!(
        html.contains("<p>one <span class=\"internal\"><span class=\"internal-label\">Internal</span> two</span></p>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<p><span class=\"internal\"><span class=\"internal-label\">Internal</span> three</span> four</p>"
        ),
        "{html}"
    );
    // Out of emphasis: the span ends with it, and starts again after it.
    let html = render("*a <!-- internal -->b* c<!-- /internal --> d").to_string();
    assert!(html.contains("<em>a <span class=\"internal\"><span class=\"internal-label\">Internal</span> b</span></em><span class=\"internal\"> c</span> d"), "{html}");
    // An image's alt text is left alone.
    let html = render("![a <!-- internal -->b<!-- /internal -->](https://example.com/i.png)").to_string();
    assert!(html.starts_with("<p><span class=\"internal\">") || !html.contains("span"), "{html}");
    assert!(html.contains("<img src=\"https://example.com/i.png\" alt=\"a "), "{html}");
}

#[test]
fn users_cannot_mark_text_internal_with_a_class_of_their_own() {
    for written in [
        "<span class=\"internal\">x</span>",
        "<div class=\"internal-label\">x</div>",
        "<span class=\"hs-internal\">x</span>",
        "<span class=\"visually-hidden\">x</span>",
    ] {
        assert!(!render(written).as_str().contains("class"), "{written:?} → {}", render(written));
    }
}

#[test]
fn text_without_markers_renders_as_before() {
    for markdown in ["plain", "a <!-- note --> b", "```rust\nfn main() {}\n```", "<div>x</div>"] {
        assert!(!render(markdown).as_str().contains("internal"), "{markdown:?}");
    }
}

#[test]
fn documents_nobody_marked_are_public_as_they_render() {
    // The real postmortems and the import corpus: no markers, so the public text renders to
    // exactly what the whole text does (as fields are kept: without blank space at the end).
    let mut read = 0;
    for root in ["../shared/fixtures/postmortems", "tests/import_corpus"] {
        let mut folders = vec![std::path::PathBuf::from(root)];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for path in entries.flatten().map(|entry| entry.path()) {
                if path.is_dir() {
                    folders.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    assert_eq!(render(&public(&text)), render(text.trim_end()), "{}", path.display());
                    read += 1;
                }
            }
        }
    }
    assert!(read > 50, "read {read} documents");
}

// ---- The property ------------------------------------------------------------------------------

const SECRET: &str = "ZQXJSECRET";

/// Pieces of Markdown to put around the marked secret: containers, inline syntax, HTML, code,
/// line breaks. None spells the secret.
fn filler() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "word",
        "other words",
        " ",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "1. ",
        "  ",
        "# ",
        "## ",
        "*",
        "**",
        "_",
        "~~",
        "`",
        "``",
        "```",
        "~~~",
        "    ",
        "\t",
        "[",
        "]",
        "](https://example.com)",
        "(",
        ")",
        "!",
        "|",
        "|---|",
        "<div>",
        "</div>",
        "<b>",
        "</b>",
        "<details>",
        "<pre>",
        "</pre>",
        "<",
        ">",
        "\"",
        "\\",
        "[^1]",
        "[^1]: ",
        "---",
        "===",
        "- [ ] ",
        "<!-- a note -->",
        "-->",
        "&amp;",
        "<https://example.com>",
        "www.example.com",
    ])
    .prop_map(str::to_owned)
}

/// The secret inside markers, in one of their forms.
fn marked_secret() -> impl Strategy<Value = String> {
    // A line break inside a marker would break it in a heading or a table row, which are
    // one line each (a unit test has one in a paragraph).
    let space = prop::sample::select(vec!["", " ", "  "]);
    let case = prop::sample::select(vec!["internal", "INTERNAL", "Internal"]);
    (space.clone(), case, space, 0..6usize, filler(), filler()).prop_map(|(a, word, b, form, before, after)| {
        let start = format!("<!--{a}{word}{b}-->");
        let end = format!("<!--{a}/{word}{b}-->");
        match form {
            0 => format!("{start}{SECRET}{end}"),
            1 => format!("\n\n{start}\n{before}{SECRET}{after}\n{end}\n\n"),
            2 => format!("\n\n```{word}\n{before}{SECRET}{after}\n```\n\n"),
            3 => format!("{start}{before}{start}{SECRET}{end}{after}{end}"),
            4 => format!("{start}{before}\n\n{SECRET}{after}{end}"),
            _ => format!("{start}{before}{SECRET}"),
        }
    })
}

/// Whether the secret, or a marker, is written as code in `markdown` (a code span, a code block
/// that is not internal, a fence's info string, a fence inside raw HTML) or as text (escaped):
/// there a marker is text, which both pages show as such, and the secret is public as written.
fn written_as_code(markdown: &str) -> bool {
    let holds = |text: &str| text.contains(SECRET) || text.to_ascii_lowercase().contains("internal");
    let mut in_code = false;
    for event in Parser::new_ext(markdown, render::options()) {
        match event {
            // A fence's info string is code too.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if holds(&info) => return true,
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = !matches!(kind, CodeBlockKind::Fenced(info) if info.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case("internal")));
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Code(code) if holds(&code) => return true,
            // A marker escaped (`\<!--`) or broken, which the page shows as text.
            Event::Text(text) if text.contains("<!--") && holds(&text) => return true,
            // A fence inside raw HTML (an open `<pre>`) is no fence either.
            Event::Html(html) if (html.contains("```") || html.contains("~~~")) && holds(&html) => return true,
            Event::Text(text) if in_code && holds(&text) => return true,
            _ => {}
        }
    }
    false
}

proptest! {
    // Code in the pieces around the secret makes about a third of the cases markers as text.
    #![proptest_config(ProptestConfig { cases: 2000, max_global_rejects: 100_000, ..ProptestConfig::default() })]

    #[test]
    fn a_secret_inside_markers_is_never_public(
        before in prop::collection::vec(filler(), 0..12),
        secret in marked_secret(),
        after in prop::collection::vec(filler(), 0..12),
    ) {
        let markdown = format!("{}{secret}{}", before.concat(), after.concat());
        prop_assume!(!written_as_code(&markdown));
        let public_text = public(&markdown);
        prop_assert!(!public_text.contains(SECRET), "{markdown:?}\n→ {public_text:?}");
        let html = render(&public_text);
        prop_assert!(!html.as_str().contains(SECRET), "{markdown:?}\n→ {html}");
        prop_assert_eq!(public(&public_text), public_text.clone(), "public text is its own public text");
    }

    #[test]
    fn arbitrary_text_never_makes_the_scan_panic(text in "\\PC{0,300}") {
        let found = scan(&text);
        for range in found.internal.iter().chain(&found.comments) {
            prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        }
        let _ = public(&text);
        let _ = render(&text);
    }
}
