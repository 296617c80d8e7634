//! The HTTP client's network settings: proxies (explicit or from the environment, with a
//! no-proxy list), extra root certificates, the connection pool, static host resolution;
//! and the classification of transport failures (DNS, refused, TLS, timeout, proxy).
//!
//! A client only ever talks to its one endpoint, so the proxy decision is made once, when
//! the configuration is built, and the HTTP client gets that proxy or none.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{ConfigError, Endpoint, Scheme};
use crate::env::Env;
use crate::error::TransportKind;

/// Environment variable naming a PEM file of extra root certificates (a project extension;
/// the official SDKs have no such variable).
pub const ENV_CA_BUNDLE: &str = "ALIBABA_CLOUD_CA_BUNDLE";

/// Proxy variables for an `https` endpoint, in the order they are read.
const HTTPS_PROXY_VARS: &[&str] = &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
/// Proxy variables for an `http` endpoint. `HTTP_PROXY` is skipped in a CGI process
/// (`REQUEST_METHOD` set), where a client could set it with a `Proxy:` header ("httpoxy").
const HTTP_PROXY_VARS: &[&str] = &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
const NO_PROXY_VARS: &[&str] = &["no_proxy", "NO_PROXY"];

/// What the configuration builder collected about the network.
#[derive(Clone, Default)]
pub(crate) struct NetworkSettings {
    pub(crate) proxy: Option<String>,
    pub(crate) no_proxy: Option<String>,
    pub(crate) proxy_from_env: Option<bool>,
    pub(crate) root_pems: Vec<Vec<u8>>,
    pub(crate) root_files: Vec<PathBuf>,
    pub(crate) built_in_roots: Option<bool>,
    pub(crate) pool_max_idle_per_host: Option<usize>,
    pub(crate) pool_idle_timeout: Option<Option<Duration>>,
    pub(crate) resolve: Vec<(String, SocketAddr)>,
}

impl fmt::Debug for NetworkSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkSettings")
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("no_proxy", &self.no_proxy)
            .field("proxy_from_env", &self.proxy_from_env)
            .field("root_pems", &self.root_pems.len())
            .field("root_files", &self.root_files)
            .field("built_in_roots", &self.built_in_roots)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("resolve", &self.resolve)
            .finish()
    }
}

/// The proxy a client uses for its endpoint.
#[derive(Clone)]
pub(crate) struct ChosenProxy {
    /// With credentials, for the HTTP client only.
    url: reqwest::Url,
    /// Without credentials: for messages and `Debug`.
    pub(crate) shown: String,
}

/// The HTTP client and what it was built with.
pub(crate) struct HttpClient {
    pub(crate) client: reqwest::Client,
    pub(crate) proxy: Option<ChosenProxy>,
    pub(crate) extra_roots: usize,
}

impl NetworkSettings {
    /// Builds the HTTP client for `endpoint`.
    pub(crate) fn build(
        &self,
        endpoint: &Endpoint,
        connect_timeout: Duration,
        env: &dyn Env,
    ) -> Result<HttpClient, ConfigError> {
        let proxy = self.choose_proxy(endpoint, env)?;
        let roots = self.root_certificates(env)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            // The proxy is chosen here, from the injectable environment; reqwest must not
            // read the process environment on its own.
            .no_proxy();
        if let Some(chosen) = &proxy {
            let proxy = reqwest::Proxy::all(chosen.url.clone()).map_err(|e| {
                invalid(
                    "proxy",
                    format!("{} is not usable: {}", chosen.shown, e.without_url()),
                )
            })?;
            builder = builder.proxy(proxy);
        }
        let extra_roots = roots.len();
        for cert in roots {
            builder = builder.add_root_certificate(cert);
        }
        if self.built_in_roots == Some(false) {
            if extra_roots == 0 {
                return Err(invalid(
                    "tls_built_in_roots",
                    "without the built-in roots, add root certificates (no server could be trusted)"
                        .to_string(),
                ));
            }
            builder = builder.tls_built_in_root_certs(false);
        }
        if let Some(max) = self.pool_max_idle_per_host {
            builder = builder.pool_max_idle_per_host(max);
        }
        if let Some(timeout) = self.pool_idle_timeout {
            builder = builder.pool_idle_timeout(timeout);
        }
        for (host, addr) in &self.resolve {
            builder = builder.resolve(host, *addr);
        }
        let client = builder
            .build()
            .map_err(|e| ConfigError::HttpClient(Box::new(e)))?;
        Ok(HttpClient {
            client,
            proxy,
            extra_roots,
        })
    }

    /// The explicit proxy, else (unless turned off) the environment's for the endpoint's
    /// scheme; none when the endpoint's host is in the no-proxy list.
    fn choose_proxy(
        &self,
        endpoint: &Endpoint,
        env: &dyn Env,
    ) -> Result<Option<ChosenProxy>, ConfigError> {
        let from_env = self.proxy_from_env.unwrap_or(true);
        let (name, text) = match &self.proxy {
            Some(text) => ("proxy", Some(text.clone())),
            None if from_env => env_proxy(endpoint.scheme(), env),
            None => ("proxy", None),
        };
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            return Ok(None);
        };
        let no_proxy = match &self.no_proxy {
            Some(list) => Some(list.clone()),
            None if from_env => first_var(env, NO_PROXY_VARS),
            None => None,
        };
        if no_proxy
            .as_deref()
            .is_some_and(|list| NoProxy::parse(list).matches(endpoint))
        {
            return Ok(None);
        }
        parse_proxy(name, &text).map(Some)
    }

    fn root_certificates(&self, env: &dyn Env) -> Result<Vec<reqwest::Certificate>, ConfigError> {
        let mut certs = Vec::new();
        for pem in &self.root_pems {
            certs.extend(pem_certificates(
                "add_root_certificates_pem",
                "the PEM text",
                pem,
            )?);
        }
        let from_env = env
            .var(ENV_CA_BUNDLE)
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        let files = self
            .root_files
            .iter()
            .map(|p| ("add_root_certificates_from_file", p))
            .chain(from_env.iter().map(|p| (ENV_CA_BUNDLE, p)));
        for (name, path) in files {
            let text = env.read_file(path).map_err(|e| {
                invalid(
                    name,
                    format!("cannot read the root certificates {}: {e}", path.display()),
                )
            })?;
            let what = path.display().to_string();
            certs.extend(pem_certificates(name, &what, text.as_bytes())?);
        }
        Ok(certs)
    }
}

/// The certificates of a PEM bundle; an error when there is none.
fn pem_certificates(
    name: &'static str,
    what: &str,
    pem: &[u8],
) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| invalid(name, format!("{what} is not a PEM certificate bundle: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(
            name,
            format!("{what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"),
        ));
    }
    Ok(certs)
}

/// The first proxy variable set for the scheme, with its name.
fn env_proxy(scheme: Scheme, env: &dyn Env) -> (&'static str, Option<String>) {
    let cgi = env.var("REQUEST_METHOD").is_some();
    let vars = match scheme {
        Scheme::Https => HTTPS_PROXY_VARS,
        Scheme::Http => HTTP_PROXY_VARS,
    };
    for name in vars {
        if cgi && *name == "HTTP_PROXY" {
            continue;
        }
        if let Some(value) = env.var(name).filter(|v| !v.trim().is_empty()) {
            return (name, Some(value));
        }
    }
    ("proxy", None)
}

fn first_var(env: &dyn Env, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| env.var(n).filter(|v| !v.trim().is_empty()))
}

/// Parses a proxy URL: `http://`, `https://`, `socks5://` or `socks5h://` (no scheme means
/// `http://`), with optional `user:password@`.
fn parse_proxy(name: &'static str, text: &str) -> Result<ChosenProxy, ConfigError> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let shown = redact_url(&with_scheme);
    let url = reqwest::Url::parse(&with_scheme)
        .map_err(|e| invalid(name, format!("{shown} is not a proxy URL: {e}")))?;
    let supported: &[&str] = if cfg!(feature = "socks") {
        &["http", "https", "socks5", "socks5h"]
    } else {
        &["http", "https"]
    };
    if !supported.contains(&url.scheme()) {
        let hint = if url.scheme().starts_with("socks") {
            " (SOCKS proxies need the `socks` feature of acs-runtime)"
        } else {
            ""
        };
        return Err(invalid(
            name,
            format!(
                "{shown}: the proxy scheme must be one of {}{hint}",
                supported.join(", ")
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(name, format!("{shown}: the proxy URL has no host")));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() {
        return Err(invalid(
            name,
            format!("{shown}: a proxy URL has no path or query"),
        ));
    }
    Ok(ChosenProxy {
        shown: redact_url(url.as_str()),
        url,
    })
}

/// A URL without its user information (`http://user:secret@host:3128` -> `http://host:3128`)
/// and without a trailing `/`.
pub(crate) fn redact_url(text: &str) -> String {
    let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let tail = if tail == "/" { "" } else { tail };
    if scheme.is_empty() {
        format!("{host}{tail}")
    } else {
        format!("{scheme}://{host}{tail}")
    }
}

/// A no-proxy list (`NO_PROXY`): comma- or space-separated entries, each `*` (every host), a
/// domain (`example.com` or `.example.com`: the domain and its subdomains), an IP address,
/// or an IP network (`10.0.0.0/8`); an entry may end in `:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NoProxy {
    entries: Vec<NoProxyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyEntry {
    All,
    Domain(String, Option<u16>),
    Ip(IpAddr, Option<u16>),
    Network(IpAddr, u8),
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let entries = list
            .split([',', ' ', '\t', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .filter_map(NoProxyEntry::parse)
            .collect();
        NoProxy { entries }
    }

    fn matches(&self, endpoint: &Endpoint) -> bool {
        let (host, port) = host_and_port(endpoint);
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| match entry {
            NoProxyEntry::All => true,
            NoProxyEntry::Ip(addr, p) => ip == Some(*addr) && p.is_none_or(|p| p == port),
            NoProxyEntry::Network(net, bits) => ip.is_some_and(|ip| in_network(ip, *net, *bits)),
            NoProxyEntry::Domain(domain, p) => {
                ip.is_none()
                    && p.is_none_or(|p| p == port)
                    && (host == *domain
                        || host
                            .strip_suffix(domain.as_str())
                            .is_some_and(|rest| rest.ends_with('.')))
            }
        })
    }
}

impl NoProxyEntry {
    fn parse(entry: &str) -> Option<NoProxyEntry> {
        if entry == "*" {
            return Some(NoProxyEntry::All);
        }
        if let Some((addr, bits)) = entry.split_once('/') {
            let addr: IpAddr = addr.trim_matches(['[', ']']).parse().ok()?;
            let bits: u8 = bits.parse().ok()?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            return (bits <= max).then_some(NoProxyEntry::Network(addr, bits));
        }
        if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
            return Some(NoProxyEntry::Ip(ip, None));
        }
        let (name, port) = match entry.rsplit_once(':') {
            Some((name, port)) => (name, Some(port.parse::<u16>().ok()?)),
            None => (entry, None),
        };
        if let Ok(ip) = name.trim_matches(['[', ']']).parse::<IpAddr>() {
            return Some(NoProxyEntry::Ip(ip, port));
        }
        let domain = name
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        (!domain.is_empty()).then_some(NoProxyEntry::Domain(domain, port))
    }
}

/// The endpoint's host (IPv6 without brackets) and port.
fn host_and_port(endpoint: &Endpoint) -> (String, u16) {
    let default_port = match endpoint.scheme() {
        Scheme::Https => 443,
        Scheme::Http => 80,
    };
    let authority = endpoint.authority();
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => (rest, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = port.and_then(|p| p.parse().ok()).unwrap_or(default_port);
    (host.to_ascii_lowercase(), port)
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

fn invalid(name: &'static str, reason: String) -> ConfigError {
    ConfigError::InvalidSetting { name, reason }
}

/// What kind of transport failure `error` is: the source chain is searched for the TLS
/// library's error, the connect errors of the HTTP stack (`dns error`, tunnel and SOCKS
/// errors) and I/O error kinds. With a proxy, a failure to connect is the proxy's.
pub(crate) fn classify(error: &reqwest::Error, via_proxy: bool) -> TransportKind {
    let mut tls = false;
    let mut dns = false;
    let mut proxy = false;
    let mut refused = false;
    let mut timed_out = error.is_timeout();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<rustls::Error>().is_some() {
            tls = true;
        }
        let text = e.to_string();
        if text.starts_with("dns error") {
            dns = true;
        }
        if text.starts_with("tunnel error") || text.starts_with("SOCKS error") {
            proxy = true;
        }
        // An I/O error's `source()` skips the error it wraps (often another I/O error
        // around the TLS library's): step into it instead.
        source = match e.downcast_ref::<std::io::Error>() {
            Some(io) => {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => refused = true,
                    std::io::ErrorKind::TimedOut => timed_out = true,
                    _ => {}
                }
                io.get_ref()
                    .map(|inner| inner as &(dyn std::error::Error + 'static))
            }
            None => e.source(),
        };
    }
    if tls {
        TransportKind::Tls
    } else if proxy || (via_proxy && error.is_connect()) {
        TransportKind::Proxy
    } else if timed_out {
        TransportKind::Timeout
    } else if dns {
        TransportKind::Dns
    } else if refused {
        TransportKind::Refused
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Io
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnv;

    fn endpoint(text: &str) -> Endpoint {
        Endpoint::parse(text).unwrap()
    }

    fn no_proxy(list: &str, host: &str) -> bool {
        NoProxy::parse(list).matches(&endpoint(host))
    }

    #[test]
    fn no_proxy_entries() {
        assert!(no_proxy("*", "http://127.0.0.1:8080"));
        assert!(no_proxy("*", "dataworks.aliyuncs.com"));
        assert!(no_proxy("127.0.0.1", "http://127.0.0.1:8080"));
        assert!(no_proxy("127.0.0.0/8", "http://127.0.0.2:8080"));
        assert!(!no_proxy("10.0.0.0/8", "http://127.0.0.1:8080"));
        assert!(no_proxy("::1", "http://[::1]:9000"));
        assert!(no_proxy("[::1]:9000", "http://[::1]:9000"));
        assert!(no_proxy(
            "aliyuncs.com",
            "dataworks.cn-shanghai.aliyuncs.com"
        ));
        assert!(no_proxy(
            ".aliyuncs.com",
            "dataworks.cn-shanghai.aliyuncs.com"
        ));
        assert!(no_proxy("*.aliyuncs.com", "aliyuncs.com"));
        assert!(!no_proxy("yuncs.com", "dataworks.aliyuncs.com"));
        assert!(no_proxy(
            "localhost, dataworks.aliyuncs.com:443",
            "dataworks.aliyuncs.com"
        ));
        assert!(!no_proxy(
            "dataworks.aliyuncs.com:8443",
            "dataworks.aliyuncs.com"
        ));
        assert!(!no_proxy("", "dataworks.aliyuncs.com"));
        assert!(!no_proxy("127.0.0.1", "http://localhost:80"));
    }

    #[test]
    fn environment_proxies_by_scheme_with_no_proxy() {
        let env = MemoryEnv::new()
            .with_var("HTTPS_PROXY", "http://user:pw@10.1.1.1:3128")
            .with_var("http_proxy", "proxy.internal:8080");
        let settings = NetworkSettings::default();
        let https = settings
            .choose_proxy(&endpoint("dataworks.aliyuncs.com"), &env)
            .unwrap()
            .unwrap();
        assert_eq!(https.shown, "http://10.1.1.1:3128");
        assert_eq!(https.url.password(), Some("pw"));
        let http = settings
            .choose_proxy(&endpoint("http://127.0.0.1:1"), &env)
            .unwrap()
            .unwrap();
        assert_eq!(http.shown, "http://proxy.internal:8080");
        // NO_PROXY=* is honoured for an IP endpoint too.
        let env = env.with_var("NO_PROXY", "*");
        assert!(settings
            .choose_proxy(&endpoint("http://127.0.0.1:1"), &env)
            .unwrap()
            .is_none());
        // Off: the environment is not read.
        let off = NetworkSettings {
            proxy_from_env: Some(false),
            ..Default::default()
        };
        let env = MemoryEnv::new().with_var("HTTPS_PROXY", "http://10.1.1.1:3128");
        assert!(off
            .choose_proxy(&endpoint("dataworks.aliyuncs.com"), &env)
            .unwrap()
            .is_none());
    }

    #[test]
    fn cgi_processes_ignore_upper_case_http_proxy() {
        let env = MemoryEnv::new()
            .with_var("REQUEST_METHOD", "GET")
            .with_var("HTTP_PROXY", "http://attacker:1");
        let chosen = NetworkSettings::default()
            .choose_proxy(&endpoint("http://127.0.0.1:1"), &env)
            .unwrap();
        assert!(chosen.is_none());
    }

    #[test]
    fn proxy_urls_are_checked_and_never_shown_with_credentials() {
        for bad in [
            "ftp://p:21",
            "http://",
            "http://p:1/path",
            "http://u:secret@p:1/x?y",
        ] {
            let err = parse_proxy("proxy", bad).err().expect(bad).to_string();
            assert!(!err.contains("secret"), "{err}");
            assert!(err.contains("proxy"), "{err}");
        }
        let ok = parse_proxy("proxy", "https://u:secret@p.example:8443").unwrap();
        assert_eq!(ok.shown, "https://p.example:8443");
        assert_eq!(redact_url("socks5h://a:b@h:1"), "socks5h://h:1");
        assert_eq!(redact_url("h:1"), "h:1");
    }
}
