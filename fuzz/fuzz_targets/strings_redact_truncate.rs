//! Redaction and truncation on arbitrary text. Nothing panics; a secret
//! embedded in the text (on its own line, in one of the shapes the default
//! rules cover) never survives redaction; an untouched input comes back
//! borrowed; truncation returns a prefix that ends on a grapheme boundary
//! within the limit, ellipsis included.
#![no_main]

use std::borrow::Cow;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_utils::strings;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Arbitrary, Debug)]
struct Input {
    before: String,
    after: String,
    shape: u8,
    token: Vec<u8>,
    max: u8,
    ellipsis: u8,
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fuzz_target!(|input: Input| {
    // Arbitrary text alone: no panic, borrowed means unchanged.
    for text in [&input.before, &input.after] {
        let out = strings::redact(text);
        if let Cow::Borrowed(b) = out {
            assert_eq!(b, text.as_str());
        }
        check_truncation(text, usize::from(input.max), input.ellipsis);
    }

    // A secret on its own line between arbitrary lines.
    let token: String = input
        .token
        .iter()
        .map(|&b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect();
    if token.len() >= 12 && !input.before.contains(&token) && !input.after.contains(&token) {
        let line = match input.shape % 6 {
            0 => format!("password={token}"),
            1 => format!("Authorization: Bearer {token}"),
            2 => format!("https://user:{token}@example.com/"),
            3 => format!(r#"{{"api_key": "{token}"}}"#),
            4 => format!("Cookie: session={token}"),
            _ => format!("?client_secret={token}&x=1"),
        };
        let text = format!("{}\n{line}\n{}", input.before, input.after);
        let out = strings::redact(&text);
        assert!(!out.contains(&token), "{token:?} survived in {out:?}");
    }
});

fn check_truncation(s: &str, max: usize, ellipsis: u8) {
    let ellipsis = ["", "…", "...", "👨\u{200d}👩"][usize::from(ellipsis % 4)];
    let mut boundaries: Vec<usize> = s.grapheme_indices(true).map(|(i, _)| i).collect();
    boundaries.push(s.len());

    let g = strings::truncate_graphemes(s, max);
    assert!(s.starts_with(g) && boundaries.contains(&g.len()));
    assert_eq!(g.graphemes(true).count(), max.min(boundaries.len() - 1));

    let b = strings::truncate_bytes(s, max);
    assert!(s.starts_with(b) && boundaries.contains(&b.len()) && b.len() <= max);

    let ge = strings::truncate_graphemes_with_ellipsis(s, max, ellipsis);
    if ge != s {
        assert!(ge.graphemes(true).count() <= max);
        let kept = ge.strip_suffix(ellipsis).unwrap_or(&ge);
        assert!(s.starts_with(kept) && boundaries.contains(&kept.len()));
    }
    let be = strings::truncate_bytes_with_ellipsis(s, max, ellipsis);
    if be != s {
        assert!(be.len() <= max);
        let kept = be.strip_suffix(ellipsis).unwrap_or(&be);
        assert!(s.starts_with(kept) && boundaries.contains(&kept.len()));
    }
}
