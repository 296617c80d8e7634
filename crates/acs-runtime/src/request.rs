//! The request a generated operation hands to [`Client::invoke`](crate::Client::invoke).

use std::borrow::Cow;

/// One API call before signing: action, method, path and the business parameters.
///
/// Parameters keep their insertion order. Keys are `Cow<'static, str>`: a `&'static str` name
/// (as generated code has) is kept without a copy, a `String` works too. Values are plain text;
/// use [`crate::params`] to flatten lists and objects or to serialize JSON-style parameters.
///
/// ```
/// let mut req = acs_runtime::OperationRequest::new("GetDeployment");
/// req.form("DeploymentId", 3000001i64.to_string());
/// req.query("Foo", "bar".to_string());
/// assert_eq!(req.method(), "POST");
/// assert_eq!(req.pathname(), "/");
/// req.form(String::from("Name.1"), "x".to_string()); // a computed key
/// assert_eq!(
///     req.form_params(),
///     &[("DeploymentId".into(), "3000001".to_string()), ("Name.1".into(), "x".to_string())]
/// );
/// // A static key is kept as is, not copied.
/// assert!(matches!(req.form_params()[0].0, std::borrow::Cow::Borrowed("DeploymentId")));
/// req.form_all(acs_runtime::params::flatten("Ids", &[1, 2]).unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRequest {
    action: Cow<'static, str>,
    method: &'static str,
    pathname: Cow<'static, str>,
    query: Vec<(Cow<'static, str>, String)>,
    form: Vec<(Cow<'static, str>, String)>,
}

impl OperationRequest {
    /// A `POST /` request for `action` with no parameters.
    pub fn new(action: impl Into<Cow<'static, str>>) -> Self {
        Self {
            action: action.into(),
            method: "POST",
            pathname: Cow::Borrowed("/"),
            query: Vec::new(),
            form: Vec::new(),
        }
    }

    /// Adds a parameter carried in the `application/x-www-form-urlencoded` body.
    pub fn form(
        &mut self,
        key: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> &mut Self {
        self.form.push((key.into(), value.into()));
        self
    }

    /// Adds a parameter carried in the query string (parameters declared `in: query`).
    pub fn query(
        &mut self,
        key: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> &mut Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds several form parameters (for example the output of [`crate::params::flatten`]).
    pub fn form_all<I, K, V>(&mut self, params: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Cow<'static, str>>,
        V: Into<String>,
    {
        self.form
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Adds several query parameters.
    pub fn query_all<I, K, V>(&mut self, params: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Cow<'static, str>>,
        V: Into<String>,
    {
        self.query
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets the HTTP method (default `POST`).
    pub fn set_method(&mut self, method: &'static str) -> &mut Self {
        self.method = method;
        self
    }

    /// Sets the request path (default `/`); it must start with `/`.
    pub fn set_pathname(&mut self, pathname: impl Into<Cow<'static, str>>) -> &mut Self {
        self.pathname = pathname.into();
        self
    }

    /// The action name (`GetDeployment`).
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action name when it is a `&'static str` (sent without a copy).
    pub(crate) fn static_action(&self) -> Option<&'static str> {
        match self.action {
            Cow::Borrowed(action) => Some(action),
            Cow::Owned(_) => None,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The request path.
    pub fn pathname(&self) -> &str {
        &self.pathname
    }

    /// Form-body parameters in insertion order.
    pub fn form_params(&self) -> &[(Cow<'static, str>, String)] {
        &self.form
    }

    /// Query parameters in insertion order.
    pub fn query_params(&self) -> &[(Cow<'static, str>, String)] {
        &self.query
    }
}

/// The business status fields of a decoded 2xx response body, extracted by generated code.
///
/// A response whose `success` is `Some(false)` becomes an
/// [`Error::Service`](crate::Error::Service) with [`ErrorOrigin::Business`](crate::ErrorOrigin::Business);
/// it is never retried. Models without these fields pass `BusinessStatus::default()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusinessStatus<'a> {
    /// `Success`.
    pub success: Option<bool>,
    /// `ErrorCode`.
    pub code: Option<&'a str>,
    /// `ErrorMessage`.
    pub message: Option<&'a str>,
    /// `HttpStatusCode`.
    pub http_status: Option<i32>,
    /// `RequestId`.
    pub request_id: Option<&'a str>,
}
