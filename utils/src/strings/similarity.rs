//! String similarity through `strsim`, and a "did you mean" helper.
//!
//! Distances count Unicode scalar values (`char`s). All metrics cost
//! O(n·m) time for inputs of n and m characters: bound the input length
//! before comparing untrusted text.

/// The Levenshtein edit distance (insertions, deletions, substitutions).
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::levenshtein;
///
/// assert_eq!(levenshtein("kitten", "sitting"), 3);
/// assert_eq!(levenshtein("", "abc"), 3);
/// ```
#[must_use]
pub fn levenshtein(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Levenshtein distance scaled to a similarity in `0.0..=1.0` (1.0: equal).
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::normalized_levenshtein;
///
/// assert!((normalized_levenshtein("kitten", "sitting") - 0.571).abs() < 0.001);
/// assert_eq!(normalized_levenshtein("", ""), 1.0);
/// ```
#[must_use]
pub fn normalized_levenshtein(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

/// Jaro-Winkler similarity in `0.0..=1.0`, favouring common prefixes: good
/// for short identifiers and typos.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::jaro_winkler;
///
/// assert!(jaro_winkler("martha", "marhta") > 0.96);
/// assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
/// ```
#[must_use]
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(a, b)
}

/// The candidate most similar to `input` (case-insensitive Jaro-Winkler),
/// if its score is at least 0.8; for "unknown field `stauts`, did you mean
/// `status`?" messages. Ties go to the earliest candidate.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::did_you_mean;
///
/// assert_eq!(did_you_mean("REGOIN", ["region", "zone"]), Some("region"));
/// assert_eq!(did_you_mean("xyz", ["region", "zone"]), None);
/// ```
pub fn did_you_mean<'c, I>(input: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    did_you_mean_with(input, candidates, 0.8)
}

/// [`did_you_mean`] with your own minimum score in `0.0..=1.0`.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::did_you_mean_with;
///
/// assert_eq!(did_you_mean_with("tmeout", ["timeout", "retries"], 0.99), None);
/// assert_eq!(did_you_mean_with("tmeout", ["timeout", "retries"], 0.7), Some("timeout"));
/// ```
pub fn did_you_mean_with<'c, I>(input: &str, candidates: I, min_score: f64) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let input = input.to_lowercase();
    let mut best: Option<(&'c str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&input, &c.to_lowercase());
        if score >= min_score && best.is_none_or(|(_, b)| score > b) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}
