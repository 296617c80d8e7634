//! Server configuration.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::step::{Route, Step};

/// Configuration of a [`crate::TestServer`]; build it with the `with_*` methods.
///
/// Defaults: no credentials (requests are not verified, only recorded), no
/// security token, clock skew 900 s, nonce reuse rejected, XML root
/// `<Action>Response`, host id `dataworks.cn-shanghai.aliyuncs.com`, product
/// `dataworks-public`, no expected action/version, empty script with
/// [`Step::sample_get_deployment`] as default step, lifetime 300 s, 256
/// connections at once, idle keep-alive timeout 60 s, request bodies up to 16 MiB,
/// the last 100 000 requests kept.
///
/// `Debug` never prints secrets or the security token.
///
/// ```
/// use std::time::Duration;
/// use acs_test_server::{ServerConfig, Step};
/// use serde_json::json;
///
/// let config = ServerConfig::new()
///     .with_credential("LTAI-test", "test-secret")
///     .with_api("GetDeployment", "2020-05-18")
///     .with_step(Step::error(429, "Throttling.User", "Request was denied due to user flow control."))
///     .with_default(Step::ok(json!({"Success": true})))
///     .with_lifetime(Duration::from_secs(60));
/// assert!(!format!("{config:?}").contains("test-secret"));
/// ```
#[derive(Clone)]
pub struct ServerConfig {
    pub(crate) credentials: Option<BTreeMap<String, String>>,
    pub(crate) security_token: Option<String>,
    pub(crate) max_skew: Option<Duration>,
    pub(crate) reject_nonce_reuse: bool,
    pub(crate) xml_root: Option<String>,
    pub(crate) host_id: String,
    pub(crate) product: String,
    pub(crate) api: Option<(String, String)>,
    pub(crate) required_params: Vec<String>,
    pub(crate) anonymous_actions: Vec<String>,
    pub(crate) routes: Vec<Route>,
    pub(crate) steps: Vec<Step>,
    pub(crate) default_step: Step,
    pub(crate) action_defaults: BTreeMap<String, Step>,
    pub(crate) lifetime: Duration,
    pub(crate) max_connections: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_recorded: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            credentials: None,
            security_token: None,
            max_skew: Some(Duration::from_secs(900)),
            reject_nonce_reuse: true,
            xml_root: None,
            host_id: "dataworks.cn-shanghai.aliyuncs.com".to_owned(),
            product: "dataworks-public".to_owned(),
            api: None,
            required_params: Vec::new(),
            anonymous_actions: Vec::new(),
            routes: Vec::new(),
            steps: Vec::new(),
            default_step: Step::sample_get_deployment(),
            action_defaults: BTreeMap::new(),
            lifetime: Duration::from_secs(300),
            max_connections: 256,
            idle_timeout: Duration::from_secs(60),
            max_body_bytes: 16 * 1024 * 1024,
            max_recorded: 100_000,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access_keys: Option<Vec<&String>> =
            self.credentials.as_ref().map(|c| c.keys().collect());
        f.debug_struct("ServerConfig")
            .field("access_key_ids", &access_keys)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("max_skew", &self.max_skew)
            .field("reject_nonce_reuse", &self.reject_nonce_reuse)
            .field("xml_root", &self.xml_root)
            .field("host_id", &self.host_id)
            .field("product", &self.product)
            .field("api", &self.api)
            .field("required_params", &self.required_params)
            .field("anonymous_actions", &self.anonymous_actions)
            .field("routes", &self.routes.len())
            .field("steps", &self.steps.len())
            .field(
                "action_defaults",
                &self.action_defaults.keys().collect::<Vec<_>>(),
            )
            .field("lifetime", &self.lifetime)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_recorded", &self.max_recorded)
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// The default configuration (see the type's documentation).
    pub fn new() -> ServerConfig {
        ServerConfig::default()
    }

    /// Accepts `access_key_id` with this secret and turns verification on. May be
    /// called several times. The id `*` matches any access key id not listed.
    /// Requests naming another id get 404 `InvalidAccessKeyId.NotFound`.
    pub fn with_credential(
        mut self,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> ServerConfig {
        self.credentials
            .get_or_insert_with(BTreeMap::new)
            .insert(access_key_id.into(), access_key_secret.into());
        self
    }

    /// Adds several `(access_key_id, secret)` pairs (see [`ServerConfig::with_credential`]).
    /// Turns verification on even when `pairs` is empty (then every key is unknown).
    pub fn with_credentials<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> ServerConfig
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.credentials.get_or_insert_with(BTreeMap::new);
        for (k, v) in pairs {
            self = self.with_credential(k, v);
        }
        self
    }

    /// Accepts any access key id with this secret (`with_credential("*", secret)`).
    pub fn with_any_access_key(self, access_key_secret: impl Into<String>) -> ServerConfig {
        self.with_credential("*", access_key_secret)
    }

    /// Requires this STS token (`SecurityToken` param for v1, `x-acs-security-token`
    /// header for V3); a missing or different token gets 400
    /// `InvalidSecurityToken.MismatchWithAccessKey`. Only checked with credentials.
    pub fn with_security_token(mut self, token: impl Into<String>) -> ServerConfig {
        self.security_token = Some(token.into());
        self
    }

    /// Maximum |now - Timestamp| (v1) or |now - x-acs-date| (V3); `None` disables the
    /// check (the format is still checked). Default 900 s.
    pub fn with_max_skew(mut self, skew: Option<Duration>) -> ServerConfig {
        self.max_skew = skew;
        self
    }

    /// Accepts a `SignatureNonce` / `x-acs-signature-nonce` that was already used
    /// (default: 400 `SignatureNonceUsed`).
    pub fn allow_nonce_reuse(mut self) -> ServerConfig {
        self.reject_nonce_reuse = false;
        self
    }

    /// Root element name of XML success bodies (default `<Action>Response`, or
    /// `Response` when the request names no action).
    pub fn with_xml_root(mut self, root: impl Into<String>) -> ServerConfig {
        self.xml_root = Some(root.into());
        self
    }

    /// `HostId` of error bodies (default `dataworks.cn-shanghai.aliyuncs.com`).
    pub fn with_host_id(mut self, host_id: impl Into<String>) -> ServerConfig {
        self.host_id = host_id.into();
        self
    }

    /// Product code in the `Recommend` URL of error bodies (default `dataworks-public`).
    pub fn with_product(mut self, product: impl Into<String>) -> ServerConfig {
        self.product = product.into();
        self
    }

    /// Only serves this action and version (v1: `Action` / `Version` params; V3:
    /// `x-acs-action` / `x-acs-version`): otherwise 400 `MissingAction` /
    /// `MissingVersion`, 404 `InvalidAction.NotFound`, 400 `InvalidVersion`.
    /// Checked only with credentials.
    pub fn with_api(
        mut self,
        action: impl Into<String>,
        version: impl Into<String>,
    ) -> ServerConfig {
        self.api = Some((action.into(), version.into()));
        self
    }

    /// Requires a non-empty parameter (merged query + form), else 400 `Missing<Name>`
    /// "`<Name>` is mandatory for this action.". Checked only with credentials.
    pub fn with_required_param(mut self, name: impl Into<String>) -> ServerConfig {
        self.required_params.push(name.into());
        self
    }

    /// Accepts unsigned requests for this action (an RPC action whose `authType` is
    /// `Anonymous`, such as STS `AssumeRoleWithOIDC`): with verification on, such a request
    /// must carry `Action` and a valid `Timestamp` and no `AccessKeyId` or `Signature`;
    /// other unsigned requests still get `MissingSignature`. Signed requests for the action
    /// are verified as usual.
    pub fn with_anonymous_action(mut self, action: impl Into<String>) -> ServerConfig {
        self.anonymous_actions.push(action.into());
        self
    }

    /// Adds a [`Route`] (tried before the main queue, in the order added).
    pub fn with_route(mut self, route: Route) -> ServerConfig {
        self.routes.push(route);
        self
    }

    /// Appends one step to the main queue.
    pub fn with_step(mut self, step: Step) -> ServerConfig {
        self.steps.push(step);
        self
    }

    /// Appends steps to the main queue (consumed in order by verified requests that no
    /// route matched).
    pub fn with_steps(mut self, steps: impl IntoIterator<Item = Step>) -> ServerConfig {
        self.steps.extend(steps);
        self
    }

    /// Step used once the queue is empty (default [`Step::sample_get_deployment`]).
    pub fn with_default(mut self, step: Step) -> ServerConfig {
        self.default_step = step;
        self
    }

    /// Answers requests of `action` that no route or queued step takes with `step` (before
    /// the server-wide default).
    pub fn with_action_default(mut self, action: impl Into<String>, step: Step) -> ServerConfig {
        self.action_defaults.insert(action.into(), step);
        self
    }

    /// Answers each action with its documented sample (`(action, JSON text)` pairs, as a
    /// generated client's `test_util::SAMPLES` lists them), unless a route or a queued step
    /// takes the request (see [`with_action_default`](Self::with_action_default)).
    pub fn with_samples<'a>(
        mut self,
        samples: impl IntoIterator<Item = &'a (&'a str, &'a str)>,
    ) -> ServerConfig {
        for (action, json) in samples {
            self = self.with_action_default(*action, Step::sample(json));
        }
        self
    }

    /// The server stops by itself after this long (default 300 s; at least 1 s,
    /// at most 3600 s).
    pub fn with_lifetime(mut self, lifetime: Duration) -> ServerConfig {
        self.lifetime = lifetime.clamp(Duration::from_secs(1), Duration::from_secs(3600));
        self
    }

    /// Connections served at once (default 256, at least 1); more wait in the accept backlog.
    pub fn with_max_connections(mut self, n: usize) -> ServerConfig {
        self.max_connections = n.max(1);
        self
    }

    /// A keep-alive connection idle (or a request arriving) longer than this is
    /// closed (default 60 s).
    pub fn with_idle_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.idle_timeout = timeout;
        self
    }

    /// Largest request body accepted (default 16 MiB); larger gets 413.
    pub fn with_max_body_bytes(mut self, n: usize) -> ServerConfig {
        self.max_body_bytes = n;
        self
    }

    /// How many recorded requests are kept (the oldest are dropped first; default
    /// 100 000; 0 keeps none, e.g. for benchmarks).
    pub fn with_max_recorded(mut self, n: usize) -> ServerConfig {
        self.max_recorded = n;
        self
    }
}
