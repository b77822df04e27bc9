//! Masking: hide all but the last few characters of a value.
//!
//! One mask character is written per hidden unit, so the length stays
//! visible unless [`MaskOptions::fixed_mask`] is set. To stay safe on short
//! values, at most **half** of the units are ever shown: `mask("1234", 4)`
//! is `"**34"`, not `"1234"`.

use unicode_segmentation::UnicodeSegmentation;

/// What [`mask_with`] counts.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{mask_with, MaskOptions, MaskUnit};
///
/// let by_char = MaskOptions { keep_last: 1, unit: MaskUnit::Chars, ..MaskOptions::default() };
/// // "e" + U+0301 is two chars but one grapheme.
/// assert_eq!(mask_with("cafe\u{301}", &by_char), "****\u{301}");
/// let by_grapheme = MaskOptions { keep_last: 1, ..MaskOptions::default() };
/// assert_eq!(mask_with("cafe\u{301}", &by_grapheme), "***e\u{301}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaskUnit {
    /// Unicode scalar values (`char`s).
    Chars,
    /// Extended grapheme clusters (what a reader sees as one character).
    #[default]
    Graphemes,
}

/// Options for [`mask_with`].
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{mask_with, MaskOptions};
///
/// let opts = MaskOptions { keep_last: 4, mask_char: '•', fixed_mask: Some(4), ..MaskOptions::default() };
/// assert_eq!(mask_with("4111111111111111", &opts), "••••1111");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskOptions {
    /// How many trailing units to show (default 4), never more than half.
    pub keep_last: usize,
    /// Written for each hidden unit (default `*`).
    pub mask_char: char,
    /// What a unit is (default graphemes).
    pub unit: MaskUnit,
    /// Write exactly this many mask characters, hiding the length.
    pub fixed_mask: Option<usize>,
}

impl Default for MaskOptions {
    fn default() -> Self {
        Self {
            keep_last: 4,
            mask_char: '*',
            unit: MaskUnit::Graphemes,
            fixed_mask: None,
        }
    }
}

/// Masks all but the last `keep_last` graphemes of `s` with `*` (showing at
/// most half of them).
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::mask;
///
/// assert_eq!(mask("4111111111111111", 4), "************1111");
/// assert_eq!(mask("1234", 4), "**34"); // never more than half shown
/// assert_eq!(mask("ab👍🏽", 1), "**👍🏽");
/// assert_eq!(mask("", 4), "");
/// ```
#[must_use]
pub fn mask(s: &str, keep_last: usize) -> String {
    mask_with(
        s,
        &MaskOptions {
            keep_last,
            ..MaskOptions::default()
        },
    )
}

/// [`mask`] with your own unit, mask character and length hiding.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{mask_with, MaskOptions};
///
/// let opts = MaskOptions { keep_last: 2, mask_char: '#', ..MaskOptions::default() };
/// assert_eq!(mask_with("secret", &opts), "####et");
/// ```
#[must_use]
pub fn mask_with(s: &str, options: &MaskOptions) -> String {
    let boundaries: Vec<usize> = match options.unit {
        MaskUnit::Chars => s.char_indices().map(|(i, _)| i).collect(),
        MaskUnit::Graphemes => s.grapheme_indices(true).map(|(i, _)| i).collect(),
    };
    let total = boundaries.len();
    let shown = options.keep_last.min(total / 2);
    let hidden = total - shown;
    let tail = boundaries
        .get(hidden)
        .and_then(|&i| s.get(i..))
        .unwrap_or_default();
    let stars = options.fixed_mask.unwrap_or(hidden);
    let mut out = String::with_capacity(stars * options.mask_char.len_utf8() + tail.len());
    out.extend(std::iter::repeat_n(options.mask_char, stars));
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_rule_and_edges() {
        assert_eq!(mask("a", 4), "*");
        assert_eq!(mask("ab", 4), "*b");
        assert_eq!(mask("abc", 0), "***");
        assert_eq!(mask("abcdefgh", 100), "****efgh");
        let o = MaskOptions {
            fixed_mask: Some(0),
            ..MaskOptions::default()
        };
        assert_eq!(mask_with("abcdefgh", &o), "efgh");
    }
}
