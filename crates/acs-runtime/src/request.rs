//! The request [`Client::send`](crate::Client::send) builds from a generated request (and
//! hand-written code gives [`Client::invoke`](crate::Client::invoke)).

use std::borrow::Cow;

use acs_model::{ParamSink, ParamWriter, Request};

pub use acs_model::{BusinessStatus, Idempotency, Signing};

/// One API call before signing: action, method, path and the business parameters.
///
/// Parameters keep their insertion order. Keys are `Cow<'static, str>`: a `&'static str` name
/// (as generated code has) is kept without a copy, a `String` works too. Values are plain text.
/// A generated request writes its parameters straight in ([`OperationRequest::from_request`]):
/// the request is the [`ParamSink`] of the models' [`ParamWriter`].
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
/// req.form_all([("Ids.1", "1"), ("Ids.2", "2")]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRequest {
    action: Cow<'static, str>,
    method: &'static str,
    pathname: Cow<'static, str>,
    query: Vec<(Cow<'static, str>, String)>,
    form: Vec<(Cow<'static, str>, String)>,
    signing: Signing,
    idempotency: Idempotency,
}

impl OperationRequest {
    /// The request of a generated action: its name, HTTP method, how it is signed and every
    /// parameter that is set, each in the query or the form body as the spec says. The rules
    /// are not checked here ([`Client::send`](crate::Client::send) does).
    pub fn from_request<R: Request>(input: &R) -> Self {
        let mut request = Self::new(R::ACTION);
        request
            .set_method(R::METHOD)
            .set_signing(R::SIGNING)
            .set_idempotency(R::IDEMPOTENCY);
        input.write_params(&mut ParamWriter::new(&mut request));
        request
    }

    /// A `POST /` request for `action` with no parameters, [`Idempotency::Unsafe`] (see
    /// [`set_idempotency`](Self::set_idempotency)).
    pub fn new(action: impl Into<Cow<'static, str>>) -> Self {
        Self {
            action: action.into(),
            method: "POST",
            pathname: Cow::Borrowed("/"),
            query: Vec::new(),
            form: Vec::new(),
            signing: Signing::Configured,
            idempotency: Idempotency::Unsafe,
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

    /// Adds several form parameters.
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

    /// Sets how the request is authenticated (default: as the client is configured); see
    /// [`Signing`].
    pub fn set_signing(&mut self, signing: Signing) -> &mut Self {
        self.signing = signing;
        self
    }

    /// How the request is authenticated.
    pub fn signing(&self) -> Signing {
        self.signing
    }

    /// Sets whether the action may be repeated after a failure that leaves its outcome
    /// unknown (default [`Idempotency::Unsafe`]); see [`crate::retry`].
    pub fn set_idempotency(&mut self, idempotency: Idempotency) -> &mut Self {
        self.idempotency = idempotency;
        self
    }

    /// Whether the action may be repeated after an uncertain failure.
    pub fn idempotency(&self) -> Idempotency {
        self.idempotency
    }

    /// The value of parameter `name` (query or form), if it is set.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
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

/// Generated requests write their parameters straight into the request.
impl ParamSink for OperationRequest {
    fn query_param(&mut self, name: Cow<'static, str>, value: String) {
        self.query.push((name, value));
    }

    fn form_param(&mut self, name: Cow<'static, str>, value: String) {
        self.form.push((name, value));
    }
}
