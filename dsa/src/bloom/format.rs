//! The stable byte format shared by every filter.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "PLBF"
//! 4       1     format version (1)
//! 5       1     filter kind (see `Kind`)
//! 6       2     reserved, zero
//! 8       ..    the filter's parameters and payload, little-endian
//! end-8   8     XXH3-64 (seed 0) of every byte before it, little-endian
//! ```
//!
//! All integers are little-endian at their declared width, so the same filter
//! gives the same bytes on every platform. A reader accepts every version it
//! knows; version 1 is the first. Any truncation, bad magic, unknown version,
//! wrong kind, checksum mismatch, out-of-range parameter or trailing byte is a
//! [`FormatError`], never a panic.

use xxhash_rust::xxh3::xxh3_64;

/// The four magic bytes that open every serialised filter.
pub const MAGIC: [u8; 4] = *b"PLBF";
/// The format version this release writes.
pub const VERSION: u8 = 1;
const HEADER_LEN: usize = 8;
const CHECKSUM_LEN: usize = 8;

/// Which filter a byte string holds (byte 5 of the header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
#[non_exhaustive]
pub enum Kind {
    /// [`BloomFilter`](super::BloomFilter).
    Bloom = 1,
    /// [`AtomicBloomFilter`](super::AtomicBloomFilter).
    AtomicBloom = 2,
    /// The split-block filter.
    SplitBlock = 3,
    /// The counting filter.
    Counting = 4,
    /// The scalable filter.
    Scalable = 5,
    /// Binary fuse filter, 8-bit fingerprints.
    BinaryFuse8 = 6,
    /// Binary fuse filter, 16-bit fingerprints.
    BinaryFuse16 = 7,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Self::Bloom,
            2 => Self::AtomicBloom,
            3 => Self::SplitBlock,
            4 => Self::Counting,
            5 => Self::Scalable,
            6 => Self::BinaryFuse8,
            7 => Self::BinaryFuse16,
            _ => return None,
        })
    }
}

/// Why bytes could not be read as a filter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The bytes end before the filter does.
    #[error("truncated filter bytes")]
    Truncated,
    /// The bytes do not start with `PLBF`.
    #[error("not a pillars filter (bad magic)")]
    BadMagic,
    /// A format version this release does not know.
    #[error("unsupported filter format version {0}")]
    UnsupportedVersion(u8),
    /// The bytes hold another kind of filter.
    #[error("expected a {expected:?} filter, found kind byte {found}")]
    WrongKind {
        /// The kind the caller asked for.
        expected: Kind,
        /// The kind byte found.
        found: u8,
    },
    /// The checksum does not match: the bytes are corrupt.
    #[error("filter checksum mismatch (corrupt bytes)")]
    ChecksumMismatch,
    /// A parameter is out of range or inconsistent with the payload.
    #[error("invalid filter parameters: {0}")]
    InvalidParameters(&'static str),
    /// Bytes remain after the filter.
    #[error("trailing bytes after the filter")]
    TrailingBytes,
}

/// Builds a serialised filter: header, fields, checksum.
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Starts a filter of `kind`, reserving room for `payload` more bytes.
    pub(crate) fn new(kind: Kind, payload: usize) -> Self {
        let mut buf = Vec::with_capacity(HEADER_LEN + payload + CHECKSUM_LEN);
        buf.extend_from_slice(&MAGIC);
        buf.push(VERSION);
        buf.push(kind as u8);
        buf.extend_from_slice(&[0, 0]);
        Self { buf }
    }

    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub(crate) fn f64(&mut self, v: f64) -> &mut Self {
        self.u64(v.to_bits())
    }

    pub(crate) fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// Appends `words` as little-endian u64s.
    pub(crate) fn u64s(&mut self, words: impl IntoIterator<Item = u64>) -> &mut Self {
        for w in words {
            self.buf.extend_from_slice(&w.to_le_bytes());
        }
        self
    }

    /// Appends the checksum and returns the bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let sum = xxh3_64(&self.buf);
        self.buf.extend_from_slice(&sum.to_le_bytes());
        self.buf
    }
}

/// Reads a serialised filter after checking header and checksum.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Checks magic, version, kind and checksum; the reader then yields the
    /// fields after the header.
    pub(crate) fn open(bytes: &'a [u8], kind: Kind) -> Result<Self, FormatError> {
        if bytes.len() < 4 {
            return Err(FormatError::Truncated);
        }
        if bytes[..4] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
            return Err(FormatError::Truncated);
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        let mut sum_bytes = [0u8; 8];
        sum_bytes.copy_from_slice(sum);
        if xxh3_64(body) != u64::from_le_bytes(sum_bytes) {
            return Err(FormatError::ChecksumMismatch);
        }
        let version = body[4];
        if version != VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        match Kind::from_u8(body[5]) {
            Some(k) if k == kind => {}
            _ => {
                return Err(FormatError::WrongKind {
                    expected: kind,
                    found: body[5],
                });
            }
        }
        if body[6] != 0 || body[7] != 0 {
            return Err(FormatError::InvalidParameters(
                "reserved header bytes are not zero",
            ));
        }
        Ok(Self {
            rest: &body[HEADER_LEN..],
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        if self.rest.len() < n {
            return Err(FormatError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, FormatError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, FormatError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, FormatError> {
        self.u64().map(f64::from_bits)
    }

    /// `n` raw bytes; checks the length against what remains before anything
    /// is allocated, so a forged length cannot force a huge allocation.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        self.take(n)
    }

    /// `n` little-endian u64 words, length checked before allocating.
    pub(crate) fn u64s(&mut self, n: usize) -> Result<Vec<u64>, FormatError> {
        let len = n.checked_mul(8).ok_or(FormatError::Truncated)?;
        let raw = self.take(len)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                u64::from_le_bytes(b)
            })
            .collect())
    }

    /// Ends reading: every byte must have been consumed.
    pub(crate) fn finish(self) -> Result<(), FormatError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(FormatError::TrailingBytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_corruption_is_an_error() {
        let mut w = Writer::new(Kind::Bloom, 16);
        w.u32(7).u64(9).f64(0.5).bytes(b"ab");
        let bytes = w.finish();
        let mut r = Reader::open(&bytes, Kind::Bloom).unwrap();
        assert_eq!(r.u32(), Ok(7));
        assert_eq!(r.u64(), Ok(9));
        assert_eq!(r.f64(), Ok(0.5));
        assert_eq!(r.bytes(2), Ok(&b"ab"[..]));
        assert_eq!(r.finish(), Ok(()));
        for cut in 0..bytes.len() {
            assert!(Reader::open(&bytes[..cut], Kind::Bloom).is_err());
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(Reader::open(&bad, Kind::Bloom).is_err(), "flip at {i}");
        }
        assert!(matches!(
            Reader::open(&bytes, Kind::Counting),
            Err(FormatError::WrongKind { .. })
        ));
    }
}
