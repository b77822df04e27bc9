//! [`S3Config`]: how to reach S3 or an S3-compatible server (endpoint,
//! region, path style, checksum policy, credentials), from code or from the
//! environment (12-factor).
//!
//! | variable | meaning | default |
//! | --- | --- | --- |
//! | `PILLARS_S3_ENDPOINT` (or the SDK's `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`) | base URL of an S3-compatible server | AWS |
//! | `AWS_REGION` | region (through the SDK's chain) | `us-east-1` when none is found |
//! | `PILLARS_S3_PATH_STYLE` | `true`: `http://host/bucket/key` instead of `http://bucket.host/key` | `true` when an endpoint is set |
//! | `PILLARS_S3_CHECKSUM` | `when_required` or `when_supported` | `when_required` |
//! | credentials | the SDK's default chain (`AWS_ACCESS_KEY_ID`, profiles, SSO, IMDS, ...) | |
//!
//! ```no_run
//! use pillars_storage::s3::{ChecksumPolicy, S3Config};
//! # async fn f() -> pillars_storage::s3::Result<()> {
//! let bucket = S3Config::from_env()?
//!     .checksum(ChecksumPolicy::WhenRequired)
//!     .bucket("uploads")
//!     .await?;
//! # let _ = bucket; Ok(()) }
//! ```

use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};

use super::bucket::Bucket;
use super::error::{Error, Result};

/// When the SDK computes and checks checksums (CRC32 and friends).
///
/// The SDK's own default (`WhenSupported`) sends checksum trailers on every
/// upload, which several S3-compatible servers refuse; `WhenRequired` sends
/// them only where S3 demands one.
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::ChecksumPolicy;
/// assert_eq!("when_supported".parse::<ChecksumPolicy>().ok(), Some(ChecksumPolicy::WhenSupported));
/// assert_eq!(ChecksumPolicy::default(), ChecksumPolicy::WhenRequired);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChecksumPolicy {
    /// Only where the operation requires one (works with most servers).
    #[default]
    WhenRequired,
    /// On every operation that supports one (AWS's default).
    WhenSupported,
}

impl std::str::FromStr for ChecksumPolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "when_required" | "when-required" => Ok(Self::WhenRequired),
            "when_supported" | "when-supported" => Ok(Self::WhenSupported),
            _ => Err(Error::InvalidInput(format!(
                "checksum policy {s:?}: expected when_required or when_supported"
            ))),
        }
    }
}

/// Connection settings; [`bucket`](Self::bucket) builds a [`Bucket`].
///
/// # Examples
///
/// ```
/// use pillars_storage::s3::S3Config;
/// let config = S3Config::new()
///     .endpoint("http://127.0.0.1:9000")
///     .region("eu-west-1")
///     .credentials("access", "secret");
/// assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9000"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    endpoint: Option<String>,
    region: Option<String>,
    path_style: Option<bool>,
    checksum: ChecksumPolicy,
    credentials: Option<(String, String)>,
}

impl S3Config {
    /// AWS defaults: no custom endpoint, the SDK's region and credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pillars_storage::s3::S3Config::new().endpoint_url().is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from the environment (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an unreadable `PILLARS_S3_PATH_STYLE` or
    /// `PILLARS_S3_CHECKSUM`.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = pillars_storage::s3::S3Config::from_env()?;
    /// # let _ = config;
    /// # Ok::<(), pillars_storage::s3::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut config = Self::new();
        config.endpoint = var("PILLARS_S3_ENDPOINT");
        if let Some(v) = var("PILLARS_S3_PATH_STYLE") {
            config.path_style = Some(match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => {
                    return Err(Error::InvalidInput(format!(
                        "PILLARS_S3_PATH_STYLE={v:?}: expected true or false"
                    )));
                }
            });
        }
        if let Some(v) = var("PILLARS_S3_CHECKSUM") {
            config.checksum = v.parse()?;
        }
        Ok(config)
    }

    /// Sends requests to this base URL (`MinIO`, Ceph, R2, a test server).
    /// Turns on path-style addressing unless [`path_style`](Self::path_style)
    /// says otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = pillars_storage::s3::S3Config::new().endpoint("http://localhost:9000");
    /// assert!(c.endpoint_url().is_some());
    /// ```
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The configured endpoint, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pillars_storage::s3::S3Config::new().endpoint_url(), None);
    /// ```
    #[must_use]
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The region (overrides the SDK's chain).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::S3Config::new().region("eu-central-1");
    /// ```
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Path-style (`host/bucket/key`) or virtual-hosted (`bucket.host/key`)
    /// addressing.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::S3Config::new().path_style(true);
    /// ```
    #[must_use]
    pub fn path_style(mut self, on: bool) -> Self {
        self.path_style = Some(on);
        self
    }

    /// The checksum policy (see [`ChecksumPolicy`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::s3::{ChecksumPolicy, S3Config};
    /// let _ = S3Config::new().checksum(ChecksumPolicy::WhenSupported);
    /// ```
    #[must_use]
    pub fn checksum(mut self, policy: ChecksumPolicy) -> Self {
        self.checksum = policy;
        self
    }

    /// Static credentials instead of the SDK's chain (tests, local servers).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = pillars_storage::s3::S3Config::new().credentials("AKIA...", "secret");
    /// ```
    #[must_use]
    pub fn credentials(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some((access_key.into(), secret_key.into()));
        self
    }

    /// Builds an SDK client: the SDK's environment chain, then these settings.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f() {
    /// let client = pillars_storage::s3::S3Config::from_env().unwrap().client().await;
    /// # let _ = client; }
    /// ```
    pub async fn client(&self) -> aws_sdk_s3::Client {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some((key, secret)) = &self.credentials {
            loader = loader.credentials_provider(Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "pillars-static",
            ));
        }
        let shared = loader.load().await;
        let mut builder = aws_sdk_s3::config::Builder::from(&shared);
        if shared.region().is_none() {
            builder = builder.region(Region::new("us-east-1"));
        }
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint_url(endpoint.clone());
        }
        if let Some(on) = self.path_style.or(self.endpoint.as_ref().map(|_| true)) {
            builder = builder.force_path_style(on);
        }
        builder = match self.checksum {
            ChecksumPolicy::WhenRequired => builder
                .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired),
            ChecksumPolicy::WhenSupported => builder
                .request_checksum_calculation(RequestChecksumCalculation::WhenSupported)
                .response_checksum_validation(ResponseChecksumValidation::WhenSupported),
        };
        aws_sdk_s3::Client::from_conf(builder.build())
    }

    /// A [`Bucket`] handle on `name` with a new client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad bucket name (no request is sent).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f() -> pillars_storage::s3::Result<()> {
    /// let bucket = pillars_storage::s3::S3Config::from_env()?.bucket("uploads").await?;
    /// assert_eq!(bucket.name(), "uploads");
    /// # Ok(()) }
    /// ```
    pub async fn bucket(&self, name: &str) -> Result<Bucket> {
        super::names::validate_bucket_name(name)?;
        Bucket::new(self.client().await, name)
    }
}
