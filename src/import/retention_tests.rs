//! Word retention on the corpus (`tests/import_corpus`): the export of each document's import
//! repeats every word of the source. `cargo test corpus_word_retention -- --nocapture` prints
//! each document's words that the export does not repeat.

use std::collections::BTreeSet;
use std::path::Path;

use super::draft::{recognise, saved};
use crate::markdown::export::export;

/// The distinct words of `text`, lower-case: runs of letters and digits.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Each corpus document's words the export of its import leaves out, by file name.
fn lost_words() -> Vec<(String, Vec<String>)> {
    let paths = super::corpus_tests::corpus();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("readable");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let exported = export(&saved(recognise(&text, Some(&name)).to_drafts()));
            let kept = words(&exported);
            (name, words(&text).difference(&kept).cloned().collect())
        })
        .collect()
}

/// The words each document was already known to lose (`UPDATE_GOLDEN=1` rewrites it): a
/// ratchet towards every word, which fails when a change loses one more.
const GOLDEN: &str = "tests/golden/corpus-retention.txt";

#[test]
fn corpus_word_retention() {
    let lost = lost_words();
    let complete = lost.iter().filter(|(_, words)| words.is_empty()).count();
    let lines: String = lost
        .iter()
        .filter(|(_, words)| !words.is_empty())
        .map(|(name, words)| format!("{name}\t{}\n", words.join(" ")))
        .collect();
    print!("{lines}");
    println!("{complete} of {} corpus documents: every word repeated", lost.len());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &lines).expect("write the golden file");
    }
    let golden = std::fs::read_to_string(&path).expect("the golden file exists (UPDATE_GOLDEN=1 writes it)");
    let known: std::collections::HashMap<&str, BTreeSet<&str>> = golden
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, words)| (name, words.split(' ').collect()))
        .collect();
    let worse: Vec<String> = lost
        .iter()
        .flat_map(|(name, words)| {
            let allowed = known.get(name.as_str());
            words
                .iter()
                .filter(move |word| !allowed.is_some_and(|allowed| allowed.contains(word.as_str())))
                .map(move |word| format!("{name}: {word}"))
        })
        .collect();
    assert!(worse.is_empty(), "words the export no longer repeats: {worse:?}");
}
