//! Markdown is the contract: this module alone turns user Markdown into safe HTML (`render`)
//! and postmortems into the GFM document that wikis receive (`export`).

pub mod diff;
pub mod export;
pub mod internal;
mod internal_marks;
pub mod public;
mod render;

pub use render::{RENDERER_VERSION, SafeHtml, marked, not_rendered, render, render_until, shown, stored};
