//! The opaque, signed, query-bound page cursor handed to API clients.
//!
//! A [`Cursor`] wraps the driver's raw paging state so that a client can
//! neither read it (it holds partition-key bytes), forge it (to read other
//! partitions), replay it against another query, nor keep it forever.
//!
//! ```
//! use std::time::Duration;
//! use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
//!
//! let codec = CursorCodec::new(CursorKey::new(1, [7u8; 32]))
//!     .with_ttl(Duration::from_secs(900))
//!     .with_encryption(true);
//! let query = Fingerprint::new("SELECT * FROM shop.orders WHERE customer = ?", b"\0\0\0\x01\x2a", 50);
//! let cursor = codec.encode(b"raw paging state", &query)?;
//! assert!(cursor.as_str().len() < 120);
//! assert_eq!(codec.decode(cursor.as_str(), &query)?, b"raw paging state");
//!
//! let other = Fingerprint::new("SELECT * FROM shop.orders WHERE customer = ?", b"\0\0\0\x01\x2b", 50);
//! assert!(codec.decode(cursor.as_str(), &other).is_err());
//! # Ok::<(), pillars_storage::cassandra::CursorError>(())
//! ```
//!
//! # Format (version 1)
//!
//! The cursor is the base64url encoding, without padding, of
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | version, `1` |
//! | 1 | flags: bit 0 set when the body is encrypted; other bits must be 0 |
//! | 1 | key id: which [`CursorKey`] signed it |
//! | 16 | body: query [`Fingerprint`] (first 16 bytes of its SHA-256) |
//! | 8 | body: expiry, seconds since the Unix epoch, big-endian |
//! | n | body: the driver's raw paging state |
//! | 16 | tag: HMAC-SHA256 over the 3 header bytes and the *plain* body, truncated to 128 bits |
//!
//! The MAC and encryption keys are derived from the key's secret with
//! HMAC-SHA256 under fixed labels. With encryption on, the body is `XORed` with
//! a `ChaCha20` keystream whose 96-bit nonce is the first 12 bytes of the tag:
//! the tag is a synthetic IV (SIV construction), so no random numbers are
//! needed and two encodings of the same state give the same cursor.
//!
//! Decoding checks, in this order and before anything is sent to the
//! database: the text length (before any decoding), base64url, the header,
//! the key id, the tag (constant time), the fingerprint, the expiry. Every
//! failure is a [`CursorError`]; nothing panics.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::error::CursorError;

type HmacSha256 = Hmac<Sha256>;

/// The format version written in the first byte of every cursor.
pub const CURSOR_VERSION: u8 = 1;
/// Default longest cursor text accepted by [`CursorCodec::decode`], in characters.
pub const DEFAULT_MAX_CURSOR_LEN: usize = 512;
/// Default lifetime of a cursor.
pub const DEFAULT_TTL: Duration = Duration::from_secs(15 * 60);

const HEADER_LEN: usize = 3;
const FINGERPRINT_LEN: usize = 16;
const EXPIRY_LEN: usize = 8;
const TAG_LEN: usize = 16;
const FLAG_ENCRYPTED: u8 = 1;
const MIN_RAW_LEN: usize = HEADER_LEN + FINGERPRINT_LEN + EXPIRY_LEN + TAG_LEN;

/// A source of the current time in seconds since the Unix epoch.
///
/// Injectable so that expiry can be tested without sleeping.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::{Clock, SystemClock};
/// assert!(SystemClock.now_unix_secs() > 1_600_000_000);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// Seconds since the Unix epoch.
    fn now_unix_secs(&self) -> u64;
}

/// The system wall clock.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::{Clock, SystemClock};
/// let now = SystemClock.now_unix_secs();
/// assert!(now > 0);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_secs(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that moves only when told to: for tests.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::{Clock, ManualClock};
/// let clock = ManualClock::new(100);
/// clock.advance(5);
/// assert_eq!(clock.now_unix_secs(), 105);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock that reads `now` seconds since the epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{Clock, ManualClock};
    /// assert_eq!(ManualClock::new(7).now_unix_secs(), 7);
    /// ```
    #[must_use]
    pub fn new(now: u64) -> Self {
        Self(AtomicU64::new(now))
    }

    /// Moves the clock forward by `secs` seconds.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{Clock, ManualClock};
    /// let clock = ManualClock::new(0);
    /// clock.advance(60);
    /// assert_eq!(clock.now_unix_secs(), 60);
    /// ```
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix_secs(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_unix_secs(&self) -> u64 {
        (**self).now_unix_secs()
    }
}

/// What a cursor is bound to: the statement text, the serialized bound values
/// and the page size, hashed with SHA-256.
///
/// # Format
///
/// SHA-256 over `"pillars-cursor-fp-v1"`, then the statement text, then the
/// serialized values, each preceded by its length as a big-endian `u64`, then
/// the page size as a big-endian `u32`. Stable across processes and releases.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::Fingerprint;
/// let a = Fingerprint::new("SELECT v FROM ks.t WHERE pk = ?", b"\0\0\0\x04abcd", 100);
/// let b = Fingerprint::new("SELECT v FROM ks.t WHERE pk = ?", b"\0\0\0\x04abcd", 101);
/// assert_ne!(a, b);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// Hashes a statement text, its serialized bound values and a page size.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::Fingerprint;
    /// let fp = Fingerprint::new("SELECT * FROM ks.t", b"", 10);
    /// assert_eq!(fp, Fingerprint::new("SELECT * FROM ks.t", b"", 10));
    /// ```
    #[must_use]
    pub fn new(statement: &str, values: &[u8], page_size: u32) -> Self {
        let mut h = Sha256::new();
        h.update(b"pillars-cursor-fp-v1");
        h.update((statement.len() as u64).to_be_bytes());
        h.update(statement.as_bytes());
        h.update((values.len() as u64).to_be_bytes());
        h.update(values);
        h.update(page_size.to_be_bytes());
        Self(h.finalize().into())
    }

    /// The 32 bytes of the hash.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::Fingerprint;
    /// assert_eq!(Fingerprint::new("q", b"", 1).as_bytes().len(), 32);
    /// ```
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn short(&self) -> &[u8] {
        &self.0[..FINGERPRINT_LEN]
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint(")?;
        for b in &self.0[..8] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "..)")
    }
}

/// A server secret that signs (and optionally encrypts) cursors.
///
/// The id is written into each cursor so that verification picks the right
/// key after a rotation. The secret should be 32 random bytes or more.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::CursorKey;
/// let key = CursorKey::new(3, *b"0123456789abcdef0123456789abcdef");
/// assert_eq!(key.id(), 3);
/// ```
#[derive(Clone)]
pub struct CursorKey {
    id: u8,
    /// HMAC keyed with the derived MAC key; cloned per use so the key's
    /// inner and outer blocks are hashed once, not per cursor.
    mac: HmacSha256,
    enc_key: [u8; 32],
}

impl CursorKey {
    /// Derives the MAC and encryption keys from `secret`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::CursorKey;
    /// let key = CursorKey::new(1, [42u8; 32]);
    /// assert_eq!(key.id(), 1);
    /// ```
    #[must_use]
    pub fn new(id: u8, secret: impl AsRef<[u8]>) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = new_mac(secret.as_ref());
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        Self {
            id,
            mac: new_mac(&derive(b"pillars-cursor-mac-v1")),
            enc_key: derive(b"pillars-cursor-enc-v1"),
        }
    }

    /// The id written into cursors signed with this key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::CursorKey;
    /// assert_eq!(CursorKey::new(9, [0u8; 32]).id(), 9);
    /// ```
    #[must_use]
    pub fn id(&self) -> u8 {
        self.id
    }

    fn tag(&self, header: &[u8], body: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(header);
        mac.update(body);
        mac
    }

    fn apply_keystream(&self, tag: &[u8], body: &mut [u8]) {
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&tag[..12]);
        let mut cipher = ChaCha20::new(&self.enc_key.into(), &nonce.into());
        cipher.apply_keystream(body);
    }
}

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CursorKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn new_mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never fails.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

/// An opaque, URL-safe page cursor as handed to a client.
///
/// Serializes as a plain JSON string.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
/// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
/// let cursor = codec.encode(b"state", &Fingerprint::new("q", b"", 10))?;
/// assert!(cursor.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
/// # Ok::<(), pillars_storage::cassandra::CursorError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// The cursor text.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// let cursor = codec.encode(b"", &Fingerprint::new("q", b"", 1))?;
    /// assert!(!cursor.as_str().is_empty());
    /// # Ok::<(), pillars_storage::cassandra::CursorError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The cursor text, owned.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// let text: String = codec.encode(b"", &Fingerprint::new("q", b"", 1))?.into_string();
    /// assert!(!text.is_empty());
    /// # Ok::<(), pillars_storage::cassandra::CursorError>(())
    /// ```
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({} chars)", self.0.len())
    }
}

/// Encodes and verifies [`Cursor`]s under a set of keys.
///
/// The newest key (the one given to [`CursorCodec::new`] or last
/// [`rotated`](CursorCodec::rotate) in) signs; every key still held verifies.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
/// let fp = Fingerprint::new("SELECT * FROM ks.t", b"", 20);
/// let mut codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
/// let old = codec.encode(b"s1", &fp)?;
/// codec.rotate(CursorKey::new(2, [2u8; 32]));
/// assert_eq!(codec.decode(old.as_str(), &fp)?, b"s1"); // old cursors still verify
/// codec.retire(1);
/// assert!(codec.decode(old.as_str(), &fp).is_err());
/// # Ok::<(), pillars_storage::cassandra::CursorError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CursorCodec {
    /// Newest last.
    keys: Vec<CursorKey>,
    ttl: Duration,
    max_len: usize,
    encrypt: bool,
    clock: Arc<dyn Clock>,
}

impl CursorCodec {
    /// A codec that signs with `key`, with the default TTL (15 minutes),
    /// maximum length (512 characters), no encryption and the system clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// assert_eq!(codec.max_len(), 512);
    /// ```
    #[must_use]
    pub fn new(key: CursorKey) -> Self {
        Self {
            keys: vec![key],
            ttl: DEFAULT_TTL,
            max_len: DEFAULT_MAX_CURSOR_LEN,
            encrypt: false,
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets how long a new cursor stays valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32])).with_ttl(Duration::from_secs(60));
    /// assert_eq!(codec.ttl(), Duration::from_secs(60));
    /// ```
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the longest cursor text accepted (and produced), in characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32])).with_max_len(200);
    /// assert_eq!(codec.max_len(), 200);
    /// ```
    #[must_use]
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Turns encryption of the cursor body on or off (decoding accepts both).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32])).with_encryption(true);
    /// let c = codec.encode(b"partition-key-bytes", &Fingerprint::new("q", b"", 1))?;
    /// assert!(!c.as_str().contains("cGFydGl0aW9u")); // base64 of "partition" is not visible
    /// # Ok::<(), pillars_storage::cassandra::CursorError>(())
    /// ```
    #[must_use]
    pub fn with_encryption(mut self, encrypt: bool) -> Self {
        self.encrypt = encrypt;
        self
    }

    /// Replaces the clock (for tests).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, ManualClock};
    /// let clock = Arc::new(ManualClock::new(1_000));
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32])).with_clock(clock.clone());
    /// # let _ = codec;
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Makes `key` the signing key; older keys keep verifying until retired.
    /// A key with the same id as a held key replaces it.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// let mut codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// codec.rotate(CursorKey::new(2, [2u8; 32]));
    /// assert_eq!(codec.signing_key_id(), 2);
    /// ```
    pub fn rotate(&mut self, key: CursorKey) {
        self.keys.retain(|k| k.id != key.id);
        self.keys.push(key);
    }

    /// Stops accepting cursors signed with key `id`. The signing key is never
    /// retired: returns `false` (and keeps it) when asked to.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// let mut codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// codec.rotate(CursorKey::new(2, [2u8; 32]));
    /// assert!(codec.retire(1));
    /// assert!(!codec.retire(2));
    /// ```
    pub fn retire(&mut self, id: u8) -> bool {
        if self.signing_key_id() == id {
            return false;
        }
        let before = self.keys.len();
        self.keys.retain(|k| k.id != id);
        self.keys.len() != before
    }

    /// The id of the key that signs new cursors.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// assert_eq!(CursorCodec::new(CursorKey::new(5, [1u8; 32])).signing_key_id(), 5);
    /// ```
    #[must_use]
    pub fn signing_key_id(&self) -> u8 {
        self.signing_key().id
    }

    /// The lifetime of new cursors.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, DEFAULT_TTL};
    /// assert_eq!(CursorCodec::new(CursorKey::new(1, [1u8; 32])).ttl(), DEFAULT_TTL);
    /// ```
    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The longest cursor text accepted, in characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey};
    /// assert_eq!(CursorCodec::new(CursorKey::new(1, [1u8; 32])).max_len(), 512);
    /// ```
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    fn signing_key(&self) -> &CursorKey {
        // `keys` is never empty: `new` puts one in and `retire` keeps the last.
        &self.keys[self.keys.len() - 1]
    }

    /// Makes a cursor for `paging_state`, bound to `query`, expiring after the TTL.
    ///
    /// # Errors
    ///
    /// [`CursorError::Oversized`] when the cursor would be longer than
    /// [`max_len`](Self::max_len) (a paging state that is too large).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// let fp = Fingerprint::new("q", b"", 1);
    /// assert!(codec.encode(&[0u8; 100], &fp).is_ok());
    /// assert!(codec.encode(&[0u8; 1000], &fp).is_err());
    /// ```
    pub fn encode(&self, paging_state: &[u8], query: &Fingerprint) -> Result<Cursor, CursorError> {
        let raw_len = MIN_RAW_LEN + paging_state.len();
        let text_len = base64::encoded_len(raw_len, false).unwrap_or(usize::MAX);
        if text_len > self.max_len {
            return Err(CursorError::Oversized {
                len: text_len,
                max: self.max_len,
            });
        }
        let expires = self
            .clock
            .now_unix_secs()
            .saturating_add(self.ttl.as_secs());
        let key = self.signing_key();
        let flags = if self.encrypt { FLAG_ENCRYPTED } else { 0 };

        let mut raw = Vec::with_capacity(raw_len);
        raw.extend_from_slice(&[CURSOR_VERSION, flags, key.id]);
        raw.extend_from_slice(query.short());
        raw.extend_from_slice(&expires.to_be_bytes());
        raw.extend_from_slice(paging_state);
        let tag = key
            .tag(&raw[..HEADER_LEN], &raw[HEADER_LEN..])
            .finalize()
            .into_bytes();
        let tag = &tag[..TAG_LEN];
        if self.encrypt {
            key.apply_keystream(tag, &mut raw[HEADER_LEN..]);
        }
        raw.extend_from_slice(tag);
        Ok(Cursor(URL_SAFE_NO_PAD.encode(raw)))
    }

    /// Verifies `text` against `query` and returns the raw paging state.
    ///
    /// # Errors
    ///
    /// [`CursorError::Oversized`] (checked before decoding),
    /// [`CursorError::Malformed`], [`CursorError::UnknownKey`],
    /// [`CursorError::Tampered`], [`CursorError::WrongQuery`],
    /// [`CursorError::Expired`]. All mean "bad request".
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
    /// use pillars_storage::cassandra::CursorError;
    /// let codec = CursorCodec::new(CursorKey::new(1, [1u8; 32]));
    /// let fp = Fingerprint::new("q", b"", 1);
    /// assert!(matches!(codec.decode("!!", &fp), Err(CursorError::Malformed(_))));
    /// ```
    pub fn decode(&self, text: &str, query: &Fingerprint) -> Result<Vec<u8>, CursorError> {
        if text.len() > self.max_len {
            return Err(CursorError::Oversized {
                len: text.len(),
                max: self.max_len,
            });
        }
        let mut raw = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| CursorError::Malformed("not base64url without padding"))?;
        if raw.len() < MIN_RAW_LEN {
            return Err(CursorError::Malformed("too short"));
        }
        let (version, flags, key_id) = (raw[0], raw[1], raw[2]);
        if version != CURSOR_VERSION {
            return Err(CursorError::Malformed("unknown version"));
        }
        if flags & !FLAG_ENCRYPTED != 0 {
            return Err(CursorError::Malformed("unknown flags"));
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or(CursorError::UnknownKey(key_id))?;

        let tag_at = raw.len() - TAG_LEN;
        let (rest, tag) = raw.split_at_mut(tag_at);
        let (header, body) = rest.split_at_mut(HEADER_LEN);
        if flags & FLAG_ENCRYPTED != 0 {
            key.apply_keystream(tag, body);
        }
        key.tag(header, body)
            .verify_truncated_left(tag)
            .map_err(|_| CursorError::Tampered)?;

        if &body[..FINGERPRINT_LEN] != query.short() {
            return Err(CursorError::WrongQuery);
        }
        let mut expiry = [0u8; EXPIRY_LEN];
        expiry.copy_from_slice(&body[FINGERPRINT_LEN..FINGERPRINT_LEN + EXPIRY_LEN]);
        let expires_at = u64::from_be_bytes(expiry);
        if self.clock.now_unix_secs() >= expires_at {
            return Err(CursorError::Expired { expires_at });
        }
        raw.truncate(tag_at);
        raw.drain(..HEADER_LEN + FINGERPRINT_LEN + EXPIRY_LEN);
        Ok(raw)
    }
}
