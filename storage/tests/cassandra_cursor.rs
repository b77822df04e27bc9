//! Property tests of the cursor codec against a simple model: a cursor
//! verifies only for the exact query it was issued for, before its expiry,
//! under a key still held, and unaltered.
#![cfg(feature = "cassandra")]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pillars_storage::cassandra::CursorError;
use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint, ManualClock};
use proptest::prelude::*;

fn codec(encrypt: bool, clock: Arc<ManualClock>) -> CursorCodec {
    CursorCodec::new(CursorKey::new(1, [0x5a; 32]))
        .with_encryption(encrypt)
        .with_ttl(Duration::from_secs(600))
        .with_clock(clock)
}

fn query() -> impl Strategy<Value = (String, Vec<u8>, u32)> {
    (
        "[a-zA-Z *=?.]{0,40}",
        proptest::collection::vec(any::<u8>(), 0..24),
        1u32..10_000,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(state in proptest::collection::vec(any::<u8>(), 0..200), (s, v, p) in query(), encrypt: bool) {
        let clock = Arc::new(ManualClock::new(1_700_000_000));
        let c = codec(encrypt, clock);
        let fp = Fingerprint::new(&s, &v, p);
        let cursor = c.encode(&state, &fp).unwrap();
        prop_assert!(cursor.as_str().len() <= c.max_len());
        prop_assert_eq!(c.decode(cursor.as_str(), &fp).unwrap(), state);
    }

    #[test]
    fn any_bit_flip_is_rejected(state in proptest::collection::vec(any::<u8>(), 0..64), encrypt: bool, bit in any::<usize>()) {
        let clock = Arc::new(ManualClock::new(1_700_000_000));
        let c = codec(encrypt, clock);
        let fp = Fingerprint::new("SELECT * FROM ks.t WHERE pk = ?", b"\0\0\0\x01\x07", 10);
        let cursor = c.encode(&state, &fp).unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(cursor.as_str()).unwrap();
        let bit = bit % (raw.len() * 8);
        raw[bit / 8] ^= 1 << (bit % 8);
        let forged = URL_SAFE_NO_PAD.encode(&raw);
        prop_assert!(c.decode(&forged, &fp).is_err());
    }

    #[test]
    fn any_character_change_is_rejected(state in proptest::collection::vec(any::<u8>(), 0..64), at in any::<usize>(), ch in "[A-Za-z0-9_-]") {
        let c = codec(true, Arc::new(ManualClock::new(1_700_000_000)));
        let fp = Fingerprint::new("q", b"", 10);
        let cursor = c.encode(&state, &fp).unwrap();
        let text = cursor.as_str();
        let at = at % text.len();
        let mut forged = text.to_string();
        forged.replace_range(at..=at, &ch);
        prop_assume!(forged != text);
        prop_assert!(c.decode(&forged, &fp).is_err());
    }

    #[test]
    fn other_query_values_or_page_size_rejected((s, v, p) in query(), (s2, v2, p2) in query()) {
        prop_assume!((&s, &v, p) != (&s2, &v2, p2));
        let c = codec(false, Arc::new(ManualClock::new(1_700_000_000)));
        let cursor = c.encode(b"state", &Fingerprint::new(&s, &v, p)).unwrap();
        prop_assert_eq!(c.decode(cursor.as_str(), &Fingerprint::new(&s2, &v2, p2)), Err(CursorError::WrongQuery));
    }

    #[test]
    fn expiry_follows_the_clock(ttl in 1u64..100_000, wait in 0u64..200_000) {
        let clock = Arc::new(ManualClock::new(1_700_000_000));
        let c = CursorCodec::new(CursorKey::new(1, [1; 32]))
            .with_ttl(Duration::from_secs(ttl))
            .with_clock(clock.clone());
        let fp = Fingerprint::new("q", b"", 1);
        let cursor = c.encode(b"s", &fp).unwrap();
        clock.advance(wait);
        let got = c.decode(cursor.as_str(), &fp);
        if wait < ttl {
            prop_assert_eq!(got, Ok(b"s".to_vec()));
        } else {
            prop_assert_eq!(got, Err(CursorError::Expired { expires_at: 1_700_000_000 + ttl }));
        }
    }

    #[test]
    fn random_text_never_verifies(text in "\\PC{0,600}") {
        let c = codec(true, Arc::new(ManualClock::new(1_700_000_000)));
        prop_assert!(c.decode(&text, &Fingerprint::new("q", b"", 1)).is_err());
    }

    #[test]
    fn random_bytes_never_verify(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        let c = codec(false, Arc::new(ManualClock::new(1_700_000_000)));
        let text = URL_SAFE_NO_PAD.encode(&raw);
        prop_assert!(c.decode(&text, &Fingerprint::new("q", b"", 1)).is_err());
    }
}

#[test]
fn oversized_is_rejected_before_decoding() {
    let c = codec(false, Arc::new(ManualClock::new(0)));
    let fp = Fingerprint::new("q", b"", 1);
    let long = "!".repeat(c.max_len() + 1); // not base64 either: length wins
    assert_eq!(
        c.decode(&long, &fp),
        Err(CursorError::Oversized {
            len: c.max_len() + 1,
            max: c.max_len()
        })
    );
    assert!(matches!(
        c.encode(&[0; 400], &fp),
        Err(CursorError::Oversized { .. })
    ));
}

#[test]
fn malformed_inputs_are_typed() {
    let c = codec(false, Arc::new(ManualClock::new(0)));
    let fp = Fingerprint::new("q", b"", 1);
    for bad in ["", "a", "====", "abc+/", "AAAA AAAA", "\u{e9}t\u{e9}"] {
        assert!(
            matches!(c.decode(bad, &fp), Err(CursorError::Malformed(_))),
            "{bad:?}"
        );
    }
    // A well-formed body with an unknown version.
    let mut raw = vec![9u8, 0, 1];
    raw.extend_from_slice(&[0; 40]);
    assert_eq!(
        c.decode(&URL_SAFE_NO_PAD.encode(&raw), &fp),
        Err(CursorError::Malformed("unknown version"))
    );
    raw[0] = 1;
    raw[1] = 0x80;
    assert_eq!(
        c.decode(&URL_SAFE_NO_PAD.encode(&raw), &fp),
        Err(CursorError::Malformed("unknown flags"))
    );
    raw[1] = 0;
    raw[2] = 77;
    assert_eq!(
        c.decode(&URL_SAFE_NO_PAD.encode(&raw), &fp),
        Err(CursorError::UnknownKey(77))
    );
}

#[test]
fn rotation_signs_new_verifies_old_until_retired() {
    let clock = Arc::new(ManualClock::new(1_000));
    let fp = Fingerprint::new("q", b"v", 5);
    let mut c = CursorCodec::new(CursorKey::new(1, [1; 32])).with_clock(clock);
    let old = c.encode(b"a", &fp).unwrap();
    c.rotate(CursorKey::new(2, [2; 32]));
    let new = c.encode(b"b", &fp).unwrap();
    assert_eq!(c.decode(old.as_str(), &fp).unwrap(), b"a");
    assert_eq!(c.decode(new.as_str(), &fp).unwrap(), b"b");
    // A server that only knows key 1 refuses the new cursor.
    let only_old =
        CursorCodec::new(CursorKey::new(1, [1; 32])).with_clock(Arc::new(ManualClock::new(1_000)));
    assert_eq!(
        only_old.decode(new.as_str(), &fp),
        Err(CursorError::UnknownKey(2))
    );
    // Same id, other secret: forged.
    let impostor =
        CursorCodec::new(CursorKey::new(2, [3; 32])).with_clock(Arc::new(ManualClock::new(1_000)));
    assert_eq!(
        impostor.decode(new.as_str(), &fp),
        Err(CursorError::Tampered)
    );
    assert!(c.retire(1));
    assert_eq!(c.decode(old.as_str(), &fp), Err(CursorError::UnknownKey(1)));
}

#[test]
fn encryption_hides_the_paging_state() {
    let clock = Arc::new(ManualClock::new(1_000));
    let fp = Fingerprint::new("q", b"", 1);
    let secret = b"PARTITION-KEY-customer-42@example.com";
    let plain = codec(false, clock.clone()).encode(secret, &fp).unwrap();
    let sealed = codec(true, clock.clone()).encode(secret, &fp).unwrap();
    let raw_plain = URL_SAFE_NO_PAD.decode(plain.as_str()).unwrap();
    let raw_sealed = URL_SAFE_NO_PAD.decode(sealed.as_str()).unwrap();
    let contains = |hay: &[u8]| hay.windows(secret.len()).any(|w| w == secret);
    assert!(
        contains(&raw_plain),
        "signed-only cursors carry the state in clear"
    );
    assert!(!contains(&raw_sealed));
    // Both decode with either codec setting.
    assert_eq!(
        codec(false, clock).decode(sealed.as_str(), &fp).unwrap(),
        secret
    );
}

#[test]
fn cursor_serializes_as_a_json_string() {
    let c = codec(true, Arc::new(ManualClock::new(0)));
    let cursor = c.encode(b"x", &Fingerprint::new("q", b"", 1)).unwrap();
    assert_eq!(
        serde_json::to_string(&cursor).unwrap(),
        format!("\"{}\"", cursor.as_str())
    );
}
