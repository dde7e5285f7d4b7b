//! Timeline entries pasted many at once: lines of `HH:MM text`, a Markdown timeline (list or
//! table, as the importer reads one), a chat log (`[10:15] alice: text`, `alice 10:15 AM text`)
//! or a Slack export's JSON file. Each becomes a line with the time it was read at, for the
//! author to check (and untick) before anything is saved.

use serde_json::Value;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use super::timeline;
use super::when;

/// Most lines read from one paste (the timeline holds at most 1,000 entries in all).
pub const MAX_LINES: usize = 1_000;

/// One line read from a paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedLine {
    /// The date it gives (or, for a Slack message, its instant's date in the offset), if any.
    pub date: Option<Date>,
    /// The time it gives; `None` when no time was found (shown unticked).
    pub time: Option<Time>,
    /// Who said it, in a chat log.
    pub author: Option<String>,
    /// What happened: the entry's text.
    pub text: String,
}

impl PastedLine {
    /// The entry's Markdown: the text, after its author in a chat log.
    pub fn body(&self) -> String {
        match &self.author {
            Some(author) => format!("{author}: {}", self.text),
            None => self.text.clone(),
        }
    }
}

/// Reads `pasted` (Slack's times are put in `offset`, the postmortem's).
pub fn read(pasted: &str, offset: UtcOffset) -> Vec<PastedLine> {
    let mut lines = slack(pasted, offset).or_else(|| named_chat(pasted)).unwrap_or_else(|| markdown(pasted));
    lines.truncate(MAX_LINES);
    lines
}

/// The dates of lines that give none: the line before's date (the first's is `first_day`), or
/// the day after it when the time goes backwards past midnight (`23:50`, then `00:10`).
/// Without a first day (a draft that does not say when the impact started), a time alone has
/// no date until a line gives one.
pub fn dated(lines: &[PastedLine], first_day: Option<Date>) -> Vec<Option<(Date, Time)>> {
    let mut day = first_day;
    let mut last: Option<Time> = None;
    lines
        .iter()
        .map(|line| {
            let time = line.time?;
            match line.date {
                Some(date) => day = Some(date),
                None if last.is_some_and(|last| time < last) => day = day.map(|day| day.next_day().unwrap_or(day)),
                None => {}
            }
            last = Some(time);
            Some((day?, time))
        })
        .collect()
}

/// A Slack export's messages (`[{"ts": "1740823500.000100", "user_name": "alice", "text": …}]`,
/// or an object with `messages`), oldest first.
fn slack(pasted: &str, offset: UtcOffset) -> Option<Vec<PastedLine>> {
    let trimmed = pasted.trim_start();
    if !trimmed.starts_with('[') && !trimmed.starts_with('{') {
        return None;
    }
    let json: Value = serde_json::from_str(pasted).ok()?;
    let messages = json.as_array().or_else(|| json["messages"].as_array())?;
    let mut lines: Vec<(f64, PastedLine)> = messages
        .iter()
        .filter_map(|message| {
            let seconds: f64 = match &message["ts"] {
                Value::String(ts) => ts.parse().ok()?,
                Value::Number(ts) => ts.as_f64()?,
                _ => return None,
            };
            #[allow(clippy::cast_possible_truncation)]
            let at = OffsetDateTime::from_unix_timestamp(seconds.floor() as i64).ok()?.to_offset(offset);
            let text = message["text"].as_str().unwrap_or_default().trim().to_owned();
            let author = ["user_name", "username"]
                .iter()
                .find_map(|key| message[*key].as_str())
                .or_else(|| message["user_profile"]["real_name"].as_str())
                .or_else(|| message["user_profile"]["display_name"].as_str())
                .or_else(|| message["user"].as_str())
                .map(str::to_owned);
            (!text.is_empty())
                .then_some((seconds, PastedLine { date: Some(at.date()), time: Some(at.time()), author, text }))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(lines.into_iter().map(|(_, line)| line).collect())
}

/// A chat log that puts the name first: `alice 10:15 AM text`, `bob 10:17 text`. Read so only
/// when most of its lines are written that way; a line that is not joins the message before.
fn named_chat(pasted: &str) -> Option<Vec<PastedLine>> {
    let mut lines: Vec<PastedLine> = Vec::new();
    let (mut named, mut others) = (0, 0);
    for line in pasted.lines().map(str::trim).filter(|line| !line.is_empty()) {
        match name_then_time(line) {
            Some(read) => {
                named += 1;
                lines.push(read);
            }
            None => {
                others += 1;
                match lines.last_mut() {
                    Some(previous) => {
                        previous.text.push('\n');
                        previous.text.push_str(line);
                    }
                    None => return None,
                }
            }
        }
    }
    (named > 0 && named >= others).then_some(lines)
}

/// `alice 10:15 AM text`: a name (one word), a time, the text.
fn name_then_time(line: &str) -> Option<PastedLine> {
    let (name, rest) = line.split_once(char::is_whitespace)?;
    let name = name.trim_end_matches(':');
    let is_name = !name.is_empty()
        && name.chars().count() <= 40
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        && name.chars().any(char::is_alphabetic);
    if !is_name {
        return None;
    }
    let rest = rest.trim_start();
    let (time, range) = when::parse_time(rest)?;
    if range.start != 0 {
        return None;
    }
    let text = rest[range.end..].trim_start_matches([' ', '\t', '-', '–', '—', ':']).trim();
    (!text.is_empty()).then(|| PastedLine {
        date: None,
        time: Some(time),
        author: Some(name.to_owned()),
        text: text.to_owned(),
    })
}

/// Anything else, read as the importer reads a timeline section: `HH:MM text` lines, lists,
/// tables, `[10:15] alice: text`, with dates where they are written.
fn markdown(pasted: &str) -> Vec<PastedLine> {
    let found = timeline::parse(pasted);
    found
        .entries
        .into_iter()
        .filter(|entry| !entry.text.trim().is_empty())
        .map(|entry| PastedLine {
            date: entry.date.or(entry.day).or(found.date).and_then(|date| date.date()),
            time: entry.time,
            author: None,
            text: entry.text.trim().to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::{date, offset, time};

    use super::*;

    fn times(lines: &[PastedLine]) -> Vec<Option<Time>> {
        lines.iter().map(|line| line.time).collect()
    }

    #[test]
    fn plain_lines_of_times_and_text() {
        let lines = read("10:15 Alerts fired\n10:18 Support flooded\n\n10:22 Investigation began", offset!(UTC));
        assert_eq!(times(&lines), [Some(time!(10:15)), Some(time!(10:18)), Some(time!(10:22))]);
        assert_eq!(lines[1].body(), "Support flooded");
    }

    #[test]
    fn a_markdown_timeline_as_a_list_or_a_table() {
        let list = read("- **10:15** – Alerts fired\n- **10:18** – Support flooded", offset!(UTC));
        assert_eq!(times(&list), [Some(time!(10:15)), Some(time!(10:18))]);
        assert_eq!(list[0].text, "Alerts fired");
        let table = read(
            "| Time | Event |\n|---|---|\n| 2025-03-01 10:15 | Alerts |\n| 2025-03-01 10:18 | Calls |",
            offset!(UTC),
        );
        assert_eq!(table.len(), 2);
        assert_eq!(table[1].date, Some(date!(2025 - 03 - 01)));
        assert_eq!(table[1].text, "Calls");
    }

    #[test]
    fn chat_logs_either_way_round() {
        let bracketed = read("[10:15] alice: the pool is full\n[10:17] bob: restarting api", offset!(UTC));
        assert_eq!(times(&bracketed), [Some(time!(10:15)), Some(time!(10:17))]);
        assert_eq!(bracketed[0].body(), "alice: the pool is full");
        let named =
            read("alice 10:15 AM the pool is full\nbob 10:17 AM restarting api\nstill restarting", offset!(UTC));
        assert_eq!(times(&named), [Some(time!(10:15)), Some(time!(10:17))]);
        assert_eq!(named[1].author.as_deref(), Some("bob"));
        assert_eq!(named[1].text, "restarting api\nstill restarting", "a line without a name joins the message");
        assert_eq!(named[0].body(), "alice: the pool is full");
        let afternoon = read("carol 2:05 PM rolled back", offset!(UTC));
        assert_eq!(afternoon[0].time, Some(time!(14:05)));
    }

    #[test]
    fn a_slack_export_in_the_postmortems_offset_oldest_first() {
        // 2025-03-01 08:15:00 UTC and 08:17:30 UTC, given newest first.
        let export = r#"[
            {"type": "message", "user": "U2", "user_profile": {"real_name": "Bob B"}, "text": "restarting api", "ts": "1740817050.000200"},
            {"type": "message", "user": "U1", "user_name": "alice", "text": "the pool is full", "ts": "1740816900.000100"},
            {"type": "message", "subtype": "channel_join", "user": "U3", "text": "", "ts": "1740816000.000000"}
        ]"#;
        let lines = read(export, offset!(+2));
        assert_eq!(lines.len(), 2, "empty messages are left out");
        assert_eq!((lines[0].date, lines[0].time), (Some(date!(2025 - 03 - 01)), Some(time!(10:15))));
        assert_eq!(lines[0].body(), "alice: the pool is full");
        assert_eq!(lines[1].body(), "Bob B: restarting api");
        assert_eq!(lines[1].time, Some(time!(10:17:30)));
        let wrapped = format!(r#"{{"messages": {export}}}"#);
        assert_eq!(read(&wrapped, offset!(+2)), lines);
    }

    #[test]
    fn lines_without_a_date_follow_the_one_before_and_cross_midnight() {
        let lines = read("23:50 Paged\n23:58 Acknowledged\n00:10 Rolled back\n2025-03-05 09:00 Review", offset!(UTC));
        assert_eq!(
            dated(&lines, Some(date!(2025 - 03 - 01))),
            [
                Some((date!(2025 - 03 - 01), time!(23:50))),
                Some((date!(2025 - 03 - 01), time!(23:58))),
                Some((date!(2025 - 03 - 02), time!(00:10))),
                Some((date!(2025 - 03 - 05), time!(09:00))),
            ]
        );
        // With no start to go by, times alone stay undated until a line gives its date.
        let undated = dated(&lines, None);
        assert_eq!(undated, [None, None, None, Some((date!(2025 - 03 - 05), time!(09:00)))]);
    }

    #[test]
    fn text_that_is_no_timeline_gives_lines_without_times_or_nothing() {
        assert!(read("", offset!(UTC)).is_empty());
        assert!(read("   \n\n", offset!(UTC)).is_empty());
        assert!(read("not json [", offset!(UTC)).iter().all(|line| line.time.is_none()));
        assert!(read("{\"messages\": 3}", offset!(UTC)).iter().all(|line| line.time.is_none()));
        let many = "10:15 x\n".repeat(MAX_LINES + 50);
        assert_eq!(read(&many, offset!(UTC)).len(), MAX_LINES);
    }
}
