//! Bucket-name and key rules, checked before any request is sent.
//!
//! Bucket names follow the S3 general-purpose rules: 3 to 63 characters of
//! lowercase letters, digits, `.` and `-`; starting and ending with a letter
//! or digit; no `..`; not shaped like an IPv4 address; none of the reserved
//! prefixes (`xn--`, `sthree-`) and suffixes (`-s3alias`, `--ol-s3`,
//! `--x-s3`, `.mrap`). Keys are 1 to 1024 bytes of UTF-8 (a `&str` is always
//! UTF-8) with no control characters.
//!
//! ```
//! use pillars_storage::s3::{validate_bucket_name, validate_key};
//! assert!(validate_bucket_name("my-bucket.2024").is_ok());
//! assert!(validate_bucket_name("My_Bucket").is_err());
//! assert!(validate_key("photos/2024/cat.jpg").is_ok());
//! assert!(validate_key("").is_err());
//! ```

use super::error::{Error, Result};

/// The longest key S3 accepts, in bytes.
///
/// # Examples
///
/// ```
/// assert_eq!(pillars_storage::s3::MAX_KEY_LEN, 1024);
/// ```
pub const MAX_KEY_LEN: usize = 1024;

/// Checks a bucket name against the S3 naming rules.
///
/// # Errors
///
/// [`Error::InvalidInput`] naming the rule that failed.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::validate_bucket_name;
/// assert!(validate_bucket_name("logs-eu").is_ok());
/// assert!(validate_bucket_name("192.168.5.4").is_err());
/// assert!(validate_bucket_name("a..b").is_err());
/// ```
pub fn validate_bucket_name(name: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::InvalidInput(format!("bucket name {name:?}: {why}")));
    let bytes = name.as_bytes();
    if !(3..=63).contains(&bytes.len()) {
        return bad("must be 3 to 63 characters");
    }
    if !bytes
        .iter()
        .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return bad("only lowercase letters, digits, '.' and '-' are allowed");
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return bad("must start and end with a letter or digit");
    }
    if name.contains("..") {
        return bad("must not contain '..'");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return bad("must not be formatted as an IP address");
    }
    if ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        return bad("reserved prefix");
    }
    if ["-s3alias", "--ol-s3", "--x-s3", ".mrap", "--table-s3"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return bad("reserved suffix");
    }
    Ok(())
}

/// Checks an object key: 1 to [`MAX_KEY_LEN`] bytes, no control characters.
///
/// # Errors
///
/// [`Error::InvalidInput`] naming the rule that failed (the key itself is
/// not copied into the message when it is oversized).
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::validate_key;
/// assert!(validate_key("a/b/c.txt").is_ok());
/// assert!(validate_key("tab\there").is_err());
/// ```
pub fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::InvalidInput("key must not be empty".into()));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(Error::InvalidInput(format!(
            "key is {} bytes, more than the {MAX_KEY_LEN} allowed",
            key.len()
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!(
            "key {key:?} contains a control character"
        )));
    }
    Ok(())
}

/// Checks a listing prefix: empty or a valid key.
pub(crate) fn validate_prefix(prefix: &str) -> Result<()> {
    if prefix.is_empty() {
        Ok(())
    } else {
        validate_key(prefix)
    }
}
