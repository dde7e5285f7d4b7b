//! Byte helpers. All positions handed out are at ASCII bytes or after whole UTF-8 sequences, so they are char
//! boundaries; `at` reads past the end as 0.

use std::ops::Range;

pub(super) fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

pub(super) fn before(b: &[u8], i: usize) -> u8 {
    i.checked_sub(1).map_or(0, |j| at(b, j))
}

pub(super) fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

pub(super) fn seq(b: &[u8], i: usize, s: &[u8]) -> bool {
    b.get(i..).is_some_and(|rest| rest.starts_with(s))
}

pub(super) fn word_eq(b: &[u8], i: usize, len: usize, lit: &str) -> bool {
    b.get(i..i + len).is_some_and(|w| w.eq_ignore_ascii_case(lit.as_bytes()))
}

/// Byte length of the whitespace character at `i` (space, tab, newline, no-break and narrow spaces), or 0.
pub(super) fn space_len(b: &[u8], i: usize) -> usize {
    match at(b, i) {
        b' ' | b'\t' | b'\n' | b'\r' => 1,
        0xC2 if at(b, i + 1) == 0xA0 => 2,
        0xE2 if at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0x80..=0x8A | 0xAF) => 3,
        0xE3 if at(b, i + 1) == 0x80 && at(b, i + 2) == 0x80 => 3,
        _ => 0,
    }
}

pub(super) fn skip_ws(b: &[u8], mut i: usize, max_chars: usize) -> usize {
    let mut n = 0;
    while n < max_chars {
        let len = space_len(b, i);
        if len == 0 {
            break;
        }
        i += len;
        n += 1;
    }
    i
}

/// Length of a dash at `i`: `-` or U+2010..U+2015 (‐ ‑ ‒ – — ―).
pub(super) fn dash_len(b: &[u8], i: usize) -> usize {
    match at(b, i) {
        b'-' => 1,
        0xE2 if at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0x90..=0x95) => 3,
        _ => 0,
    }
}

pub(super) const MINUS_SIGN: &[u8] = "\u{2212}".as_bytes();

/// An offset sign at `i`: `+`, `-` or `−` (U+2212). Returns (negative, length, is ASCII hyphen).
pub(super) fn sign_at(b: &[u8], i: usize) -> Option<(bool, usize, bool)> {
    match at(b, i) {
        b'+' => Some((false, 1, false)),
        b'-' => Some((true, 1, true)),
        _ if seq(b, i, MINUS_SIGN) => Some((true, 3, false)),
        _ => None,
    }
}

/// Reads up to `max` ASCII digits; returns the value and how many were read.
pub(super) fn read_num(b: &[u8], i: usize, max: usize) -> (u32, usize) {
    let mut value: u32 = 0;
    let mut n = 0;
    while n < max {
        let c = at(b, i + n);
        if !c.is_ascii_digit() {
            break;
        }
        value = value.saturating_mul(10).saturating_add(u32::from(c - b'0'));
        n += 1;
    }
    (value, n)
}

/// Number of ASCII letters at `i`, counting at most `max + 1` (so a longer run reads as too long).
pub(super) fn letters(b: &[u8], i: usize, max: usize) -> usize {
    let mut n = 0;
    while n <= max && at(b, i + n).is_ascii_alphabetic() {
        n += 1;
    }
    n
}

/// The range of the letters-only word that ends just before `i`, skipping up to 4 spaces or `:`, `,`, `*`, `_`.
pub(super) fn word_before(b: &[u8], i: usize) -> Option<Range<usize>> {
    let mut j = i;
    let mut n = 0;
    while j > 0 && n < 4 && matches!(before(b, j), b' ' | b'\t' | b'\n' | b'\r' | b':' | b',' | b'*' | b'_') {
        j -= 1;
        n += 1;
    }
    let end = j;
    let mut m = 0;
    while j > 0 && m < 12 && before(b, j).is_ascii_alphabetic() {
        j -= 1;
        m += 1;
    }
    if m == 0 || is_word(before(b, j)) { None } else { Some(j..end) }
}

pub(super) fn any_eq(b: &[u8], r: &Range<usize>, words: &[&str]) -> bool {
    b.get(r.clone()).is_some_and(|w| words.iter().any(|lit| w.eq_ignore_ascii_case(lit.as_bytes())))
}
