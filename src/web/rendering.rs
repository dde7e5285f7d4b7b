//! Markdown rendered while a request is served: the preview beside a field as one types, the
//! import preview (nothing is stored yet), and stored HTML that an older renderer made. Rendering is CPU work, so it runs off the async
//! workers, within a time budget: what is not rendered by then is shown as a placeholder
//! rather than holding the request, and a worker, for longer.

use std::time::{Duration, Instant};

use crate::db::postmortems::Loaded;
use crate::domain::{Section, StoredHtml};
use crate::markdown::{self, SafeHtml};

/// Longest a request waits for Markdown to be rendered. Every real postmortem renders in a
/// small fraction of it; twenty 2 MB documents pasted into the Import page do not.
pub const RENDER_BUDGET: Duration = Duration::from_secs(2);

/// How long past the budget to wait for a piece already started (each is bounded in size).
const GRACE: Duration = Duration::from_millis(500);

/// Each piece of Markdown as HTML, rendered off the async workers within [`RENDER_BUDGET`];
/// pieces it leaves no time for are [`markdown::not_rendered`].
pub async fn render_all(pieces: Vec<String>) -> Vec<SafeHtml> {
    if pieces.is_empty() {
        return Vec::new();
    }
    let count = pieces.len();
    let deadline = Instant::now() + RENDER_BUDGET;
    let task = tokio::task::spawn_blocking(move || markdown::render_until(&pieces, deadline));
    match tokio::time::timeout(RENDER_BUDGET + GRACE, task).await {
        Ok(Ok(rendered)) => rendered.into_iter().map(|html| html.unwrap_or_else(markdown::not_rendered)).collect(),
        // Still busy with one huge piece, or the thread failed: placeholders, and the
        // request goes on (the thread stops at its next piece).
        Ok(Err(error)) => {
            tracing::warn!(%error, "Rendering Markdown failed");
            vec![markdown::not_rendered(); count]
        }
        Err(_) => {
            tracing::warn!(pieces = count, budget_ms = RENDER_BUDGET.as_millis(), "Rendering ran past its budget");
            vec![markdown::not_rendered(); count]
        }
    }
}

/// What pages show for stored pieces: the stored HTML where the current renderer made it,
/// the others rendered again as [`render_all`] does. Also says whether any was stale.
pub async fn shown_all<'a>(pieces: impl IntoIterator<Item = (&'a str, &'a StoredHtml)>) -> (Vec<SafeHtml>, bool) {
    let mut shown = Vec::new();
    let mut stale = Vec::new();
    for (markdown, stored) in pieces {
        let current = markdown::stored(stored);
        if current.is_none() {
            stale.push(markdown.to_owned());
        }
        shown.push(current);
    }
    if stale.is_empty() {
        return (shown.into_iter().flatten().collect(), false);
    }
    let mut rendered = render_all(stale).await.into_iter();
    for slot in shown.iter_mut().filter(|slot| slot.is_none()) {
        *slot = rendered.next();
    }
    (shown.into_iter().map(Option::unwrap_or_default).collect(), true)
}

/// `loaded` with every piece of stale HTML rendered again (off the workers, within the budget),
/// ready for a page to show without rendering; `None` when nothing was stale.
pub async fn freshened(loaded: &Loaded) -> Option<Loaded> {
    // The usual case, checked without copying anything: all current.
    let is_stale = |stored: &StoredHtml| stored.rendered_with != markdown::RENDERER_VERSION;
    let html = &loaded.html;
    let comments = loaded.extras.iter().flat_map(|extras| &extras.comments);
    let any_stale = html.texts.iter().any(|(_, stored)| is_stale(stored))
        || html.timeline.iter().chain(&html.action_items).chain(&html.sections).any(is_stale)
        || comments.into_iter().any(|comment| comment.rendered_with != markdown::RENDERER_VERSION);
    if !any_stale {
        return None;
    }
    let mut fresh = loaded.clone();
    let mut stale = Vec::new();
    each_piece(&mut fresh, |markdown, stored| {
        if stored.rendered_with != markdown::RENDERER_VERSION {
            stale.push(markdown.to_owned());
        }
    });
    if stale.is_empty() {
        return None;
    }
    let mut rendered = render_all(stale).await.into_iter();
    each_piece(&mut fresh, |_, stored| {
        if stored.rendered_with != markdown::RENDERER_VERSION
            && let Some(html) = rendered.next()
        {
            *stored = StoredHtml { html: html.into_string(), rendered_with: markdown::RENDERER_VERSION };
        }
    });
    Some(fresh)
}

/// Visits every piece of Markdown of a loaded postmortem with its stored HTML, always in the
/// same order.
fn each_piece(loaded: &mut Loaded, mut visit: impl FnMut(&str, &mut StoredHtml)) {
    let Loaded { postmortem, html, extras } = loaded;
    for section in Section::ALL {
        visit(&postmortem.incident.texts[section], &mut html.texts[section]);
    }
    for (entry, stored) in postmortem.timeline.iter().zip(&mut html.timeline) {
        visit(&entry.body, stored);
    }
    for (item, stored) in postmortem.action_items.iter().zip(&mut html.action_items) {
        visit(&item.body, stored);
    }
    for (section, stored) in postmortem.sections.iter().zip(&mut html.sections) {
        visit(&section.body, stored);
    }
    for comment in extras.iter_mut().flat_map(|extras| extras.comments.iter_mut()) {
        let mut stored = comment.stored_html();
        visit(&comment.body, &mut stored);
        (comment.html, comment.rendered_with) = (stored.html, stored.rendered_with);
    }
}

/// What the preview endpoint is sent: one field's Markdown.
#[derive(Debug, serde::Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    markdown: String,
}

/// `POST /preview`: one field's Markdown as the page would show it once saved, by the same
/// renderer and sanitizer, as an HTML fragment for the script beside the field. Saves nothing.
pub async fn preview(super::extract::Form(form): super::extract::Form<PreviewForm>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let fragment = if form.markdown.len() > crate::domain::limits::MAX_PROSE_BYTES {
        format!(
            "<p class=\"placeholder\">Too long to save: at most {} kB in one field.</p>",
            crate::domain::limits::MAX_PROSE_BYTES / 1000
        )
    } else if form.markdown.trim().is_empty() {
        "<p class=\"placeholder\">Nothing to preview yet.</p>".to_owned()
    } else {
        let html = render_all(vec![form.markdown]).await.pop().unwrap_or_default();
        if html.shows_nothing() {
            "<p class=\"placeholder\">Nothing visible: what is written here is all markup that pages leave out.</p>"
                .to_owned()
        } else {
            html.into_string()
        }
    };
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], fragment).into_response()
}
