//! Presigned `GET` and `PUT` URLs: hand a client a URL that works without
//! credentials until it expires.
//!
//! ```
//! use std::time::Duration;
//! use pillars_storage::s3::testing::TestServer;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start()?;
//! let bucket = server.bucket("share").await?;
//! let url = bucket.presign_get("report.pdf", Duration::from_secs(300)).await?;
//! assert_eq!(url.method, "GET");
//! assert!(url.url.contains("X-Amz-Signature="));
//! # Ok(()) }
//! ```

use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use tracing::Instrument;

use super::bucket::Bucket;
use super::error::{Error, Result};
use super::names::validate_key;

/// The longest validity `SigV4` allows: 7 days.
///
/// # Examples
///
/// ```
/// assert_eq!(pillars_storage::s3::MAX_PRESIGN.as_secs(), 604_800);
/// ```
pub const MAX_PRESIGN: Duration = Duration::from_secs(7 * 24 * 3600);

/// A presigned request: send `method` to `url` with `headers`.
///
/// # Examples
///
/// ```
/// let p = pillars_storage::s3::Presigned { method: "GET".into(), url: "http://x/b/k?X-Amz-Signature=0".into(), headers: vec![] };
/// assert!(p.headers.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presigned {
    /// `GET` or `PUT`.
    pub method: String,
    /// The URL, signature in the query string.
    pub url: String,
    /// Headers the request must carry (e.g. `content-type` when signed).
    pub headers: Vec<(String, String)>,
}

impl From<PresignedRequest> for Presigned {
    fn from(p: PresignedRequest) -> Self {
        Self {
            method: p.method().to_owned(),
            url: p.uri().to_owned(),
            headers: p
                .headers()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

fn config(expires_in: Duration) -> Result<PresigningConfig> {
    if expires_in.is_zero() || expires_in > MAX_PRESIGN {
        return Err(Error::InvalidInput(format!(
            "presigned URL validity {expires_in:?}: expected 1 s to 7 days"
        )));
    }
    PresigningConfig::expires_in(expires_in).map_err(|e| Error::InvalidInput(e.to_string()))
}

impl Bucket {
    /// A URL that downloads `key` until `expires_in` has passed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad key or a validity outside 1 s to
    /// 7 days; a signing failure (no credentials).
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// let link = bucket.presign_get("a.pdf", std::time::Duration::from_secs(60)).await?;
    /// println!("{}", link.url);
    /// # Ok(()) }
    /// ```
    pub async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<Presigned> {
        validate_key(key)?;
        let cfg = config(expires_in)?;
        let req = self
            .client()
            .get_object()
            .bucket(self.name())
            .key(key)
            .presigned(cfg)
            .instrument(tracing::debug_span!("s3.presign_get", bucket = %self.name(), key))
            .await
            .map_err(|e| Error::from_sdk("GetObject (presign)", key, e))?;
        Ok(req.into())
    }

    /// A URL that uploads `key` (one `PUT` of the whole body) until
    /// `expires_in` has passed; `content_type`, when given, is signed and
    /// must be sent as is.
    ///
    /// # Errors
    ///
    /// As [`presign_get`](Self::presign_get).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(bucket: pillars_storage::s3::Bucket) -> pillars_storage::s3::Result<()> {
    /// let link = bucket.presign_put("upload.png", std::time::Duration::from_secs(600), Some("image/png")).await?;
    /// assert_eq!(link.method, "PUT");
    /// # Ok(()) }
    /// ```
    pub async fn presign_put(
        &self,
        key: &str,
        expires_in: Duration,
        content_type: Option<&str>,
    ) -> Result<Presigned> {
        validate_key(key)?;
        let cfg = config(expires_in)?;
        let req = self
            .client()
            .put_object()
            .bucket(self.name())
            .key(key)
            .set_content_type(content_type.map(str::to_owned))
            .presigned(cfg)
            .instrument(tracing::debug_span!("s3.presign_put", bucket = %self.name(), key))
            .await
            .map_err(|e| Error::from_sdk("PutObject (presign)", key, e))?;
        Ok(req.into())
    }
}
