//! Shared by the tests that run against an external S3 server (moto in CI).

/// Whether `PILLARS_S3_ENDPOINT` names an external server. When it does
/// not, the caller skips (and this says why), unless
/// `PILLARS_REQUIRE_SERVERS=1` (as `.ci/run` sets): then it fails.
pub fn configured() -> bool {
    if std::env::var("PILLARS_S3_ENDPOINT").is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("PILLARS_REQUIRE_SERVERS").is_none_or(|v| v != "1"),
        "PILLARS_REQUIRE_SERVERS=1 but PILLARS_S3_ENDPOINT is not set (.ci/run starts moto_server)"
    );
    eprintln!("skipped: PILLARS_S3_ENDPOINT is not set");
    false
}
