//! URL slugs that are never empty.
//!
//! Text is transliterated to ASCII with `deunicode` (`Crème` → `Creme`,
//! `Москва` → `Moskva`, `北京` → `Bei Jing`), lower-cased, and every run
//! of anything but ASCII letters and digits becomes one separator; leading
//! and trailing separators are dropped. When nothing is left (empty input,
//! only punctuation or emoji without a transliteration), the fallback is
//! returned: a slug is never empty.

/// Options for [`slugify_with`].
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{slugify_with, SlugOptions};
///
/// let opts = SlugOptions { separator: '_', max_len: Some(10), fallback: "item".into(), lowercase: true };
/// assert_eq!(slugify_with("Hello World Again", &opts), "hello_worl");
/// assert_eq!(slugify_with("!!!", &opts), "item");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlugOptions {
    /// Written between words. Use an ASCII character (`-` by default);
    /// another character is written as given.
    pub separator: char,
    /// The most characters the slug may have; it is cut (and a trailing
    /// separator dropped) to fit. `None` for no limit. The fallback is not
    /// cut.
    pub max_len: Option<usize>,
    /// Returned when the slug would be empty (`"untitled"` by default).
    pub fallback: String,
    /// Lower-case the result (default `true`).
    pub lowercase: bool,
}

impl Default for SlugOptions {
    fn default() -> Self {
        Self {
            separator: '-',
            max_len: None,
            fallback: "untitled".to_owned(),
            lowercase: true,
        }
    }
}

/// A lower-case, `-`-separated ASCII slug of `s`, never empty.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::slugify;
///
/// assert_eq!(slugify("  Hello, Wörld!  "), "hello-world");
/// assert_eq!(slugify("Ünïcödé   is — fine"), "unicode-is-fine");
/// assert_eq!(slugify("🙂"), "slight-smile");
/// assert_eq!(slugify(""), "untitled");
/// ```
#[must_use]
pub fn slugify(s: &str) -> String {
    slugify_with(s, &SlugOptions::default())
}

/// [`slugify`] with your own separator, length limit, fallback and case.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{slugify_with, SlugOptions};
///
/// let opts = SlugOptions { lowercase: false, ..SlugOptions::default() };
/// assert_eq!(slugify_with("Rust 2024 Edition", &opts), "Rust-2024-Edition");
/// ```
#[must_use]
pub fn slugify_with(s: &str, options: &SlugOptions) -> String {
    let ascii = deunicode::deunicode_with_tofu(s, " ");
    let mut out = String::with_capacity(ascii.len());
    let mut chars = 0usize;
    let limit = options.max_len.unwrap_or(usize::MAX);
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let sep = usize::from(chars > 0);
        if chars + sep >= limit {
            break;
        }
        if sep == 1 {
            out.push(options.separator);
            chars += 1;
        }
        for c in word.chars().take(limit - chars) {
            out.push(if options.lowercase {
                c.to_ascii_lowercase()
            } else {
                c
            });
            chars += 1;
        }
    }
    if out.is_empty() {
        options.fallback.clone()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_limits() {
        assert_eq!(slugify("Москва"), "moskva");
        assert_eq!(slugify("a--b__c"), "a-b-c");
        assert_eq!(slugify("\u{0}\u{202e}"), "untitled");
        let o = SlugOptions {
            max_len: Some(2),
            ..SlugOptions::default()
        };
        assert_eq!(slugify_with("a bc", &o), "a");
        let zero = SlugOptions {
            max_len: Some(0),
            ..SlugOptions::default()
        };
        assert_eq!(slugify_with("abc", &zero), "untitled");
    }
}
