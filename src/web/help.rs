//! The help page: the keyboard shortcuts the page script adds (see `static/hindsight.js`).

use askama::Template;
use askama_web::WebTemplate;

use super::layout::Viewer;

/// A shortcut: the keys, and what they do.
pub struct Shortcut {
    pub keys: &'static [&'static str],
    pub does: &'static str,
}

/// What `static/hindsight.js` does with each key; the two must agree.
pub const SHORTCUTS: &[(&str, &[Shortcut])] = &[
    (
        "Anywhere (when not typing in a field)",
        &[
            Shortcut { keys: &["n"], does: "A new timeline entry on a postmortem's page; a new postmortem elsewhere" },
            Shortcut { keys: &["e"], does: "Edit the postmortem whose page this is" },
            Shortcut { keys: &["g", "then", "p"], does: "Go to the postmortems" },
            Shortcut { keys: &["g", "then", "a"], does: "Go to the action items" },
            Shortcut { keys: &["/"], does: "Search: the box in the header" },
            Shortcut { keys: &["?"], does: "This page" },
        ],
    ),
    (
        "In a form",
        &[
            Shortcut { keys: &["Ctrl", "S"], does: "Save (⌘ S on a Mac)" },
            Shortcut { keys: &["Ctrl", "Enter"], does: "Save, as well (⌘ Enter on a Mac)" },
            Shortcut { keys: &["Alt", "P"], does: "Show or hide the previews beside the Markdown fields" },
            Shortcut { keys: &["Enter"], does: "In a timeline entry's text, adds it" },
            Shortcut { keys: &["Esc"], does: "Close a timeline entry's or action item's editor, unsaved" },
        ],
    ),
];

#[derive(Template, WebTemplate)]
#[template(path = "help.html")]
pub struct HelpPage {
    viewer: Viewer,
    groups: &'static [(&'static str, &'static [Shortcut])],
}

/// `GET /help`
pub async fn shortcuts(viewer: Viewer) -> HelpPage {
    HelpPage { viewer, groups: SHORTCUTS }
}
