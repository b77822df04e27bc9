//! Cursor decoding never panics, and only genuine, unaltered cursors verify.
//!
//! Three kinds of input: arbitrary text, arbitrary bytes sent as base64url (so
//! they get past the first check), and genuine cursors with bytes flipped,
//! truncated or extended. A genuine cursor must verify exactly when its bytes
//! are unchanged, and then give back its paging state.
#![no_main]

use arbitrary::Arbitrary;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};

#[derive(Arbitrary, Debug)]
enum Input {
    Text(String),
    Bytes(Vec<u8>),
    Mutated {
        state: Vec<u8>,
        encrypt: bool,
        flips: Vec<(u16, u8)>,
        truncate: Option<u8>,
        extend: Vec<u8>,
    },
}

fuzz_target!(|input: Input| {
    let fp = Fingerprint::new("SELECT * FROM ks.t WHERE pk = ?", b"\0\0\0\x01\x01", 25);
    let mut codec = CursorCodec::new(CursorKey::new(1, [0x11; 32]));
    codec.rotate(CursorKey::new(2, [0x22; 32]));
    match input {
        Input::Text(text) => {
            assert!(codec.decode(&text, &fp).is_err(), "random text verified");
        }
        Input::Bytes(raw) => {
            let text = URL_SAFE_NO_PAD.encode(&raw);
            assert!(codec.decode(&text, &fp).is_err(), "random bytes verified");
        }
        Input::Mutated {
            state,
            encrypt,
            flips,
            truncate,
            extend,
        } => {
            let codec = codec.with_encryption(encrypt);
            let Ok(cursor) = codec.encode(&state, &fp) else {
                return; // state too large for a cursor: a typed error, fine
            };
            let original = URL_SAFE_NO_PAD
                .decode(cursor.as_str())
                .expect("own cursor is base64url");
            let mut raw = original.clone();
            for (at, mask) in flips {
                if !raw.is_empty() {
                    let i = usize::from(at) % raw.len();
                    raw[i] ^= mask;
                }
            }
            if let Some(t) = truncate {
                raw.truncate(raw.len().saturating_sub(usize::from(t)));
            }
            raw.extend_from_slice(&extend);
            let got = codec.decode(&URL_SAFE_NO_PAD.encode(&raw), &fp);
            if raw == original {
                assert_eq!(got.expect("genuine cursor verifies"), state);
            } else {
                assert!(got.is_err(), "altered cursor verified");
            }
        }
    }
});
