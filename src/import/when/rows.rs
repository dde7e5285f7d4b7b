//! Timeline rows: what surrounds a leading stamp (Markdown markers, emphasis and brackets, approximate
//! markers), unknown-time placeholders, and the separator before the entry text.

use super::scan::{at, dash_len, read_num, seq, skip_ws, space_len, word_eq};

/// Emphasis and brackets opened before a stamp, to be closed after it.
#[derive(Default)]
pub(super) struct Openers {
    star: u8,
    under: u8,
    tick: u8,
    tilde: u8,
    bracket: u8,
    paren: u8,
}

impl Openers {
    fn slot(&mut self, c: u8, opening: bool) -> Option<&mut u8> {
        match c {
            b'*' => Some(&mut self.star),
            b'_' => Some(&mut self.under),
            b'`' => Some(&mut self.tick),
            b'~' => Some(&mut self.tilde),
            b'[' if opening => Some(&mut self.bracket),
            b']' if !opening => Some(&mut self.bracket),
            b'(' if opening => Some(&mut self.paren),
            b')' if !opening => Some(&mut self.paren),
            _ => None,
        }
    }

    pub(super) fn open(&mut self, b: &[u8], mut i: usize) -> usize {
        for _ in 0..8 {
            let c = at(b, i);
            // `~~` is strikethrough; a single `~` means "approximately".
            let len = if c == b'~' && at(b, i + 1) == b'~' { 2 } else { 1 };
            if c == b'~' && len == 1 {
                break;
            }
            let Some(slot) = self.slot(c, true) else { break };
            *slot = slot.saturating_add(len);
            i += usize::from(len);
        }
        i
    }

    pub(super) fn any(&self) -> bool {
        [self.star, self.under, self.tick, self.tilde, self.bracket, self.paren].iter().any(|&n| n > 0)
    }

    pub(super) fn closes(&self, b: &[u8], i: usize) -> bool {
        match at(b, i) {
            b'*' => self.star > 0,
            b'_' => self.under > 0,
            b'`' => self.tick > 0,
            b'~' => self.tilde > 0,
            b']' => self.bracket > 0,
            b')' => self.paren > 0,
            _ => false,
        }
    }

    /// Closes one opener at `i`; returns the bytes taken (0 or 1).
    pub(super) fn close(&mut self, b: &[u8], i: usize) -> usize {
        match self.slot(at(b, i), false) {
            Some(slot) if *slot > 0 => {
                *slot -= 1;
                1
            }
            _ => 0,
        }
    }
}

/// Leading blockquote, heading, table and list markers.
pub(super) fn markdown_prefix(b: &[u8]) -> usize {
    let mut i = 0;
    loop {
        let start = i;
        i = skip_ws(b, i, usize::MAX);
        match at(b, i) {
            b'>' | b'|' => i += 1,
            // A heading's marks, followed by a space: `#1420` is a ticket, not a heading.
            b'#' => {
                let mut k = i;
                while at(b, k) == b'#' {
                    k += 1;
                }
                if space_len(b, k) > 0 || k >= b.len() {
                    i = k;
                }
            }
            b'-' | b'*' | b'+' if space_len(b, i + 1) > 0 => i += 1,
            c if c.is_ascii_digit() => {
                let (_, n) = read_num(b, i, 10);
                if n <= 9 && matches!(at(b, i + n), b'.' | b')') && space_len(b, i + n + 1) > 0 {
                    i += n + 1;
                }
            }
            // Icons and bullets before the time (`🔔 13:52`, `• 11:42`, `▪ 12:06`, `⚠️ 14:20`):
            // symbols that are neither letters nor digits, then a space. Only a short window is
            // decoded, so a line of a million bullets costs no more than reading it.
            c if c >= 0x80 => {
                let window = &b[i..b.len().min(i + 32)];
                let text = match std::str::from_utf8(window) {
                    Ok(text) => text,
                    Err(error) => std::str::from_utf8(&window[..error.valid_up_to()]).unwrap_or_default(),
                };
                let symbols: usize = text
                    .chars()
                    .take_while(|ch| !ch.is_ascii() && !ch.is_alphanumeric() && !ch.is_whitespace())
                    .map(char::len_utf8)
                    .sum();
                if symbols > 0 && space_len(b, i + symbols) > 0 {
                    i += symbols;
                }
            }
            _ => {}
        }
        if i == start {
            return i;
        }
    }
}

/// `±`, `~`, `≈`, `ca.`, `approx.` before a time.
pub(super) fn approx_marker(b: &[u8], i: usize) -> (bool, usize) {
    let len = if seq(b, i, "\u{b1}".as_bytes()) {
        2
    } else if seq(b, i, "\u{2248}".as_bytes()) {
        3
    } else if at(b, i) == b'~' {
        1
    } else if word_eq(b, i, 3, "ca.") {
        3
    } else if word_eq(b, i, 7, "approx.") {
        7
    } else {
        0
    };
    if len == 0 { (false, i) } else { (true, skip_ws(b, i + len, 4)) }
}

/// An unknown-time placeholder: `--:--`, `??:??`, `xx:xx`, `?`, `???`.
pub(super) fn placeholder_at(b: &[u8], i: usize) -> Option<usize> {
    for p in ["--:--", "??:??", "xx:xx", "XX:XX", "hh:mm", "HH:MM"] {
        if seq(b, i, p.as_bytes()) {
            return Some(i + p.len());
        }
    }
    let mut n = 0;
    while n < 6 && at(b, i + n) == b'?' {
        n += 1;
    }
    (1..=5).contains(&n).then_some(i + n)
}

/// A separator between a stamp and the entry text (`-`, `--`, `–`, `—`, `:`, `|`, `,`, `;`, `->`, `=>`, `→`);
/// returns the position after it.
pub(super) fn entry_sep(b: &[u8], k: usize) -> Option<usize> {
    if seq(b, k, b"--") || seq(b, k, b"->") || seq(b, k, b"=>") {
        return Some(k + 2);
    }
    if matches!(at(b, k), b':' | b'|' | b',' | b';') {
        return Some(k + 1);
    }
    let dash = dash_len(b, k);
    if dash > 0 {
        return Some(k + dash);
    }
    seq(b, k, "\u{2192}".as_bytes()).then_some(k + 3)
}

#[cfg(test)]
mod tests {
    use crate::import::when::leading_stamp;
    use crate::import::when::tests::{hm, partial};

    struct StampCase {
        line: &'static str,
        date: Option<(Option<i32>, u8, u8)>,
        time: Option<(u8, u8)>,
        end: Option<(u8, u8)>,
        zone: Option<&'static str>,
        approximate: bool,
        rest: &'static str,
    }

    const fn sc(
        line: &'static str,
        date: Option<(Option<i32>, u8, u8)>,
        time: Option<(u8, u8)>,
        zone: Option<&'static str>,
        rest: &'static str,
    ) -> StampCase {
        StampCase { line, date, time, end: None, zone, approximate: false, rest }
    }

    #[test]
    fn leading_stamps() {
        let cases = [
            sc("**10:15 AM** – Monitoring alerts", None, Some((10, 15)), None, "Monitoring alerts"),
            sc("- **10:15 AM** – Monitoring alerts", None, Some((10, 15)), None, "Monitoring alerts"),
            sc("[17:02] text", None, Some((17, 2)), None, "text"),
            sc("* [08:47] Prow's bump PR", None, Some((8, 47)), None, "Prow's bump PR"),
            sc("16:58 UTC - text", None, Some((16, 58)), Some("UTC"), "text"),
            sc("- **16:58 UTC** - Writer database", None, Some((16, 58)), Some("UTC"), "Writer database"),
            sc("2019-11-29 12:00", Some((Some(2019), 11, 29)), Some((12, 0)), None, ""),
            sc("10:15: text", None, Some((10, 15)), None, "text"),
            sc("10:15:00 text", None, Some((10, 15)), None, "text"),
            sc("14:51 News reports", None, Some((14, 51)), None, "News reports"),
            // A dotted time where a separator or a cell's end follows; "at" before a time.
            sc("- ore 07.30 – Avvio dell'intervento", None, Some((7, 30)), None, "Avvio dell'intervento"),
            sc("| 04.30 | Beginn des Wechsels |", None, Some((4, 30)), None, "Beginn des Wechsels |"),
            sc("- **9.05** — Alarm", None, Some((9, 5)), None, "Alarm"),
            sc("um 14:05: Neustart", None, Some((14, 5)), None, "Neustart"),
            sc("`10:15` deploy", None, Some((10, 15)), None, "deploy"),
            sc("*10:15* deploy", None, Some((10, 15)), None, "deploy"),
            sc("~~10:15~~ deploy", None, Some((10, 15)), None, "deploy"),
            sc("_10:15_ — deploy", None, Some((10, 15)), None, "deploy"),
            sc("10:15—deploy", None, Some((10, 15)), None, "deploy"),
            sc("10:15 | deploy", None, Some((10, 15)), None, "deploy"),
            sc("1. 10:15 - Deploy", None, Some((10, 15)), None, "Deploy"),
            sc("> 5:00 PM — text", None, Some((17, 0)), None, "text"),
            sc("### 11:39AM", None, Some((11, 39)), None, ""),
            sc("### 5:00 PM", None, Some((17, 0)), None, ""),
            sc("## May 12", Some((None, 5, 12)), None, None, ""),
            sc("## 15 May", Some((None, 5, 15)), None, None, ""),
            sc(
                "| 2019-11-29 12:00     | Proactively scaling |",
                Some((Some(2019), 11, 29)),
                Some((12, 0)),
                None,
                "Proactively scaling |",
            ),
            sc(
                "| 2021-12-10   15:40 | We became aware |",
                Some((Some(2021), 12, 10)),
                Some((15, 40)),
                None,
                "We became aware |",
            ),
            sc("| 2021-12-10         | Published |", Some((Some(2021), 12, 10)), None, None, "Published |"),
            sc("| 2019-12-03 --:--     | Surge |", Some((Some(2019), 12, 3)), None, None, "Surge |"),
            sc("* [???] IOPS reached", None, None, None, "IOPS reached"),
            sc("| 0730 | `operator` | The operator |", None, Some((7, 30)), None, "`operator` | The operator |"),
            sc("| 1930 | `operator` |", None, Some((19, 30)), None, "`operator` |"),
            sc("0945 - operator", None, Some((9, 45)), None, "operator"),
            sc("0730", None, Some((7, 30)), None, ""),
            sc("1015 UTC: deploy", None, Some((10, 15)), Some("UTC"), "deploy"),
            sc("- [03-26 23:04] The node", Some((None, 3, 26)), Some((23, 4)), None, "The node"),
            sc("- [12-05 16:21] Crashloop", Some((None, 12, 5)), Some((16, 21)), None, "Crashloop"),
            sc(
                "12:45 PM PST Saturday Oct 30th: First wave",
                Some((None, 10, 30)),
                Some((12, 45)),
                Some("UTC-8"),
                "First wave",
            ),
            sc("14:00 PM PST Saturday Oct 30th : Devops", Some((None, 10, 30)), Some((14, 0)), Some("UTC-8"), "Devops"),
            sc("02-13-2025 11:00 pm - Mempool", Some((Some(2025), 2, 13)), Some((23, 0)), None, "Mempool"),
            sc("2025-09-29T16:54:00Z | log", Some((Some(2025), 9, 29)), Some((16, 54)), Some("UTC"), "log"),
            sc(
                "Aug 12, 2025 at 4:32PM UTC: violation",
                Some((Some(2025), 8, 12)),
                Some((16, 32)),
                Some("UTC"),
                "violation",
            ),
            sc("Friday 29 November 2019, we scaled", Some((Some(2019), 11, 29)), None, None, "we scaled"),
            sc("2015-10-21 (all times UTC)", Some((Some(2015), 10, 21)), None, None, "(all times UTC)"),
            sc("10:15 (UTC+2) deploy", None, Some((10, 15)), Some("UTC+2"), "deploy"),
            sc("10:00 Europe/Berlin: deploy", None, Some((10, 0)), Some("Europe/Berlin"), "deploy"),
            sc("10:00 ET - call", None, Some((10, 0)), Some("America/New_York"), "call"),
        ];
        let with_extra = [
            StampCase {
                end: Some((23, 0)),
                ..sc("| 17:15 - 23:00 | `operator` |", None, Some((17, 15)), None, "`operator` |")
            },
            StampCase { end: Some((11, 0)), ..sc("10-11am: standup", None, Some((10, 0)), None, "standup") },
            StampCase { end: Some((11, 0)), ..sc("10-11 am: standup", None, Some((10, 0)), None, "standup") },
            StampCase {
                end: Some((12, 30)),
                ..sc("0730 - 1230 (UTC): window", None, Some((7, 30)), Some("UTC"), "window")
            },
            StampCase {
                end: Some((17, 2)),
                ..sc("16:58 – 17:02 UTC: flapping", None, Some((16, 58)), Some("UTC"), "flapping")
            },
            StampCase {
                approximate: true,
                ..sc("**± 17:20 UTC:** prior to starting", None, Some((17, 20)), Some("UTC"), "prior to starting")
            },
            StampCase { approximate: true, ..sc("~10:00 - deploy", None, Some((10, 0)), None, "deploy") },
            StampCase { approximate: true, ..sc("[≈ 10:00] deploy", None, Some((10, 0)), None, "deploy") },
            StampCase {
                time: Some((20, 19)),
                ..sc("| 2019 | a table cell is read as a time |", None, None, None, "a table cell is read as a time |")
            },
        ];
        for case in cases.iter().chain(with_extra.iter()) {
            let line = case.line;
            let stamp = leading_stamp(line).unwrap_or_else(|| panic!("no stamp in {line:?}"));
            assert_eq!(stamp.date, case.date.map(|(y, m, d)| partial(y, m, d)), "{line:?}");
            assert_eq!(stamp.time, case.time.map(|(h, m)| hm(h, m)), "{line:?}");
            assert_eq!(stamp.end, case.end.map(|(h, m)| hm(h, m)), "{line:?}");
            assert_eq!(stamp.zone.map(|z| z.label()).as_deref(), case.zone, "{line:?}");
            assert_eq!(stamp.approximate, case.approximate, "{line:?}");
            assert_eq!(&line[stamp.consumed..], case.rest, "{line:?}");
        }
    }

    #[test]
    fn leading_stamp_exact_consumed() {
        // The en dash is three bytes: `**10:15 AM** – ` is 2 + 8 + 2 + 1 + 3 + 1.
        assert_eq!(leading_stamp("**10:15 AM** – Monitoring").map(|s| s.consumed), Some(17));
        assert_eq!(leading_stamp("[17:02] text").map(|s| s.consumed), Some(8));
        assert_eq!(leading_stamp("16:58 UTC - text").map(|s| s.consumed), Some(12));
        assert_eq!(leading_stamp("| 0730 | x").map(|s| s.consumed), Some(9));
        assert_eq!(leading_stamp("10:15: text").map(|s| s.consumed), Some(7));
        assert_eq!(leading_stamp("2019-11-29 12:00").map(|s| s.consumed), Some(16));
        // A morning or afternoon word before the time is read with it.
        let row = "- 下午 1:05　暫時關閉";
        let stamp = leading_stamp(row).expect("a stamp");
        assert_eq!((stamp.time, &row[stamp.consumed..]), (Some(hm(13, 5)), "暫時關閉"));
        let row = "- 오후 2시 20분 - 라이선스 인증 실패율";
        let stamp = leading_stamp(row).expect("a stamp");
        assert_eq!((stamp.time, &row[stamp.consumed..]), (Some(hm(14, 20)), "라이선스 인증 실패율"));
        let row = "- 6月4日（火）23時30分　配送枠データ";
        let stamp = leading_stamp(row).expect("a stamp");
        assert_eq!(stamp.date, Some(partial(None, 6, 4)));
        assert_eq!((stamp.time, &row[stamp.consumed..]), (Some(hm(23, 30)), "配送枠データ"));
    }

    #[test]
    fn weekdays_compact_hours_and_epochs_before_the_text() {
        let cases = [
            sc("- Thu 11:48 PM — First 404s", None, Some((23, 48)), None, "First 404s"),
            sc("- Fri. 12:02 AM: alert fires", None, Some((0, 2)), None, "alert fires"),
            sc("Montag, 09:00 – Start", None, Some((9, 0)), None, "Start"),
            sc("- 0631 hrs On-call acknowledges", None, Some((6, 31)), None, "On-call acknowledges"),
            sc("| 1758230712 | Page fired |", Some((Some(2025), 9, 18)), Some((21, 25)), Some("UTC"), "Page fired |"),
            sc("1758230712 - Page fired", Some((Some(2025), 9, 18)), Some((21, 25)), Some("UTC"), "Page fired"),
            sc("1758230712.250 | Page", Some((Some(2025), 9, 18)), Some((21, 25)), Some("UTC"), "Page"),
            sc("| 1758230712250 |", Some((Some(2025), 9, 18)), Some((21, 25)), Some("UTC"), ""),
        ];
        for case in &cases {
            let line = case.line;
            let stamp = leading_stamp(line).unwrap_or_else(|| panic!("no stamp in {line:?}"));
            assert_eq!(stamp.date, case.date.map(|(y, m, d)| partial(y, m, d)), "{line:?}");
            let minute = stamp.time.and_then(|t| t.replace_second(0).ok()).and_then(|t| t.replace_nanosecond(0).ok());
            assert_eq!(minute, case.time.map(|(h, m)| hm(h, m)), "{line:?}");
            assert_eq!(stamp.zone.map(|z| z.label()).as_deref(), case.zone, "{line:?}");
            assert_eq!(&line[stamp.consumed..], case.rest, "{line:?}");
        }
        // A range written with its words.
        let from = leading_stamp("- from 10:50 to 11:05 — Held orders re-released").expect("a stamp");
        assert_eq!((from.time, from.end), (Some(hm(10, 50)), Some(hm(11, 5))));
        assert_eq!(leading_stamp("- from 10 engineers, two joined"), None);
        // Noon as a word, and "the next day" before a time.
        let noon = leading_stamp("- 正午　配信事業者に依頼").expect("a stamp");
        assert_eq!(noon.time, Some(hm(12, 0)));
        let next = leading_stamp("- 翌午前0時20分　送信待ち件数がゼロ").expect("a stamp");
        assert_eq!(
            (next.time, &"- 翌午前0時20分　送信待ち件数がゼロ"[next.consumed..]),
            (Some(hm(0, 20)), "送信待ち件数がゼロ")
        );
        // Epochs are read to the second, always in UTC.
        let stamp = leading_stamp("| 1758230712 | x |").expect("a stamp");
        assert_eq!(stamp.time, time::Time::from_hms(21, 25, 12).ok());
    }

    #[test]
    fn compact_times_before_text_only_in_a_timeline_written_that_way() {
        use crate::import::when::leading_stamp_compact_rows;
        let row = "- 0558 Nightly route optimiser run completes.";
        assert_eq!(leading_stamp(row), None, "alone, `0558 text` could be a count");
        let stamp = leading_stamp_compact_rows(row).expect("a stamp");
        assert_eq!(
            (stamp.time, stamp.compact, &row[stamp.consumed..]),
            (Some(hm(5, 58)), true, "Nightly route optimiser run completes.")
        );
        assert_eq!(leading_stamp_compact_rows("- 1420 Debrief held").map(|s| s.time), Some(Some(hm(14, 20))));
        for line in [
            "- 1.2.1420 released",
            "- 2561 tickets closed",
            "- 1015widgets",
            "- :8080 open",
            "- #1420 merged",
            "- 0631",
        ] {
            let time = leading_stamp_compact_rows(line).and_then(|s| s.time);
            assert!(time.is_none() || line == "- 0631", "{line:?}");
        }
    }

    #[test]
    fn not_leading_stamps() {
        let cases = [
            "",
            "   ",
            ">Katharine [8:27 AM]",
            "3:1 ratio",
            "1.2.3 released",
            "HTTP 504 at 10:15",
            "At 10:15 we restarted",
            "5 minutes later",
            "| Date | February 4th, 2019 |",
            "| ---- | ---------- |",
            "10 engineers joined",
            "2019 - a year to forget",
            "2019 was a year",
            "10:15abc",
            "v10:15 released",
            "1-3 hours later",
            "12-05 deploy",
            "**Duration:** March 1, 2025",
            "- [ ] follow up",
            "??? what",
            // Weekdays, hours and epochs that are not stamps.
            "Thursday was busy",
            "Mon 5 people joined",
            "1200 hours of work lost",
            "| 1234567 | ticket |",
            "| 9999999999 | id |",
            "| 0999999999 | id |",
            "1758230712abc",
            "- 2.10 release notes went out",
            "ore 07.30 era tardi",
            "1.15 of the fleet",
            "1758230712.5.3 is a version",
            "+1758230712 called",
            "17582307120 is a phone number",
        ];
        for line in cases {
            assert_eq!(leading_stamp(line), None, "{line:?}");
        }
    }
}
