//! Truncation that never splits a grapheme cluster.
//!
//! A user-perceived character (an accented letter written with a combining
//! mark, a flag, a family emoji joined with ZWJ) can span several `char`s
//! and many bytes. Cutting by `char` (as Go's `[]rune` helpers do) splits
//! them; cutting by byte index can panic (`byte index is not a char
//! boundary`). These functions cut only between extended grapheme clusters
//! (Unicode UAX #29, through `unicode-segmentation`).
//!
//! | function | limit counts | returns |
//! | --- | --- | --- |
//! | [`truncate_graphemes`] | graphemes (UI: "at most 20 characters") | a prefix, borrowed |
//! | [`truncate_bytes`] | UTF-8 bytes (database columns, headers) | a prefix, borrowed |
//! | [`truncate_graphemes_with_ellipsis`] | graphemes, ellipsis included | prefix + ellipsis |
//! | [`truncate_bytes_with_ellipsis`] | bytes, ellipsis included | prefix + ellipsis |
//!
//! The ellipsis is added only when something was cut, and it counts toward
//! the limit. When the limit is smaller than the ellipsis itself, the
//! ellipsis is dropped and the plain prefix is returned, so the result is
//! never longer than the limit.
//!
//! Each call costs time proportional to the part kept (plus one grapheme),
//! not to the whole input, and a leading run of ASCII is cut without running
//! the segmenter at all.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;

/// The longest prefix of `s` with at most `max` grapheme clusters.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::truncate_graphemes;
///
/// assert_eq!(truncate_graphemes("héllo", 2), "hé");
/// // "e" + combining acute accent is one grapheme: never split.
/// assert_eq!(truncate_graphemes("e\u{301}x", 1), "e\u{301}");
/// assert_eq!(truncate_graphemes("🇫🇷🇩🇪", 1), "🇫🇷");
/// assert_eq!(truncate_graphemes("abc", 10), "abc");
/// ```
#[must_use]
pub fn truncate_graphemes(s: &str, max: usize) -> &str {
    let start = ascii_start(s);
    if start >= max {
        // Each of the first `max + 1` characters is plain ASCII: one
        // grapheme per byte, and a boundary after each.
        return s.get(..max).unwrap_or(s);
    }
    let rest = s.get(start..).unwrap_or_default();
    match rest.grapheme_indices(true).nth(max - start) {
        Some((i, _)) => s.get(..start + i).unwrap_or(s),
        None => s,
    }
}

/// The length of the prefix of `s` known to be one grapheme per byte, at
/// whose end a grapheme starts: the run of leading ASCII characters other
/// than CR (CR LF is one grapheme), minus the last one (a combining mark
/// after it would join it). Between two such characters there is always a
/// boundary (UAX #29 breaks everywhere else in ASCII), and segmentation
/// restarted at such a boundary matches segmentation of the whole string,
/// since no rule looks back across an ASCII character.
fn ascii_start(s: &str) -> usize {
    let run = s
        .bytes()
        .position(|b| !b.is_ascii() || b == b'\r')
        .unwrap_or(s.len());
    if run == s.len() {
        run
    } else {
        run.saturating_sub(1)
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a grapheme
/// boundary.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::truncate_bytes;
///
/// assert_eq!(truncate_bytes("héllo", 2), "h"); // 'é' is 2 bytes: it would not fit
/// assert_eq!(truncate_bytes("héllo", 3), "hé");
/// assert_eq!(truncate_bytes("👍🏽 ok", 4), ""); // thumbs up + skin tone is 8 bytes
/// ```
#[must_use]
pub fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let start = ascii_start(s);
    if start >= max {
        return s.get(..max).unwrap_or_default();
    }
    let mut end = start;
    for (i, g) in s.get(start..).unwrap_or_default().grapheme_indices(true) {
        if start + i + g.len() > max {
            break;
        }
        end = start + i + g.len();
    }
    s.get(..end).unwrap_or_default()
}

/// Cuts `s` to at most `max` graphemes, ending with `ellipsis` when
/// something was cut; the ellipsis counts toward `max`. If `ellipsis` alone
/// has more than `max` graphemes, the plain [`truncate_graphemes`] prefix is
/// returned instead.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::truncate_graphemes_with_ellipsis;
///
/// assert_eq!(truncate_graphemes_with_ellipsis("Hello, world", 8, "…"), "Hello, …");
/// assert_eq!(truncate_graphemes_with_ellipsis("Hello", 5, "…"), "Hello"); // fits: unchanged
/// assert_eq!(truncate_graphemes_with_ellipsis("Hello", 2, "..."), "He"); // limit < ellipsis
/// ```
#[must_use]
pub fn truncate_graphemes_with_ellipsis<'a>(
    s: &'a str,
    max: usize,
    ellipsis: &str,
) -> Cow<'a, str> {
    let fits = truncate_graphemes(s, max);
    if fits.len() == s.len() {
        return Cow::Borrowed(s);
    }
    let e = ellipsis.graphemes(true).count();
    if e > max {
        return Cow::Borrowed(fits);
    }
    let mut out = truncate_graphemes(s, max - e).to_owned();
    out.push_str(ellipsis);
    Cow::Owned(out)
}

/// Cuts `s` to at most `max` bytes on a grapheme boundary, ending with
/// `ellipsis` when something was cut; the ellipsis's bytes count toward
/// `max`. If `ellipsis` alone is longer than `max` bytes, the plain
/// [`truncate_bytes`] prefix is returned instead.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::truncate_bytes_with_ellipsis;
///
/// // "…" is 3 bytes, so 7 bytes leave room for 4 bytes of text.
/// assert_eq!(truncate_bytes_with_ellipsis("naïve text", 7, "…"), "naï…");
/// assert_eq!(truncate_bytes_with_ellipsis("short", 10, "…"), "short");
/// assert_eq!(truncate_bytes_with_ellipsis("abcdef", 2, "…"), "ab");
/// ```
#[must_use]
pub fn truncate_bytes_with_ellipsis<'a>(s: &'a str, max: usize, ellipsis: &str) -> Cow<'a, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    if ellipsis.len() > max {
        return Cow::Borrowed(truncate_bytes(s, max));
    }
    let mut out = truncate_bytes(s, max - ellipsis.len()).to_owned();
    out.push_str(ellipsis);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200d}👩\u{200d}👧";

    #[test]
    fn graphemes_never_split() {
        let s = format!("a{FAMILY}b");
        assert_eq!(truncate_graphemes(&s, 0), "");
        assert_eq!(truncate_graphemes(&s, 1), "a");
        assert_eq!(truncate_graphemes(&s, 2), format!("a{FAMILY}"));
        assert_eq!(truncate_bytes(&s, 5), "a");
        assert_eq!(truncate_bytes(&s, 1 + FAMILY.len()), format!("a{FAMILY}"));
        // Go-style rune truncation would return "a👨".
    }

    #[test]
    fn ascii_fast_path_respects_marks_and_crlf() {
        assert_eq!(truncate_graphemes("abe\u{301}", 3), "abe\u{301}");
        assert_eq!(truncate_graphemes("abe\u{301}x", 2), "ab");
        assert_eq!(truncate_bytes("abe\u{301}", 3), "ab");
        assert_eq!(truncate_graphemes("a\r\nb", 2), "a\r\n");
        assert_eq!(truncate_bytes("a\r\nb", 2), "a");
        assert_eq!(truncate_graphemes("abc", 3), "abc");
        assert_eq!(truncate_bytes("abc", 2), "ab");
    }

    #[test]
    fn rtl_and_combining() {
        let s = "שָׁלוֹם";
        assert_eq!(truncate_graphemes(s, 1), "שָׁ");
        assert!(truncate_bytes(s, 3).is_empty() || s.starts_with(truncate_bytes(s, 3)));
    }

    #[test]
    fn ellipsis_rules() {
        assert_eq!(truncate_graphemes_with_ellipsis("abcdef", 4, "…"), "abc…");
        assert_eq!(truncate_graphemes_with_ellipsis("abcdef", 1, "…"), "…");
        assert_eq!(truncate_graphemes_with_ellipsis("abcdef", 0, "…"), "");
        assert_eq!(truncate_graphemes_with_ellipsis("abcdef", 3, ""), "abc");
        assert_eq!(truncate_bytes_with_ellipsis("abcdef", 3, "…"), "…");
        assert_eq!(truncate_bytes_with_ellipsis("abcdef", 4, "…"), "a…");
        assert_eq!(truncate_bytes_with_ellipsis("abcdef", 0, "…"), "");
        assert_eq!(truncate_bytes_with_ellipsis("", 0, "…"), "");
    }
}
