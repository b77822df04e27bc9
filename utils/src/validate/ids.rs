//! Identifiers: UUID (RFC 9562, through `uuid`), ULID, semantic versions
//! (through `semver`).
//!
//! ```
//! use pillars_utils::validate::{is_semver, is_ulid, is_uuid};
//!
//! assert!(is_uuid("67e55044-10b1-426f-9247-bb680e5fe0c8"));
//! assert!(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
//! assert!(is_semver("1.2.3-rc.1+build.5"));
//! assert!(!is_semver("1.2"));
//! ```

use super::error::{Error, Violation};
use super::format::Format;
use super::rules::Rule;

/// Whether `s` is a UUID in its canonical hyphenated form (any version, nil
/// and max included; either case). Braced, URN and unhyphenated forms are
/// rejected: they are not what APIs exchange.
///
/// ```
/// assert!(pillars_utils::validate::is_uuid("00000000-0000-0000-0000-000000000000"));
/// assert!(!pillars_utils::validate::is_uuid("{67e55044-10b1-426f-9247-bb680e5fe0c8}"));
/// ```
#[must_use]
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// The version of a canonical UUID, if `s` is one (`0` for nil, `15` for max).
///
/// ```
/// use pillars_utils::validate::uuid_version_of;
/// assert_eq!(uuid_version_of("67e55044-10b1-426f-9247-bb680e5fe0c8"), Some(4));
/// ```
#[must_use]
pub fn uuid_version_of(s: &str) -> Option<usize> {
    if s.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(s).ok().map(|u| u.get_version_num())
}

/// Rule: [`is_uuid`] (code `uuid`).
///
/// ```
/// use pillars_utils::validate::{uuid, Rule};
/// assert!(uuid().check("not-a-uuid").is_err());
/// ```
#[must_use]
pub const fn uuid() -> Format {
    Format::new("uuid", is_uuid)
}

/// Rule: a canonical UUID of this version, with the RFC 9562 variant
/// (code `uuid`, param `version`).
///
/// ```
/// use pillars_utils::validate::{uuid_version, Rule};
/// assert!(uuid_version(4).check("67e55044-10b1-426f-9247-bb680e5fe0c8").is_ok());
/// assert!(uuid_version(7).check("67e55044-10b1-426f-9247-bb680e5fe0c8").is_err());
/// ```
#[must_use]
pub const fn uuid_version(version: usize) -> UuidVersion {
    UuidVersion { version }
}

/// See [`uuid_version`].
#[derive(Debug, Clone, Copy)]
pub struct UuidVersion {
    version: usize,
}

impl<S: AsRef<str> + ?Sized> Rule<S> for UuidVersion {
    fn check(&self, value: &S) -> Result<(), Error> {
        let s = value.as_ref();
        let ok = s.len() == 36
            && uuid::Uuid::try_parse(s).is_ok_and(|u| {
                u.get_version_num() == self.version && u.get_variant() == uuid::Variant::RFC4122
            });
        if ok {
            Ok(())
        } else {
            Err(Violation::new("uuid")
                .with_param("version", self.version)
                .into())
        }
    }
}

/// Whether `s` is a ULID: 26 Crockford base-32 characters (either case, no
/// `I L O U`), the first at most `7` so the 128-bit value does not overflow.
///
/// ```
/// assert!(!pillars_utils::validate::is_ulid("81ARZ3NDEKTSV4RRFFQ69G5FAV"));
/// assert!(!pillars_utils::validate::is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAU"));
/// ```
#[must_use]
pub fn is_ulid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 26
        && matches!(b[0], b'0'..=b'7')
        && b.iter().all(|c| {
            let c = c.to_ascii_uppercase();
            c.is_ascii_digit()
                || (c.is_ascii_uppercase() && !matches!(c, b'I' | b'L' | b'O' | b'U'))
        })
}

/// Rule: [`is_ulid`] (code `ulid`).
///
/// ```
/// use pillars_utils::validate::{ulid, Rule};
/// assert!(ulid().check("01ARZ3NDEKTSV4RRFFQ69G5FAV").is_ok());
/// ```
#[must_use]
pub const fn ulid() -> Format {
    Format::new("ulid", is_ulid)
}

/// Whether `s` is a Semantic Versioning 2.0.0 version (`semver` crate).
///
/// ```
/// assert!(!pillars_utils::validate::is_semver("v1.2.3"));
/// ```
#[must_use]
pub fn is_semver(s: &str) -> bool {
    semver::Version::parse(s).is_ok()
}

/// Rule: [`is_semver`] (code `semver`).
///
/// ```
/// use pillars_utils::validate::{semver, Rule};
/// assert!(semver().check("01.2.3").is_err());
/// ```
#[must_use]
pub const fn semver() -> Format {
    Format::new("semver", is_semver)
}
