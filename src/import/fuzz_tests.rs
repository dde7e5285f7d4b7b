//! The importer on text nobody wrote on purpose: arbitrary strings (control characters, NUL,
//! every script, lone markup), and real documents mixed up (their lines shuffled, spliced into
//! each other, cut mid-character, doubled). Whatever comes in, the importer says what it can
//! read or why it cannot: it never panics, and what it saves always exports and reads back.
//!
//! Its speed on such text is measured in the `import` benchmark (a 1 MB mix of the corpus),
//! not here: a timed unit test would fail on a busy machine, not on slow code.

use proptest::prelude::*;
use proptest::sample::select;

use super::check_input;
use super::draft::{recognise, saved};
use crate::markdown::export::export;

/// The real fixtures and the corpus's documents, as lines: the material the mixes are made of.
fn material() -> &'static [Vec<String>] {
    static MATERIAL: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    MATERIAL.get_or_init(|| {
        let mut documents: Vec<String> =
            super::fixtures().unwrap_or_default().into_iter().map(|(_, text)| text).collect();
        for class in ["when", "timeline", "languages", "pasted"] {
            let Ok(dir) = std::fs::read_dir(format!("tests/import_corpus/{class}")) else { continue };
            let mut paths: Vec<_> =
                dir.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "md")).collect();
            paths.sort();
            documents.extend(paths.iter().filter_map(|path| std::fs::read_to_string(path).ok()));
        }
        documents.into_iter().map(|text| text.split_inclusive('\n').map(str::to_owned).collect()).collect()
    })
}

/// Markup and words the importer keys on, to splice in where they do the most harm.
const TRIGGERS: &[&str] = &[
    "# ",
    "## Timeline\n",
    "## Action items\n",
    "## 対策\n",
    "h2. Timeline\n",
    "||Time||Event||\n",
    "=====\n",
    "---\n",
    "```\n",
    "| Time | Event |\n|---|---|\n",
    "- [x] ",
    "**Start:** ",
    "**End:** ",
    "2024-09-02 14:20 ",
    "14:20 ",
    "T+0:12 ",
    "午後2時20分 ",
    "오후 2시 ",
    "19h02 ",
    "KW 7 ",
    "Q3 ",
    "UTC−8 ",
    "America/Los_Angeles ",
    "1727280000 ",
    "@owner ",
    "\u{a0}",
    "\u{feff}",
    "\r\n",
    "\t",
    "\\\n",
    "<br>",
    "\u{0}",
    "é",
    "👉 ",
];

/// One way to mix up a document.
#[derive(Debug, Clone)]
enum Mix {
    /// Takes `len` lines of document `doc` from line `at` (both modulo what there is).
    Take { doc: usize, at: usize, len: usize },
    /// Splices in a trigger.
    Trigger(&'static str),
    /// Arbitrary text.
    Noise(String),
}

fn mix() -> impl Strategy<Value = Mix> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), 1..40usize).prop_map(|(doc, at, len)| Mix::Take { doc, at, len }),
        3 => select(TRIGGERS).prop_map(Mix::Trigger),
        1 => any::<String>().prop_map(Mix::Noise),
    ]
}

/// The mixed document, cut (on a character boundary) to at most `cut` bytes.
fn mixed(parts: &[Mix], cut: usize) -> String {
    let material = material();
    let mut text = String::new();
    for part in parts {
        match part {
            Mix::Take { doc, at, len } if !material.is_empty() => {
                let lines = &material[doc % material.len()];
                if !lines.is_empty() {
                    let start = at % lines.len();
                    lines.iter().skip(start).take(*len).for_each(|line| text.push_str(line));
                }
            }
            Mix::Take { .. } => {}
            Mix::Trigger(trigger) => text.push_str(trigger),
            Mix::Noise(noise) => text.push_str(noise),
        }
    }
    let mut end = cut.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// The importer's whole path on `text`: read, recognise, the rows to save, their export, and
/// the export read again. What is checked is that none of it panics, and that what can be
/// read at all is saved (nothing is refused for what it does not say, or says two ways). An
/// export read again is not required to be the same here: a mix can put `## ` lines inside a
/// field, which the export's grammar cannot tell from its headings (see the README's "Export
/// format"); real documents' exports are held to that in `round_trip_tests`.
fn import_everything(text: &str) -> Result<(), TestCaseError> {
    let Ok(text) = check_input(text.as_bytes()) else { return Ok(()) };
    let drafts = recognise(text, Some("mixed.md")).to_drafts();
    let exported = export(&saved(drafts));
    let again = check_input(exported.as_bytes()).map_err(|e| TestCaseError::fail(format!("export refused: {e}")))?;
    let _ = recognise(again, Some("export.md")).to_drafts();
    Ok(())
}

/// How many documents each property tries: 192 in the test run, more on demand.
fn fuzz_cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(192)
}

proptest! {
    // `FUZZ_CASES=20000 cargo test --release --lib fuzz_tests` is the long run.
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        import_everything(&text)?;
    }

    #[test]
    fn mixed_up_real_documents_never_panic(parts in prop::collection::vec(mix(), 1..24), cut in 0..40_000usize) {
        import_everything(&mixed(&parts, cut))?;
    }
}

/// The mixes really are made of the documents (a mix of nothing would test nothing).
#[test]
fn the_mixes_are_made_of_real_documents() {
    assert!(material().len() >= 60, "the corpus (and fixtures, where ../shared is) are read: {}", material().len());
    let parts = [Mix::Take { doc: 3, at: 0, len: 30 }, Mix::Trigger("## Timeline\n")];
    let text = mixed(&parts, usize::MAX);
    assert!(text.lines().count() > 10 && text.ends_with("## Timeline\n"), "{text}");
    assert_eq!(mixed(&[Mix::Trigger("é")], 1), "", "cut on a character boundary");
}
