//! Network settings of the generated client against loopback servers: an explicit proxy
//! (HTTP forward, CONNECT tunnel, SOCKS5; with credentials), the environment's proxies and
//! NO_PROXY, a dead or refusing proxy, a TLS endpoint with a private root (from PEM, from
//! `ALIBABA_CLOUD_CA_BUNDLE`), static resolution, and connection-pool limits.

use std::sync::Arc;
use std::time::Duration;

use acs_runtime::MemoryEnv;
use acs_test_server::{ProxyProtocol, ServerConfig, Step, TestProxy, TestServer};
use dataworks_public::{Client, ConfigBuilder, ConfigError, Credentials, Error, TransportKind};
use serde_json::json;
use workspace_tests::calls::{assert_verified, get_deployment, hermetic_config};
use workspace_tests::tls::TlsFront;

const AK: &str = "LTAI5tNetworkKeyId";
const SECRET: &str = "network-secret-Jw4Xb9";
const PROXY_USER: &str = "proxy-user";
const PROXY_PASSWORD: &str = "proxy-pass-Qz7";

async fn server() -> TestServer {
    TestServer::start(
        ServerConfig::new()
            .with_credential(AK, SECRET)
            .with_lifetime(Duration::from_secs(120))
            .with_default(Step::ok(json!({"Success": true, "Data": {}}))),
    )
    .await
    .expect("server starts")
}

fn builder(endpoint: &str) -> ConfigBuilder {
    hermetic_config(endpoint, Credentials::new(AK, SECRET))
}

fn client(builder: ConfigBuilder) -> Client {
    Client::new(builder.build().expect("config builds"))
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn explicit_forward_proxy_with_credentials_carries_the_call() {
    let server = server().await;
    let proxy = TestProxy::start(Some((PROXY_USER, PROXY_PASSWORD)))
        .await
        .expect("proxy");
    let config = builder(&server.endpoint())
        .proxy(proxy.url_with_credentials("http"))
        .build()
        .expect("config");
    assert_eq!(config.proxy(), Some(proxy.url().as_str()));
    assert!(!format!("{config:?}").contains(PROXY_PASSWORD));
    get_deployment(&Client::new(config))
        .await
        .expect("the call goes through the proxy");
    let relayed = proxy.requests();
    assert_eq!(relayed.len(), 1);
    assert_eq!(relayed[0].protocol, ProxyProtocol::Forward);
    assert_eq!(relayed[0].target, server.host());
    assert_eq!(relayed[0].user.as_deref(), Some(PROXY_USER));
    assert!(relayed[0].relayed);
    let reqs = server.requests();
    assert_verified(&reqs);
    assert_eq!(reqs[0].header("proxy-authorization"), None, "not forwarded");
}

#[tokio::test]
async fn wrong_proxy_credentials_are_a_proxy_error_without_the_password() {
    let server = server().await;
    let proxy = TestProxy::start(Some((PROXY_USER, PROXY_PASSWORD)))
        .await
        .expect("proxy");
    let wrong = format!("http://{PROXY_USER}:not-it@{}", proxy.addr());
    let err = get_deployment(&client(builder(&server.endpoint()).proxy(wrong)))
        .await
        .expect_err("407");
    assert_eq!(err.transport_kind(), Some(TransportKind::Proxy), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("proxy {}", proxy.url())), "{text}");
    assert!(text.contains("407"), "{text}");
    assert!(!text.contains("not-it"), "{text}");
    assert_eq!(err.attempts(), Some(1), "a refusal is not retried");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_dead_proxy_is_named_in_the_error() {
    let server = server().await;
    let dead = format!(
        "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
        closed_port()
    );
    let err = get_deployment(&client(builder(&server.endpoint()).proxy(dead.clone())))
        .await
        .expect_err("no proxy there");
    assert_eq!(err.transport_kind(), Some(TransportKind::Proxy), "{err}");
    let text = err.to_string();
    let shown = dead.replace(&format!("{PROXY_USER}:{PROXY_PASSWORD}@"), "");
    assert!(
        text.starts_with(&format!("proxy {shown} failed to reach {}", server.host())),
        "{text}"
    );
    assert!(!text.contains(PROXY_PASSWORD), "{text}");
    assert!(!text.contains('\n'), "{text}");
}

#[tokio::test]
async fn environment_proxies_are_used_and_no_proxy_star_bypasses_an_ip_endpoint() {
    let server = server().await;
    let proxy = TestProxy::start(None).await.expect("proxy");
    let env = MemoryEnv::new().with_var("HTTP_PROXY", proxy.url());
    // On by default.
    let config = builder(&server.endpoint())
        .env(Arc::new(env.clone()))
        .build()
        .expect("config");
    assert_eq!(config.proxy(), Some(proxy.url().as_str()));
    get_deployment(&Client::new(config))
        .await
        .expect("via the proxy");
    assert_eq!(proxy.requests().len(), 1);
    // NO_PROXY=* covers the IP endpoint too.
    let star = env.clone().with_var("NO_PROXY", "*");
    let config = builder(&server.endpoint())
        .env(Arc::new(star))
        .build()
        .expect("config");
    assert_eq!(config.proxy(), None);
    get_deployment(&Client::new(config)).await.expect("direct");
    // Turned off: the variables are not read.
    let config = builder(&server.endpoint())
        .env(Arc::new(env.clone()))
        .proxy_from_env(false)
        .build()
        .expect("config");
    assert_eq!(config.proxy(), None);
    get_deployment(&Client::new(config)).await.expect("direct");
    // The builder's no-proxy list applies to an explicit proxy too.
    let config = builder(&server.endpoint())
        .proxy(proxy.url())
        .no_proxy("localhost, 127.0.0.0/8")
        .build()
        .expect("config");
    assert_eq!(config.proxy(), None);
    get_deployment(&Client::new(config)).await.expect("direct");
    assert_eq!(proxy.requests().len(), 1, "only the first call was proxied");
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn socks5_proxy_with_credentials() {
    let server = server().await;
    let proxy = TestProxy::start(Some((PROXY_USER, PROXY_PASSWORD)))
        .await
        .expect("proxy");
    get_deployment(&client(
        builder(&server.endpoint()).proxy(proxy.url_with_credentials("socks5")),
    ))
    .await
    .expect("through SOCKS5");
    let relayed = proxy.requests();
    assert_eq!(relayed[0].protocol, ProxyProtocol::Socks5);
    assert_eq!(relayed[0].target, server.host());
    assert_eq!(relayed[0].user.as_deref(), Some(PROXY_USER));
    assert_verified(&server.requests());
}

#[tokio::test]
async fn invalid_proxy_settings_are_config_errors() {
    for (proxy, needle) in [
        ("ftp://127.0.0.1:21", "scheme"),
        ("http://u:secret@127.0.0.1:1/path", "no path"),
    ] {
        let err = builder("http://127.0.0.1:1")
            .proxy(proxy)
            .build()
            .expect_err(proxy);
        let text = err.to_string();
        assert!(matches!(
            err,
            ConfigError::InvalidSetting { name: "proxy", .. }
        ));
        assert!(text.contains(needle), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}

#[tokio::test]
async fn tls_endpoint_with_a_private_root() {
    let server = server().await;
    let front = TlsFront::start(server.addr(), &["dataworks.test", "127.0.0.1"]).await;
    let endpoint = format!("https://127.0.0.1:{}", front.addr().port());
    // The built-in roots do not trust it: a TLS error, not retried, naming the host.
    let err = get_deployment(&client(builder(&endpoint)))
        .await
        .expect_err("untrusted");
    assert_eq!(err.transport_kind(), Some(TransportKind::Tls), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "TLS handshake with 127.0.0.1:{} failed (after 1 attempt): ",
            front.addr().port()
        )),
        "{text}"
    );
    assert!(text.contains("certificate"), "the root cause: {text}");
    // Trusted with the root added.
    let config = builder(&endpoint)
        .add_root_certificates_pem(front.ca_pem())
        .build()
        .expect("config");
    assert_eq!(config.extra_root_certificates(), 1);
    get_deployment(&Client::new(config))
        .await
        .expect("trusted with the private root");
    assert_verified(&server.requests());
}

#[tokio::test]
async fn root_certificates_from_the_environment_variable_and_a_file() {
    let server = server().await;
    let front = TlsFront::start(server.addr(), &["127.0.0.1"]).await;
    let endpoint = format!("https://127.0.0.1:{}", front.addr().port());
    let env = MemoryEnv::new()
        .with_var("ALIBABA_CLOUD_CA_BUNDLE", "/etc/corp/ca.pem")
        .with_file("/etc/corp/ca.pem", front.ca_pem());
    get_deployment(&client(builder(&endpoint).env(Arc::new(env))))
        .await
        .expect("the bundle of ALIBABA_CLOUD_CA_BUNDLE is trusted");
    let env = MemoryEnv::new().with_file("/etc/corp/ca.pem", front.ca_pem());
    get_deployment(&client(
        builder(&endpoint)
            .env(Arc::new(env))
            .add_root_certificates_from_file("/etc/corp/ca.pem"),
    ))
    .await
    .expect("the file is trusted");
    // Errors name the setting and the file.
    let missing = MemoryEnv::new().with_var("ALIBABA_CLOUD_CA_BUNDLE", "/nope.pem");
    let err = builder(&endpoint)
        .env(Arc::new(missing))
        .build()
        .expect_err("missing file");
    let text = err.to_string();
    assert!(
        text.contains("ALIBABA_CLOUD_CA_BUNDLE") && text.contains("/nope.pem"),
        "{text}"
    );
    let err = builder(&endpoint)
        .add_root_certificates_pem("not a certificate")
        .build()
        .expect_err("no certificate");
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
}

#[tokio::test]
async fn static_resolution_keeps_the_host_name_for_tls_and_the_host_header() {
    let server = server().await;
    let front = TlsFront::start(server.addr(), &["dataworks.test"]).await;
    let port = front.addr().port();
    get_deployment(&client(
        builder(&format!("https://dataworks.test:{port}"))
            .resolve("dataworks.test", front.addr())
            .add_root_certificates_pem(front.ca_pem()),
    ))
    .await
    .expect("resolved without DNS, certificate checked for the name");
    let reqs = server.requests();
    assert_verified(&reqs);
    assert_eq!(
        reqs[0].header("host"),
        Some(format!("dataworks.test:{port}").as_str())
    );
}

#[tokio::test]
async fn connect_tunnel_for_an_https_endpoint() {
    let server = server().await;
    let front = TlsFront::start(server.addr(), &["127.0.0.1"]).await;
    let proxy = TestProxy::start(Some((PROXY_USER, PROXY_PASSWORD)))
        .await
        .expect("proxy");
    let endpoint = format!("https://127.0.0.1:{}", front.addr().port());
    get_deployment(&client(
        builder(&endpoint)
            .proxy(proxy.url_with_credentials("http"))
            .add_root_certificates_pem(front.ca_pem()),
    ))
    .await
    .expect("through the tunnel");
    let relayed = proxy.requests();
    assert_eq!(relayed[0].protocol, ProxyProtocol::Connect);
    assert_eq!(relayed[0].method, "CONNECT");
    assert_eq!(relayed[0].target, front.addr().to_string());
    assert_eq!(relayed[0].user.as_deref(), Some(PROXY_USER));
    assert_verified(&server.requests());
    // A tunnel refused for its credentials is the proxy's error.
    let wrong = format!("http://{PROXY_USER}:nope@{}", proxy.addr());
    let err = get_deployment(&client(
        builder(&endpoint)
            .proxy(wrong)
            .add_root_certificates_pem(front.ca_pem()),
    ))
    .await
    .expect_err("407 on CONNECT");
    assert_eq!(err.transport_kind(), Some(TransportKind::Proxy), "{err}");
    assert!(err.to_string().contains(&proxy.url()), "{err}");
}

#[tokio::test]
async fn connection_pool_limits() {
    let server = server().await;
    let connections = |server: &TestServer| {
        let mut c: Vec<u64> = server.requests().iter().map(|r| r.connection).collect();
        c.dedup();
        c.len()
    };
    // Default: the idle connection is reused.
    let pooled = client(builder(&server.endpoint()));
    for _ in 0..3 {
        get_deployment(&pooled).await.expect("call");
    }
    assert_eq!(connections(&server), 1);
    // No idle connection kept: one connection per call.
    let server = self::server().await;
    let unpooled = client(builder(&server.endpoint()).pool_max_idle_per_host(0));
    for _ in 0..3 {
        get_deployment(&unpooled).await.expect("call");
    }
    assert_eq!(connections(&server), 3);
    // A short idle timeout closes the connection between calls.
    let server = self::server().await;
    let short =
        client(builder(&server.endpoint()).pool_idle_timeout(Some(Duration::from_millis(50))));
    get_deployment(&short).await.expect("call");
    tokio::time::sleep(Duration::from_millis(400)).await;
    get_deployment(&short).await.expect("call");
    assert_eq!(connections(&server), 2);
}

#[tokio::test]
async fn transport_errors_keep_their_kind_for_matching() {
    let err = get_deployment(&client(builder(&format!(
        "http://127.0.0.1:{}",
        closed_port()
    ))))
    .await
    .expect_err("refused");
    assert!(matches!(
        err,
        Error::Transport {
            kind: TransportKind::Refused,
            attempts: 3,
            ..
        }
    ));
    assert!(err.is_retryable());
    assert_eq!(err.message(), None);
}

#[tokio::test]
async fn dns_failure_is_named() {
    // A label longer than 63 bytes: the system resolver rejects the name itself, so no DNS
    // query leaves the machine.
    let host = format!("{}.invalid", "a".repeat(64));
    let err = get_deployment(&client(builder(&format!("http://{host}")).max_attempts(1)))
        .await
        .expect_err("no such name");
    assert_eq!(err.transport_kind(), Some(TransportKind::Dns), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("DNS lookup of {host} failed (after 1 attempt): ")),
        "{text}"
    );
}
