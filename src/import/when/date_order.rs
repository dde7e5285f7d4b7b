//! The order of a document's numeric dates (`11/04/2025`: 11 April or November 4?). A date alone
//! cannot say; the document can: another of its dates that only one order reads (`25/04/2025`),
//! else the zone it names (a North American one writes month first), else day first, as most of
//! the world does. [`with_order`] lets the date readers use the order found while one document is
//! read; outside it an ambiguous date stays unread, as nothing says which it is.

use std::cell::Cell;

/// Which number of an ambiguous `a/b/yyyy` date is the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// The order found and why, for the note that tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundOrder {
    pub order: DateOrder,
    /// The first ambiguous date, as written (`11/04/2025`).
    pub example: String,
    pub reason: &'static str,
}

thread_local! {
    static ORDER: Cell<Option<DateOrder>> = const { Cell::new(None) };
}

/// The order ambiguous dates are read in, inside [`with_order`].
pub(super) fn current() -> Option<DateOrder> {
    ORDER.with(Cell::get)
}

/// Runs `read` with ambiguous numeric dates read in `order` (on this thread only; the previous
/// order comes back afterwards, even if `read` panics).
pub fn with_order<T>(order: Option<DateOrder>, read: impl FnOnce() -> T) -> T {
    struct Restore(Option<DateOrder>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ORDER.with(|cell| cell.set(self.0));
        }
    }
    let _restore = Restore(ORDER.with(|cell| cell.replace(order)));
    read()
}

/// Zones written in North America, where dates are written month first.
const MONTH_FIRST_ZONES: &[&str] =
    &["PST", "PDT", "MST", "MDT", "CST", "CDT", "EST", "EDT", "AKST", "AKDT", "HST", "America/", "US/"];

/// The order of `text`'s ambiguous numeric dates, when it has any.
pub fn find(text: &str) -> Option<FoundOrder> {
    let dates = numeric_dates(text);
    let (_, _, written) = dates.iter().find(|(a, b, _)| a != b && *a <= 12 && *b <= 12)?;
    let example = (*written).to_owned();
    let day_first = dates.iter().any(|(a, b, _)| *a > 12 && *b <= 12);
    let month_first = dates.iter().any(|(a, b, _)| *b > 12 && *a <= 12);
    let (order, reason) = match (day_first, month_first) {
        (true, false) => (DateOrder::DayFirst, "another of its dates can only be read day first"),
        (false, true) => (DateOrder::MonthFirst, "another of its dates can only be read month first"),
        _ if names_month_first_zone(text) => (DateOrder::MonthFirst, "it names a North American time zone"),
        _ => (DateOrder::DayFirst, "nothing in it says otherwise and most of the world writes day first"),
    };
    Some(FoundOrder { order, example, reason })
}

fn names_month_first_zone(text: &str) -> bool {
    MONTH_FIRST_ZONES.iter().any(|zone| {
        text.match_indices(zone).any(|(at, _)| {
            let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after =
                text[at + zone.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() || zone.ends_with('/'));
            before && after
        })
    })
}

/// Every `a/b/yyyy` or `a-b-yy` date in `text` (one or two digits, then a year of two or four):
/// its two first numbers and the date as written.
fn numeric_dates(text: &str) -> Vec<(u32, u32, &str)> {
    let b = text.as_bytes();
    let digits_at = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let number = |i: usize, n: usize| text[i..i + n].parse::<u32>().ok();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit()
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'/' | b'-' | b'.')))
        {
            i += 1;
            continue;
        }
        let na = digits_at(i);
        let read = (|| {
            let sep = *b.get(i + na).filter(|c| matches!(c, b'/' | b'-'))?;
            let nb = digits_at(i + na + 1);
            let year_at = i + na + 1 + nb + 1;
            (b.get(year_at - 1) == Some(&sep)).then_some(())?;
            let ny = digits_at(year_at);
            let end = year_at + ny;
            let boundary = b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric() && *c != sep);
            ((1..=2).contains(&na) && (1..=2).contains(&nb) && matches!(ny, 2 | 4) && boundary).then_some(())?;
            Some((number(i, na)?, number(i + na + 1, nb)?, &text[i..end], end))
        })();
        match read {
            Some((a, second, written, end)) => {
                found.push((a, second, written));
                i = end;
            }
            None => i += na.max(1),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_says_which_order_its_dates_are_in() {
        let order = |text: &str| find(text).map(|found| found.order);
        // Another date only one order reads.
        assert_eq!(order("Started 11/04/2025; fixed 25/04/2025."), Some(DateOrder::DayFirst));
        assert_eq!(order("Started 11/04/2025; fixed 11/25/2025."), Some(DateOrder::MonthFirst));
        // A North American zone, else day first.
        assert_eq!(order("At 10:15 PDT on 11/04/2025."), Some(DateOrder::MonthFirst));
        assert_eq!(order("At 10:15 CET on 11/04/2025."), Some(DateOrder::DayFirst));
        // Nothing ambiguous: nothing to decide.
        assert_eq!(order("On 25/04/2025 and 2025-04-11, v1/2/3, 04/04/2025."), None);
        assert_eq!(find("x 06/09/24 y").map(|found| found.example), Some("06/09/24".to_owned()));
        // Not a zone: a word that holds one.
        assert!(!names_month_first_zone("ESTABLISHED, PSTN"));
    }

    #[test]
    fn the_order_holds_inside_with_order_only() {
        assert_eq!(current(), None);
        let inside = with_order(Some(DateOrder::MonthFirst), current);
        assert_eq!(inside, Some(DateOrder::MonthFirst));
        assert_eq!(current(), None);
        let _ = std::panic::catch_unwind(|| with_order(Some(DateOrder::DayFirst), || panic!("reading failed")));
        assert_eq!(current(), None);
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in ["", "1", "1/", "1/2", "1/2/", "12/12/12345", "é1/2/2025", "1-2-25x", "99/99/9999"] {
            let _ = find(text);
        }
    }
}
