//! What a destination's repository holds, without git: where each postmortem's file goes (the
//! destination's folder and file-name pattern), the index page listing them, and the message of
//! each commit. Pure functions, so the rules are tested without a repository.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::domain::IncidentId;
use crate::markdown::export::{escape_table_text, incident_date, title_slug};

/// The placeholders a file-name pattern may hold.
pub const PLACEHOLDERS: &[&str] = &["{id}", "{slug}", "{date}", "{year}", "{month}", "{severity}"];
pub const DEFAULT_PATTERN: &str = "{date}-{slug}.md";
pub const DEFAULT_INDEX: &str = "index.md";

/// A postmortem's file in a destination, as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiFile {
    /// Inside the repository (the folder included).
    pub path: String,
    pub title: String,
    /// `2025-03-01`, or `undated`.
    pub started_on: String,
    pub severity: String,
}

impl WikiFile {
    /// The file of `incident` under `pattern` in `folder`. The path is not yet unique: see
    /// [`unique_path`].
    pub fn of(incident: &crate::domain::Incident, folder: &str, pattern: &str) -> WikiFile {
        let date = incident_date(incident);
        let slug = title_slug(&incident.title);
        let slug = if slug.is_empty() { format!("postmortem-{}", incident.id) } else { slug };
        let name = pattern
            .replace("{id}", &incident.id.to_string())
            .replace("{slug}", &slug)
            .replace("{year}", date.get(..4).unwrap_or("undated"))
            .replace("{month}", date.get(5..7).unwrap_or("undated"))
            .replace("{date}", &date)
            .replace("{severity}", &incident.severity.label().to_ascii_lowercase());
        WikiFile {
            path: join(folder, &name),
            title: incident.title.clone(),
            started_on: date,
            severity: incident.severity.label().to_owned(),
        }
    }
}

/// `name` inside `folder` (`''` is the repository's root).
pub fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() { name.to_owned() } else { format!("{folder}/{name}") }
}

/// `path`, or, when another postmortem's file or the index has it (two postmortems of one day
/// with one title, a pattern without `{id}`), `path` with the postmortem's id before `.md`.
pub fn unique_path(path: String, id: IncidentId, files: &BTreeMap<IncidentId, WikiFile>, index: &str) -> String {
    let taken: HashSet<&str> =
        files.iter().filter(|(other, _)| **other != id).map(|(_, file)| file.path.as_str()).chain([index]).collect();
    if !taken.contains(path.as_str()) {
        return path;
    }
    let stem = path.strip_suffix(".md").unwrap_or(&path);
    let mut candidate = format!("{stem}-{id}.md");
    let mut counter = 1;
    while taken.contains(candidate.as_str()) {
        counter += 1;
        candidate = format!("{stem}-{id}-{counter}.md");
    }
    candidate
}

/// The index page: every postmortem the destination holds, newest first, linked relative to the
/// index (which is in the destination's folder).
pub fn index_page(files: &BTreeMap<IncidentId, WikiFile>, folder: &str) -> String {
    let mut rows: Vec<(&IncidentId, &WikiFile)> = files.iter().collect();
    rows.sort_by(|a, b| b.1.started_on.cmp(&a.1.started_on).then(b.0.cmp(a.0)));
    let mut page = String::from(
        "# Postmortems\n\nPublished postmortems, newest first. Hindsight writes these pages: \
         change a postmortem in Hindsight, not here, or the next sync writes over the change.\n\n",
    );
    if rows.is_empty() {
        page.push_str("None yet.\n");
        return page;
    }
    page.push_str("| Date | Title | Severity |\n|---|---|---|\n");
    let prefix = if folder.is_empty() { String::new() } else { format!("{folder}/") };
    for (_, file) in rows {
        let link = file.path.strip_prefix(&prefix).unwrap_or(&file.path);
        // Spaces and brackets would end a Markdown link's address; patterns make neither, but a
        // folder-relative path is written in angle brackets to be safe.
        let _ = writeln!(
            page,
            "| {} | [{}](<{}>) | {} |",
            file.started_on,
            escape_table_text(&file.title),
            link,
            file.severity
        );
    }
    page
}

/// The `## ` headings whose text differs between two exports of one postmortem (the lines
/// above the first heading, the title and the severity, status and time lines, as "Details"),
/// in the new document's order, then those only the old one had.
pub fn changed_parts(old: &str, new: &str) -> Vec<String> {
    let split = |text: &str| -> Vec<(String, String)> {
        let mut parts = vec![("Details".to_owned(), String::new())];
        let mut fenced = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
                fenced = !fenced;
            }
            match line.strip_prefix("## ") {
                Some(heading) if !fenced => {
                    let heading = heading.split(" <!--").next().unwrap_or(heading).trim();
                    parts.push((heading.to_owned(), String::new()));
                }
                _ => {
                    if let Some((_, body)) = parts.last_mut() {
                        body.push_str(line);
                        body.push('\n');
                    }
                }
            }
        }
        parts
    };
    let (old, new) = (split(old), split(new));
    let mut changed: Vec<String> = Vec::new();
    for (heading, body) in &new {
        if !old.iter().any(|(h, b)| h == heading && b == body) && !changed.contains(heading) {
            changed.push(heading.clone());
        }
    }
    for (heading, _) in &old {
        if !new.iter().any(|(h, _)| h == heading) && !changed.contains(heading) {
            changed.push(heading.clone());
        }
    }
    changed
}

/// Up to four names joined for a commit message ("Timeline, Action Items and 2 more").
pub fn list_of(parts: &[String]) -> String {
    match parts.len() {
        0 => String::new(),
        1..=4 => parts.join(", "),
        n => format!("{} and {} more", parts[..3].join(", "), n - 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(id: i64, title: &str) -> crate::domain::Incident {
        use crate::domain::{Incident, PerSection, Severity, Status, time::Offset};
        use time::macros::datetime;
        Incident {
            id: IncidentId(id),
            title: title.to_owned(),
            severity: Severity::Sev2,
            status: Status::Published,
            // 23:30 in UTC+2: the file is named by the day in the incident's offset.
            started_at: Some(datetime!(2025-03-01 21:30 UTC)),
            ended_at: None,
            offset: Offset::from_minutes(120),
            texts: PerSection::from_fn(|_| String::new()),
            headings: Default::default(),
            template: None,
            version: 1,
            updated_at: datetime!(2025-03-02 00:00 UTC),
        }
    }

    #[test]
    fn patterns_fill_every_placeholder() {
        let disk = incident(12, "Disk full on db-1 (again!)");
        let file = WikiFile::of(&disk, "", DEFAULT_PATTERN);
        assert_eq!(file.path, "2025-03-01-disk-full-on-db-1-again.md");
        let file = WikiFile::of(&disk, "ops/postmortems", "{year}/{month}/{id}-{severity}-{slug}.md");
        assert_eq!(file.path, "ops/postmortems/2025/03/12-sev2-disk-full-on-db-1-again.md");
        assert_eq!((file.started_on.as_str(), file.severity.as_str()), ("2025-03-01", "SEV2"));
        // A title without Latin letters still gets a name of its own.
        assert_eq!(WikiFile::of(&incident(7, "障害"), "", "{slug}.md").path, "postmortem-7.md");
    }

    #[test]
    fn paths_are_unique_against_other_files_and_the_index() {
        let mut files = BTreeMap::new();
        files.insert(IncidentId(1), WikiFile::of(&incident(1, "Outage"), "", "{slug}.md"));
        let same = WikiFile::of(&incident(2, "Outage"), "", "{slug}.md").path;
        assert_eq!(unique_path(same.clone(), IncidentId(2), &files, "index.md"), "outage-2.md");
        // A postmortem keeps its own path.
        assert_eq!(unique_path(same, IncidentId(1), &files, "index.md"), "outage.md");
        let index = WikiFile::of(&incident(3, "Index"), "", "{slug}.md").path;
        assert_eq!(unique_path(index, IncidentId(3), &files, "index.md"), "index-3.md");
        files.insert(IncidentId(4), WikiFile { path: "outage-2.md".into(), ..files[&IncidentId(1)].clone() });
        let clash = unique_path("outage.md".into(), IncidentId(2), &files, "index.md");
        assert_eq!(clash, "outage-2-2.md");
    }

    #[test]
    fn the_index_lists_newest_first_with_relative_links() {
        let mut files = BTreeMap::new();
        let mut older = incident(1, "Old | pipe [x]");
        older.started_at = older.started_at.map(|at| at - time::Duration::days(40));
        files.insert(IncidentId(1), WikiFile::of(&older, "pm", DEFAULT_PATTERN));
        files.insert(IncidentId(2), WikiFile::of(&incident(2, "New"), "pm", DEFAULT_PATTERN));
        let page = index_page(&files, "pm");
        let new_row = page.find("[New](<2025-03-01-new.md>)").expect("new row");
        let old_row = page.find("Old \\| pipe \\[x\\]").expect("escaped old row");
        assert!(new_row < old_row, "{page}");
        assert!(!page.contains("pm/"), "links are relative to the index: {page}");
        assert!(index_page(&BTreeMap::new(), "").contains("None yet."));
    }

    #[test]
    fn changed_parts_name_the_sections_that_differ() {
        let old = "# T\n\n- **Status:** Published\n\n## Summary\n\nA\n\n## Timeline\n\n- x\n\n## Notes\n\nn\n";
        let new = "# T\n\n- **Status:** Published\n\n## Summary\n\nA\n\n## Timeline\n\n- x\n- y\n\n## Action Items\n\n- [ ] z\n";
        assert_eq!(changed_parts(old, new), ["Timeline", "Action Items", "Notes"]);
        assert_eq!(changed_parts(old, old), Vec::<String>::new());
        assert_eq!(changed_parts(old, &old.replace("# T\n", "# U\n")), ["Details"]);
        // A heading inside a code block is text, and an extra section's marker is not its name.
        let fenced = "## Summary\n\n```\n## not a heading\n```\n\n## Timeline notes <!-- extra section -->\n\nb\n";
        assert_eq!(changed_parts("", fenced), ["Summary", "Timeline notes"]);
        let parts: Vec<String> = ["A", "B", "C", "D", "E"].map(String::from).to_vec();
        assert_eq!(list_of(&parts), "A, B, C and 2 more");
        assert_eq!(list_of(&parts[..2]), "A, B");
    }
}
