//! Config building and endpoint resolution (no network).

mod common;

use std::sync::Arc;
use std::time::Duration;

use acs_runtime::config::{Scheme, ENV_REGION_ID};
use acs_runtime::{Config, ConfigError, Credentials, MemoryEnv, ResponseFormat, SignatureVersion};
use common::TestSvc;

fn base() -> acs_runtime::ConfigBuilder<TestSvc> {
    Config::<TestSvc>::builder()
        .credentials(Credentials::new("AK", "sekrit-value"))
        .env(Arc::new(MemoryEnv::new()))
}

#[test]
fn endpoint_resolution_table() {
    type B = acs_runtime::ConfigBuilder<TestSvc>;
    let cases: Vec<(&str, B, &str)> = vec![
        (
            "map hit",
            base().region("cn-shanghai"),
            "https://dataworks.cn-shanghai.aliyuncs.com",
        ),
        (
            "map hit, shared host",
            base().region("cn-qingdao"),
            "https://dataworks.aliyuncs.com",
        ),
        (
            "fallback pattern",
            base().region("eu-west-9"),
            "https://dataworks.eu-west-9.aliyuncs.com",
        ),
        (
            "explicit wins over region",
            base()
                .region("cn-shanghai")
                .endpoint("dataworks-vpc.cn-shanghai.aliyuncs.com"),
            "https://dataworks-vpc.cn-shanghai.aliyuncs.com",
        ),
        (
            "explicit http",
            base().endpoint("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080",
        ),
        (
            "scheme-less is https",
            base().endpoint("127.0.0.1:8443"),
            "https://127.0.0.1:8443",
        ),
        (
            "explicit https, trailing slash",
            base().endpoint("HTTPS://Example.COM/"),
            "https://example.com",
        ),
        (
            "default port dropped",
            base().endpoint("https://example.com:443"),
            "https://example.com",
        ),
        (
            "http default port dropped",
            base().endpoint("http://example.com:80"),
            "http://example.com",
        ),
        (
            "ipv6",
            base().endpoint("http://[::1]:9000"),
            "http://[::1]:9000",
        ),
        (
            "region from env",
            base().env(Arc::new(
                MemoryEnv::new().with_var(ENV_REGION_ID, "cn-hangzhou"),
            )),
            "https://dataworks.cn-hangzhou.aliyuncs.com",
        ),
        (
            "builder region wins over env",
            base()
                .env(Arc::new(
                    MemoryEnv::new().with_var(ENV_REGION_ID, "cn-hangzhou"),
                ))
                .region("cn-qingdao"),
            "https://dataworks.aliyuncs.com",
        ),
    ];
    for (name, builder, want) in cases {
        let config = builder.build().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(config.endpoint().url(), want, "{name}");
        assert!(
            !config.endpoint().url().contains("dataworks-public."),
            "{name}"
        );
    }
    let c = base().endpoint("http://127.0.0.1:1").build().unwrap();
    assert_eq!(c.endpoint().scheme(), Scheme::Http);
    assert_eq!(c.endpoint().authority(), "127.0.0.1:1");
    let c = base().region("cn-shanghai").build().unwrap();
    assert_eq!(c.region(), Some("cn-shanghai"));
}

#[test]
fn endpoint_and_region_errors() {
    let err = base().build().unwrap_err();
    assert!(matches!(err, ConfigError::MissingRegionOrEndpoint));
    let msg = err.to_string();
    assert!(
        msg.contains(".region(") && msg.contains(".endpoint(") && msg.contains(ENV_REGION_ID),
        "{msg}"
    );

    for bad in [
        "ftp://x",
        "http://",
        "host/path",
        "https://h/p?q",
        "user@host",
        "h:notaport",
        "h:99999",
        "a b",
        "[::1",
    ] {
        let err = base().endpoint(bad).build().unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidEndpoint { .. }),
            "{bad}: {err}"
        );
        assert!(err.to_string().contains(bad.trim()), "{bad}: {err}");
    }
    for bad in ["CN-SHANGHAI", "cn shanghai", "cn/x", ""] {
        let err = base().region(bad).build().unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidRegion { .. }),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn defaults_and_settings() {
    let c = base().region("cn-shanghai").build().unwrap();
    assert_eq!(c.signature_version(), SignatureVersion::V3);
    assert_eq!(c.response_format(), ResponseFormat::Json);
    assert_eq!(c.max_attempts(), 3);
    assert_eq!(c.connect_timeout(), Duration::from_secs(5));
    assert_eq!(c.attempt_timeout(), Duration::from_secs(10));
    assert_eq!(c.operation_timeout(), None);
    assert_eq!(c.retry_base_delay(), Duration::from_millis(100));
    assert_eq!(c.retry_max_delay(), Duration::from_secs(20));
    assert_eq!(c.max_response_bytes(), 4 * 1024 * 1024);
    assert_eq!(c.max_in_flight_requests(), Some(256));
    assert_eq!(
        c.user_agent(),
        format!(
            "acs-runtime/0.1.0 test-sdk/9.9.9 (rust; {})",
            std::env::consts::OS
        )
    );

    let c = base()
        .region("cn-shanghai")
        .signature_version(SignatureVersion::V1)
        .response_format(ResponseFormat::Xml)
        .max_attempts(7)
        .connect_timeout(Duration::from_secs(1))
        .attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Some(Duration::from_secs(9)))
        .retry_base_delay(Duration::from_millis(5))
        .retry_max_delay(Duration::from_millis(50))
        .max_response_bytes(1000)
        .max_in_flight_requests(None)
        .user_agent_suffix("cli/1")
        .build()
        .unwrap();
    assert_eq!(c.max_in_flight_requests(), None);
    assert_eq!(c.signature_version(), SignatureVersion::V1);
    assert_eq!(c.response_format(), ResponseFormat::Xml);
    assert_eq!(c.max_attempts(), 7);
    assert_eq!(c.operation_timeout(), Some(Duration::from_secs(9)));
    assert!(c.user_agent().ends_with(" cli/1"));
    let clone = c.clone();
    assert_eq!(clone.max_response_bytes(), 1000);
}

#[test]
fn invalid_settings_are_named() {
    let b = || base().region("cn-shanghai");
    let cases = [
        (b().max_attempts(0), "max_attempts"),
        (b().attempt_timeout(Duration::ZERO), "attempt_timeout"),
        (b().connect_timeout(Duration::ZERO), "connect_timeout"),
        (
            b().operation_timeout(Some(Duration::ZERO)),
            "operation_timeout",
        ),
        (
            b().retry_base_delay(Duration::from_secs(5))
                .retry_max_delay(Duration::from_secs(1)),
            "retry_max_delay",
        ),
        (b().max_response_bytes(0), "max_response_bytes"),
        (
            b().max_in_flight_requests(Some(0)),
            "max_in_flight_requests",
        ),
        (b().user_agent_suffix("bad\nvalue"), "user_agent_suffix"),
    ];
    for (builder, name) in cases {
        let err = builder.build().unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidSetting { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(name), "{name}: {err}");
    }
}

#[test]
fn debug_never_shows_secrets() {
    let c = base()
        .region("cn-shanghai")
        .credentials(Credentials::new("AKID", "sekrit-value").with_security_token("tok-en-value"))
        .build()
        .unwrap();
    let dbg = format!(
        "{c:?} {:?} {:?}",
        acs_runtime::Client::new(c.clone()),
        base()
    );
    assert!(dbg.contains("AKID"), "{dbg}");
    assert!(
        !dbg.contains("sekrit-value") && !dbg.contains("tok-en-value"),
        "{dbg}"
    );
    let env = MemoryEnv::new().with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret-value");
    let c = Config::<TestSvc>::builder()
        .region("cn-shanghai")
        .env(Arc::new(env))
        .build()
        .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("env-secret-value"), "{dbg}");
}
