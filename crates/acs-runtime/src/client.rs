//! The shared client: signing, transport, retries, decoding.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use acs_model::{Object, Request};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE,
    HOST, USER_AGENT,
};
use tracing::Instrument;

use crate::config::{Config, ResponseFormat, SignatureVersion};
use crate::credentials::Credentials;
use crate::decode;
use crate::error::{BoxError, Error, ErrorOrigin, ServiceError, TransportKind};
use crate::options::{CallOptions, CallSettings};
use crate::request::{BusinessStatus, Idempotency, OperationRequest, Signing};
use crate::retry::{self, Delivery};
use crate::service::Service;

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
const X_ACS_REQUEST_ID: HeaderName = HeaderName::from_static("x-acs-request-id");
const X_ACS_RETRY_AFTER: HeaderName = HeaderName::from_static("x-acs-retry-after");
/// Largest buffer reserved up front from a response's Content-Length (the body still
/// grows up to `max_response_bytes` as it arrives).
const MAX_BODY_PRESIZE: u64 = 1 << 20;

/// A client for service `S`: one HTTP connection pool, cheap to clone, `Send + Sync`.
///
/// Generated clients wrap it and hand each request to [`Client::send`].
pub struct Client<S> {
    config: Arc<Config<S>>,
}

impl<S> Clone for Client<S> {
    fn clone(&self) -> Self {
        Self {
            config: Arc::clone(&self.config),
        }
    }
}

impl<S> fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish()
    }
}

/// One call: the request with its extra parameters, and the call's settings.
struct Call<'a> {
    request: &'a OperationRequest,
    settings: CallSettings,
    extra_headers: ExtraHeaders,
    /// Whether the call may be repeated: the spec's, or as the call or the client declares.
    idempotency: Idempotency,
    /// The client token every attempt sends, when the action has one.
    client_token: Option<String>,
}

impl Call<'_> {
    /// The error of a call cut short by its operation timeout: cut short during an attempt,
    /// or after one that may have been carried out, the outcome is unknown.
    fn timed_out(&self, limit: Duration, progress: &Progress) -> Error {
        let error = Error::OperationTimeout {
            timeout: limit,
            attempts: progress.attempts.load(Ordering::Relaxed),
        };
        let maybe_done = progress.in_flight.load(Ordering::Relaxed)
            || progress.maybe_done.load(Ordering::Relaxed);
        let delivery = if maybe_done {
            Delivery::Unknown
        } else {
            Delivery::NotSent
        };
        self.final_error(error, delivery, maybe_done)
    }

    /// The error a failed call returns: an action that is not safe to repeat, whose last
    /// attempt (or an earlier one) may have been carried out, fails with
    /// [`Error::OutcomeUnknown`]; the client token goes into the error either way.
    fn final_error(&self, mut error: Error, delivery: Delivery, maybe_done: bool) -> Error {
        if let Error::Service(e) = &mut error {
            e.client_token = self.client_token.clone();
        }
        let unknown =
            delivery == Delivery::Unknown || (maybe_done && delivery != Delivery::Answered);
        if self.idempotency == Idempotency::Safe || !unknown {
            return error;
        }
        tracing::info!(
            action = self.request.action(),
            client_token = self.client_token.as_deref(),
            error = %error,
            "outcome unknown: the request may have been carried out; not sent again"
        );
        Error::OutcomeUnknown {
            action: self.request.action().to_string(),
            client_token: self.client_token.clone(),
            attempts: error.attempts().unwrap_or(1),
            source: Box::new(error),
        }
    }
}

/// How far a call got, shared with the operation timeout that may cut it short.
#[derive(Default)]
struct Progress {
    attempts: AtomicU32,
    /// An attempt is under way (it may have reached the service).
    in_flight: AtomicBool,
    /// A finished attempt may have been carried out.
    maybe_done: AtomicBool,
}

/// The span of a call (its fields are filled in as the call proceeds).
fn call_span<S: Service>(request: &OperationRequest) -> tracing::Span {
    tracing::info_span!(
        "acs_call",
        product = S::INFO.product,
        version = S::INFO.version,
        action = request.action(),
        attempts = tracing::field::Empty,
        client_token = tracing::field::Empty,
    )
}

/// Records in the call's span how many attempts it made, and logs its error.
fn call_finished(error: Option<&Error>, progress: &Progress) {
    tracing::Span::current().record("attempts", progress.attempts.load(Ordering::Relaxed));
    if let Some(e) = error {
        tracing::debug!(error = %e, "call failed");
    }
}

/// The retry loop's count of attempts, and whether the one retry after a reused nonce was used.
#[derive(Default)]
struct Retries {
    attempt: u32,
    nonce_retry_used: bool,
}

impl Retries {
    /// Counts the next attempt and opens its span.
    fn next_attempt(&mut self, progress: &Progress) -> tracing::Span {
        self.attempt += 1;
        let attempt = self.attempt;
        progress.attempts.store(attempt, Ordering::Relaxed);
        tracing::info_span!(
            "acs_attempt",
            attempt,
            http_status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        )
    }
}

/// A 2xx response in JSON or XML, read but not decoded yet.
struct Answer {
    raw: RawResponse,
    format: decode::BodyFormat,
}

/// A body that cannot be read (or is not the answer), with an excerpt; the credentials are
/// redacted from both (the redactor is only built on this path).
fn decode_error(raw: &RawResponse, credentials: &Credentials, source: BoxError) -> Error {
    let redactor = Redactor::new(credentials);
    Error::Decode {
        http_status: raw.status,
        request_id: raw.request_id().map(str::to_string),
        excerpt: redactor.apply(decode::excerpt(&raw.body)),
        source: redactor.apply(source.to_string()).into(),
    }
}

/// The failure of a 2xx body whose business status says `Success=false`.
fn business_failure<S: Service>(
    raw: &RawResponse,
    business: &BusinessStatus<'_>,
    credentials: &Credentials,
) -> Failure {
    let http_status = business
        .http_status
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=599).contains(s))
        .unwrap_or(raw.status);
    let error = ServiceError {
        http_status,
        code: business.code.map(str::to_string),
        message: business
            .message
            .map(|m| Redactor::new(credentials).apply(m.to_string())),
        request_id: business
            .request_id
            .map(str::to_string)
            .or_else(|| raw.request_id().map(str::to_string)),
        host_id: None,
        recommend: None,
        attempts: 1,
        origin: ErrorOrigin::Business,
        retryable: false,
        client_token: None,
    };
    Failure::new::<S>(error.into())
}

/// Decodes a 2xx response body of the given format.
pub type Decoder<T> = fn(&[u8], decode::BodyFormat) -> Result<T, acs_model::DecodeError>;

/// A failed attempt, before the retry decision.
struct Failure {
    error: Error,
    retry_after: Option<Duration>,
    /// Whether the service may have carried the attempt out.
    delivery: Delivery,
}

impl Failure {
    /// A failure whose delivery follows from the error (see [`retry::error_delivery`]).
    fn new<S: Service>(error: Error) -> Self {
        Self {
            delivery: retry::error_delivery(&error, &S::INFO),
            error,
            retry_after: None,
        }
    }
}

/// The parts of an HTTP response the runtime looks at (header texts are read from the
/// response's own header map when needed, not copied).
struct RawResponse {
    status: u16,
    headers: HeaderMap,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl RawResponse {
    fn request_id(&self) -> Option<&str> {
        header_text(&self.headers, &X_ACS_REQUEST_ID)
    }

    fn content_type(&self) -> Option<&str> {
        header_text(&self.headers, &CONTENT_TYPE)
    }

    fn content_encoding(&self) -> Option<&str> {
        header_text(&self.headers, &CONTENT_ENCODING)
    }
}

/// A header's text, trimmed; `None` when absent, empty or not visible ASCII.
fn header_text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `k=v&k=v` with keys and values percent-encoded (RFC 3986), in one pre-sized string.
fn encode_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> String {
    use acs_sign::encode::{encoded_len, percent_encode_into};
    let len: usize = pairs
        .clone()
        .map(|(k, v)| encoded_len(k) + encoded_len(v) + 2)
        .sum();
    let mut out = String::with_capacity(len);
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode_into(k, &mut out);
        out.push('=');
        percent_encode_into(v, &mut out);
    }
    out
}

fn as_refs<'a>(
    pairs: &'a [(Cow<'static, str>, String)],
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    pairs.iter().map(|(k, v)| (&**k, v.as_str()))
}

const X_ACS_ACTION: HeaderName = HeaderName::from_static("x-acs-action");
const X_ACS_VERSION: HeaderName = HeaderName::from_static("x-acs-version");
const X_ACS_DATE: HeaderName = HeaderName::from_static("x-acs-date");
const X_ACS_SIGNATURE_NONCE: HeaderName = HeaderName::from_static("x-acs-signature-nonce");
const X_ACS_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-acs-content-sha256");
const X_ACS_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-acs-security-token");

fn invalid_header_value(name: &'static str) -> Error {
    // Never echo the value: it may be a security token.
    Error::validation(
        name,
        "contains characters not allowed in an HTTP header (check the AccessKey id and security token)",
    )
}

/// A header value copied from `value`.
fn text_header_value(name: &'static str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value).map_err(|_| invalid_header_value(name))
}

/// A header value that takes over `value`'s buffer (no copy).
fn owned_header_value(name: &'static str, value: String) -> Result<HeaderValue, Error> {
    HeaderValue::try_from(value).map_err(|_| invalid_header_value(name))
}

/// A header value for a `&'static str`: shared, not copied, when it is visible ASCII.
fn static_header_value(name: &'static str, value: &'static str) -> Result<HeaderValue, Error> {
    if value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
    {
        // Cannot panic: exactly the bytes `from_static` accepts.
        Ok(HeaderValue::from_static(value))
    } else {
        HeaderValue::from_str(value).map_err(|_| invalid_header_value(name))
    }
}

/// The request URL from the parsed endpoint: `base` with `pathname` and `query` set, for a
/// `pathname` of visible ASCII without `?`, `#` or `\` (there, setting the path gives what
/// parsing `base + pathname + "?" + query` gives). `None` otherwise: parse the text.
fn fast_url(base: Option<&reqwest::Url>, pathname: &str, query: &str) -> Option<reqwest::Url> {
    let plain = pathname.starts_with('/')
        && pathname
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'\\'));
    if !plain {
        return None;
    }
    let mut url = base?.clone();
    url.set_path(pathname);
    url.set_query((!query.is_empty()).then_some(query));
    Some(url)
}

/// Headers a call cannot set: the client sets them, and most are signed.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "authorization",
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
    "user-agent",
    "accept",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
    "x-acs-security-token",
];

/// The common parameters of the RPC signature, which a call cannot set as extra parameters.
const RESERVED_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SecurityToken",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Signature",
];

/// A call's extra headers, checked and converted once for all its attempts.
struct ExtraHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ExtraHeaders {
    fn new(options: &CallOptions) -> Result<Self, Error> {
        let mut headers = Vec::with_capacity(options.headers().len());
        for (name, value) in options.headers() {
            let header = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| Error::validation(name.clone(), "is not a valid HTTP header name"))?;
            if RESERVED_HEADERS.contains(&header.as_str()) {
                return Err(Error::validation(
                    name.clone(),
                    "is set by the client (and signed): a call cannot override it",
                ));
            }
            // The value is never echoed: it may be a token.
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::validation(
                    name.clone(),
                    "has a value with characters not allowed in an HTTP header",
                )
            })?;
            headers.push((header, value));
        }
        Ok(ExtraHeaders { headers })
    }

    /// The headers the V3 signature covers besides its own: the `x-acs-` ones.
    fn signed(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("x-acs-"))
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect()
    }
}

/// Adds a call's extra query parameters to the request (they are signed with it).
fn add_query_params(request: &mut OperationRequest, options: &CallOptions) -> Result<(), Error> {
    for (name, value) in options.query_params() {
        if name.is_empty() {
            return Err(Error::validation(
                "query_param",
                "an extra query parameter needs a name",
            ));
        }
        if RESERVED_PARAMS.contains(&name.as_str()) {
            return Err(Error::validation(
                name.clone(),
                "is a common parameter of the signature: a call cannot set it",
            ));
        }
        request.query(name.clone(), value.clone());
    }
    Ok(())
}

/// Adds a new client token to a request whose action has one and whose caller did not set
/// it; returns the token the call sends (the caller's or the new one).
fn fill_client_token(request: &mut OperationRequest) -> Option<String> {
    let Idempotency::ClientToken { param, location } = request.idempotency() else {
        return None;
    };
    if let Some(token) = request.param(param) {
        return Some(token.to_string());
    }
    let token = retry::new_client_token();
    match location {
        acs_model::ParamLocation::Query => request.query(param, token.clone()),
        acs_model::ParamLocation::Form => request.form(param, token.clone()),
    };
    Some(token)
}

fn set_attempts(error: &mut Error, n: u32) {
    match error {
        Error::Service(e) => e.attempts = n,
        Error::Transport { attempts, .. } => *attempts = n,
        _ => {}
    }
}

impl<S: Service> Client<S> {
    /// A client with the given configuration (the connection pool was created by
    /// [`ConfigBuilder::build`](crate::ConfigBuilder::build) and is shared by clones).
    pub fn new(config: Config<S>) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config<S> {
        &self.config
    }

    /// Sends a generated request: checks the spec's rules (nothing is sent when they fail),
    /// writes its parameters into an [`OperationRequest`] and [`invoke`](Self::invoke)s it,
    /// reading the business status from the response as the spec says.
    pub async fn send<R: Request>(&self, input: &R) -> Result<R::Response, Error> {
        self.send_with(input, &CallOptions::new()).await
    }

    /// Like [`send`](Self::send), with the call's own [`CallOptions`] (timeouts, attempts,
    /// extra headers and query parameters) over the configuration.
    pub async fn send_with<R: Request>(
        &self,
        input: &R,
        options: &CallOptions,
    ) -> Result<R::Response, Error> {
        self.send_decoded(input, options, decode::decode_body).await
    }

    /// Sends `request`, with retries, and decodes a 2xx body into `T` (JSON or XML, whichever
    /// the body is). `status` extracts the business status of the decoded body; `Success=false`
    /// becomes [`Error::Service`] with [`ErrorOrigin::Business`].
    pub async fn invoke<T, F>(&self, request: OperationRequest, status: F) -> Result<T, Error>
    where
        T: Object,
        F: Fn(&T) -> BusinessStatus<'_>,
    {
        self.invoke_with(request, status, &CallOptions::new()).await
    }

    /// Like [`invoke`](Self::invoke), with the call's own [`CallOptions`].
    pub async fn invoke_with<T, F>(
        &self,
        request: OperationRequest,
        status: F,
        options: &CallOptions,
    ) -> Result<T, Error>
    where
        T: Object,
        F: Fn(&T) -> BusinessStatus<'_>,
    {
        self.invoke_decoded(request, status, options, decode::decode_body)
            .await
    }

    /// [`send_with`](Self::send_with), decoding the response with `decode` (such as
    /// [`acs_model::decode_tree`], which compiles to less code per action than the serde
    /// decoders: what a tool with hundreds of actions uses).
    pub async fn send_decoded<R: Request>(
        &self,
        input: &R,
        options: &CallOptions,
        decode: Decoder<R::Response>,
    ) -> Result<R::Response, Error> {
        input.validate()?;
        self.invoke_decoded(
            OperationRequest::from_request(input),
            R::business_status,
            options,
            decode,
        )
        .await
    }

    /// [`invoke_with`](Self::invoke_with), decoding a 2xx body with `decode`.
    ///
    /// Only the decoding is generic: preparing, signing, sending, reading the response and
    /// the retry decisions are functions shared by every action, so that each action adds
    /// little compiled code (a tool with hundreds of actions compiles them once).
    pub async fn invoke_decoded<T, F>(
        &self,
        mut request: OperationRequest,
        status: F,
        options: &CallOptions,
        decode: Decoder<T>,
    ) -> Result<T, Error>
    where
        F: Fn(&T) -> BusinessStatus<'_>,
    {
        let span = call_span::<S>(&request);
        async move {
            let (call, credentials) = self.prepare(&mut request, options).await?;
            let progress = Progress::default();
            let run = self.run(&call, &credentials, &status, decode, &progress);
            let result = match call.settings.operation_timeout {
                None => run.await,
                Some(limit) => match tokio::time::timeout(limit, run).await {
                    Ok(result) => result,
                    Err(_) => Err(call.timed_out(limit, &progress)),
                },
            };
            call_finished(result.as_ref().err(), &progress);
            result
        }
        .instrument(span)
        .await
    }

    /// Checks the request and the call's options, adds the extra query parameters and the
    /// client token, and gets the credentials: the call, ready for its attempts.
    async fn prepare<'r>(
        &self,
        request: &'r mut OperationRequest,
        options: &CallOptions,
    ) -> Result<(Call<'r>, Cow<'_, Credentials>), Error> {
        if !request.pathname().starts_with('/') {
            return Err(Error::validation(
                "pathname",
                format!("must start with '/', got {:?}", request.pathname()),
            ));
        }
        let settings = CallSettings::new(&self.config, options)?;
        let extra_headers = ExtraHeaders::new(options)?;
        add_query_params(request, options)?;
        let client_token = fill_client_token(request);
        if let Some(token) = &client_token {
            tracing::Span::current().record("client_token", token.as_str());
        }
        let request: &'r OperationRequest = request;
        let idempotency = match settings.idempotent {
            None => request.idempotency(),
            Some(true) => Idempotency::Safe,
            Some(false) => Idempotency::Unsafe,
        };
        // Static credentials are lent for the call; a provider gives a fresh copy; an
        // anonymous call asks for none (the empty ones are never sent).
        let credentials = match (request.signing(), &self.config.static_credentials) {
            (Signing::Anonymous, _) => Cow::Owned(Credentials::new("", "")),
            (_, Some(credentials)) => Cow::Borrowed(&**credentials),
            (_, None) => Cow::Owned(self.config.credentials.credentials().await?),
        };
        let call = Call {
            request,
            settings,
            extra_headers,
            idempotency,
            client_token,
        };
        Ok((call, credentials))
    }

    /// Builds and signs `request` as [`invoke_with`](Self::invoke_with) would send its first
    /// attempt (the same code, a fresh nonce and timestamp), and returns it without sending
    /// it, with the texts the signature covers; the secret, the security token and the
    /// signature are redacted ([`DryRun`](crate::dry_run::DryRun)). Check a generated
    /// request's rules first (`Request::validate`, as `send` does). Credentials are
    /// resolved as for a call (an unusable chain is the same error).
    pub async fn dry_run(
        &self,
        mut request: OperationRequest,
        options: &CallOptions,
    ) -> Result<crate::dry_run::DryRun, Error> {
        let (call, credentials) = self.prepare(&mut request, options).await?;
        let built = self
            .build_request(&call, &credentials)?
            .build()
            .map_err(|e| Error::validation("url", e.to_string()))?;
        let redactor = Redactor::new(&credentials).marked(crate::dry_run::REDACTED);
        Ok(crate::dry_run::DryRun::from_request(&built, |text| {
            redactor.apply(text)
        }))
    }

    /// The attempts of a call until one succeeds or the error is final. Generic only for the
    /// decoding of a 2xx answer; everything else is shared by every action.
    async fn run<T, F>(
        &self,
        call: &Call<'_>,
        credentials: &Credentials,
        status: &F,
        decode: Decoder<T>,
        progress: &Progress,
    ) -> Result<T, Error>
    where
        F: Fn(&T) -> BusinessStatus<'_>,
    {
        let mut retries = Retries::default();
        loop {
            let span = retries.next_attempt(progress);
            let outcome = self
                .attempt(call, credentials, progress)
                .instrument(span.clone())
                .await;
            progress.in_flight.store(false, Ordering::Relaxed);
            let outcome = outcome.and_then(|answer| {
                span.in_scope(|| self.decode_answer(answer, status, decode, credentials))
            });
            let failure = match outcome {
                Ok(out) => return Ok(out),
                Err(failure) => failure,
            };
            let delay = self.retry_delay(call, &mut retries, failure, progress)?;
            tokio::time::sleep(delay).await;
        }
    }

    /// Decodes a 2xx answer into `T`; a body whose business status says `Success=false`
    /// becomes [`Error::Service`] with [`ErrorOrigin::Business`].
    fn decode_answer<T, F>(
        &self,
        answer: Answer,
        status: &F,
        decode: Decoder<T>,
        credentials: &Credentials,
    ) -> Result<T, Failure>
    where
        F: Fn(&T) -> BusinessStatus<'_>,
    {
        let raw = &answer.raw;
        let output: T = decode(&raw.body, answer.format)
            .map_err(|e| Failure::new::<S>(decode_error(raw, credentials, e.into())))?;
        let business = status(&output);
        if business.success == Some(false) {
            return Err(business_failure::<S>(raw, &business, credentials));
        }
        Ok(output)
    }

    /// After a failed attempt: the delay before the next one, or the call's final error
    /// (not retryable, attempts used up, or not safe to repeat).
    fn retry_delay(
        &self,
        call: &Call<'_>,
        retries: &mut Retries,
        failure: Failure,
        progress: &Progress,
    ) -> Result<Duration, Error> {
        let config = &*self.config;
        let attempt = retries.attempt;
        let delivery = failure.delivery;
        let maybe_done = progress.maybe_done.load(Ordering::Relaxed);
        if delivery == Delivery::Unknown {
            progress.maybe_done.store(true, Ordering::Relaxed);
        }
        let mut error = failure.error;
        let mut retryable = error.is_retryable();
        if error.code() == Some(retry::SIGNATURE_NONCE_USED) {
            retryable = !retries.nonce_retry_used;
            retries.nonce_retry_used = true;
        }
        if !retryable
            || attempt >= call.settings.max_attempts
            || !retry::retries_after(call.idempotency, delivery)
        {
            set_attempts(&mut error, attempt);
            return Err(call.final_error(error, delivery, maybe_done));
        }
        let delay = match failure.retry_after {
            Some(hint) => hint.min(config.retry_max_delay),
            None => retry::backoff_delay(attempt, config.retry_base_delay, config.retry_max_delay),
        };
        tracing::info!(
            attempt,
            backoff_ms = delay.as_millis() as u64,
            retry_after = failure.retry_after.is_some(),
            http_status = error.http_status(),
            code = error.code(),
            request_id = error.request_id(),
            client_token = call.client_token.as_deref(),
            error = %error,
            "retrying after a transient failure"
        );
        Ok(delay)
    }

    /// Builds the signed HTTP request for one attempt (fresh nonce and timestamp).
    fn build_request(
        &self,
        call: &Call<'_>,
        credentials: &Credentials,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let request = call.request;
        let config = &*self.config;
        let info = &S::INFO;
        let authority = config.endpoint.authority();
        // Formatted once per second; the nonce from a per-thread CSPRNG (see `acs_sign::clock`).
        let timestamp = acs_sign::clock::Timestamp::now();
        let nonce = acs_sign::clock::new_nonce();
        let body = encode_pairs(as_refs(request.form_params()));
        let action = request.action();
        let extra = &call.extra_headers.headers;
        let mut headers = HeaderMap::with_capacity(12 + extra.len());
        let version = match request.signing() {
            Signing::V1 => Some(SignatureVersion::V1),
            Signing::V3 => Some(SignatureVersion::V3),
            Signing::Anonymous => None,
            // `Configured`, and any way a newer acs-model adds.
            _ => Some(config.signature_version),
        };
        let rpc_format = match config.response_format {
            ResponseFormat::Json => "JSON",
            ResponseFormat::Xml => "XML",
        };
        let query = match version {
            None => {
                // The RPC common parameters without AccessKeyId, Signature* or SecurityToken.
                let common = [
                    ("Action", action),
                    ("Format", rpc_format),
                    ("Version", info.version),
                    ("Timestamp", timestamp.as_str()),
                    ("SignatureNonce", nonce.as_str()),
                ];
                headers.insert(HOST, self.host_header()?);
                headers.insert(
                    X_ACS_VERSION,
                    static_header_value("x-acs-version", info.version)?,
                );
                headers.insert(X_ACS_ACTION, self.action_header(request)?);
                encode_pairs(common.into_iter().chain(as_refs(request.query_params())))
            }
            Some(SignatureVersion::V3) => {
                let query: Vec<(&str, &str)> = as_refs(request.query_params()).collect();
                // The extra `x-acs-` headers of the call are signed too (sent below).
                let signature = acs_sign::v3::sign_with_headers(
                    &acs_sign::v3::V3Request {
                        method: request.method(),
                        pathname: request.pathname(),
                        host: authority,
                        query: &query,
                        content_type: Some(FORM_CONTENT_TYPE),
                        body: body.as_bytes(),
                        action,
                        version: info.version,
                        timestamp: &timestamp,
                        nonce: &nonce,
                    },
                    &call.extra_headers.signed(),
                    credentials,
                );
                // The headers signed, in `sign_request`'s order (the call's extra ones are
                // added below); the values known before signing are shared, not copied.
                headers.insert(HOST, self.host_header()?);
                headers.insert(X_ACS_ACTION, self.action_header(request)?);
                headers.insert(
                    X_ACS_VERSION,
                    static_header_value("x-acs-version", info.version)?,
                );
                headers.insert(X_ACS_DATE, text_header_value("x-acs-date", &timestamp)?);
                headers.insert(
                    X_ACS_SIGNATURE_NONCE,
                    owned_header_value("x-acs-signature-nonce", nonce)?,
                );
                headers.insert(
                    X_ACS_CONTENT_SHA256,
                    owned_header_value("x-acs-content-sha256", signature.content_sha256)?,
                );
                if let Some(token) = credentials.security_token() {
                    headers.insert(
                        X_ACS_SECURITY_TOKEN,
                        text_header_value("x-acs-security-token", token)?,
                    );
                }
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(FORM_CONTENT_TYPE));
                headers.insert(
                    AUTHORIZATION,
                    owned_header_value("authorization", signature.authorization)?,
                );
                let accept = match config.response_format {
                    ResponseFormat::Json => "application/json",
                    ResponseFormat::Xml => "application/xml",
                };
                headers.insert(ACCEPT, HeaderValue::from_static(accept));
                encode_pairs(query.iter().copied())
            }
            Some(SignatureVersion::V1) => {
                let common = acs_sign::v1::CommonParams {
                    action,
                    version: info.version,
                    format: rpc_format,
                    access_key_id: credentials.access_key_id(),
                    signature_nonce: &nonce,
                    timestamp: timestamp.as_str(),
                    security_token: credentials.security_token(),
                };
                let business: Vec<(&str, &str)> = as_refs(request.query_params())
                    .chain(as_refs(request.form_params()))
                    .collect();
                let signed = acs_sign::v1::sign_common_params(
                    request.method(),
                    &common,
                    &business,
                    credentials.access_key_secret(),
                );
                let query = encode_pairs(
                    signed
                        .iter()
                        .map(|(k, v)| (*k, v.as_str()))
                        .chain(as_refs(request.query_params())),
                );
                headers.insert(HOST, self.host_header()?);
                headers.insert(
                    X_ACS_VERSION,
                    static_header_value("x-acs-version", info.version)?,
                );
                headers.insert(X_ACS_ACTION, self.action_header(request)?);
                query
            }
        };
        let user_agent = match &config.user_agent_header {
            Some(value) => value.clone(),
            None => owned_header_value("user-agent", config.user_agent.clone())?,
        };
        headers.insert(USER_AGENT, user_agent);
        for (name, value) in extra {
            headers.append(name.clone(), value.clone());
        }
        if !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(FORM_CONTENT_TYPE));
        }
        let method = reqwest::Method::from_bytes(request.method().as_bytes()).map_err(|_| {
            Error::validation(
                "method",
                format!("{:?} is not an HTTP method", request.method()),
            )
        })?;
        if let Some(url) = fast_url(config.base_url.as_ref(), request.pathname(), &query) {
            // What `RequestBuilder::headers` and `body` would do, without re-inserting
            // every header into a new map.
            let mut http_request = reqwest::Request::new(method, url);
            *http_request.headers_mut() = headers;
            *http_request.body_mut() = Some(body.into());
            return Ok(reqwest::RequestBuilder::from_parts(
                config.http.clone(),
                http_request,
            ));
        }
        // Unusual paths: the URL text is parsed as a whole (reqwest reports a bad URL when
        // the request is sent).
        let mut url = config.endpoint.url();
        url.push_str(request.pathname());
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Ok(config.http.request(method, url).headers(headers).body(body))
    }

    /// A transport error of this client: its endpoint's host and its proxy.
    fn transport_failure(&self, kind: TransportKind, source: BoxError) -> Error {
        Error::Transport {
            kind,
            attempts: 1,
            host: self.config.endpoint.authority().to_string(),
            proxy: self.config.proxy().map(str::to_string),
            source,
        }
    }

    /// A failure of the HTTP stack; it was not sent when it happened while connecting (DNS,
    /// refused, connect timeout, TLS handshake, proxy tunnel), else it may have been.
    fn transport_error(&self, e: reqwest::Error) -> Failure {
        let kind = crate::network::classify(&e, self.config.proxy.is_some());
        let delivery = if e.is_connect() {
            Delivery::NotSent
        } else {
            Delivery::Unknown
        };
        // The URL may carry a security token (V1 query): never keep it.
        Failure {
            error: self.transport_failure(kind, Box::new(e.without_url())),
            retry_after: None,
            delivery,
        }
    }

    /// The `host` header value (the endpoint's authority).
    fn host_header(&self) -> Result<HeaderValue, Error> {
        match &self.config.host_header {
            Some(value) => Ok(value.clone()),
            None => owned_header_value("host", self.config.endpoint.authority().to_string()),
        }
    }

    /// The `x-acs-action` header value, not copied when the action name is `&'static str`.
    fn action_header(&self, request: &OperationRequest) -> Result<HeaderValue, Error> {
        match request.static_action() {
            Some(action) => static_header_value("x-acs-action", action),
            None => owned_header_value("x-acs-action", request.action().to_string()),
        }
    }

    /// One attempt: signs and sends the request and reads the response. A 2xx answer in JSON
    /// or XML is returned undecoded; anything else is the failure to retry or report.
    async fn attempt(
        &self,
        call: &Call<'_>,
        credentials: &Credentials,
        progress: &Progress,
    ) -> Result<Answer, Failure> {
        let config = &*self.config;
        // A bounded number of requests on the wire at once: the others wait here, before
        // they are signed and before their attempt timeout starts.
        let permit = match &config.in_flight {
            Some(limit) => limit.acquire().await.ok(),
            None => None,
        };
        // From here the request may reach the service (an operation timeout that strikes
        // while waiting for the permit leaves nothing done).
        progress.in_flight.store(true, Ordering::Relaxed);
        // `send` only prepares the request (nothing is sent before it is polled); the
        // future below then holds the small pending request, not the whole builder.
        let pending = self
            .build_request(call, credentials)
            .map_err(Failure::new::<S>)?
            .send();
        let limit = config.max_response_bytes;
        let exchange = async move {
            let response = pending.await.map_err(|e| self.transport_error(e))?;
            read_response(response, limit)
                .await
                .map_err(Failure::new::<S>)
        };
        let attempt_timeout = call.settings.attempt_timeout;
        let raw = match tokio::time::timeout(attempt_timeout, exchange).await {
            Err(_) => {
                return Err(Failure::new::<S>(
                    self.transport_failure(
                        TransportKind::Timeout,
                        format!(
                        "no complete response within the attempt timeout of {attempt_timeout:?}"
                    )
                        .into(),
                    ),
                ))
            }
            Ok(Err(mut failure)) => {
                // A body cut short may echo the request (and so the token): redact its excerpt
                // like every other body excerpt.
                if let Error::Decode { excerpt, .. } = &mut failure.error {
                    *excerpt = Redactor::new(credentials).apply(std::mem::take(excerpt));
                }
                tracing::debug!(error = %failure.error, delivery = ?failure.delivery, "attempt failed");
                return Err(failure);
            }
            Ok(Ok(raw)) => raw,
        };
        // The exchange is over (the body is read); decoding needs no connection.
        drop(permit);
        let span = tracing::Span::current();
        span.record("http_status", raw.status);
        if let Some(id) = raw.request_id() {
            span.record("request_id", id);
        }
        tracing::debug!(
            http_status = raw.status,
            request_id = raw.request_id(),
            bytes = raw.body.len(),
            "response received"
        );
        self.interpret(raw, credentials)
    }

    /// A 2xx response in JSON or XML is the answer (decoded by the caller); anything else
    /// becomes the failure to retry or report.
    fn interpret(&self, raw: RawResponse, credentials: &Credentials) -> Result<Answer, Failure> {
        if let Some(encoding) = raw
            .content_encoding()
            .filter(|e| !e.eq_ignore_ascii_case("identity"))
        {
            return Err(Failure::new::<S>(decode_error(
                &raw,
                credentials,
                format!("the response uses Content-Encoding {encoding:?}, which was not requested and is not supported").into(),
            )));
        }
        if raw.status == 407 {
            // Only a proxy answers 407: its credentials are missing or wrong.
            return Err(Failure::new::<S>(
                self.transport_failure(
                    TransportKind::Proxy,
                    "HTTP 407 Proxy Authentication Required: the proxy wants other credentials \
                 (user:password@ in the proxy URL)"
                        .into(),
                ),
            ));
        }
        let format = decode::detect_format(raw.content_type(), &raw.body);
        if (200..300).contains(&raw.status) {
            let Some(format) = format else {
                return Err(Failure::new::<S>(decode_error(
                    &raw,
                    credentials,
                    format!(
                        "the body is neither JSON nor XML (Content-Type {:?})",
                        raw.content_type().unwrap_or("none")
                    )
                    .into(),
                )));
            };
            return Ok(Answer { raw, format });
        }
        let fields = format.and_then(|f| decode::parse_error_body(&raw.body, f));
        let Some(fields) = fields else {
            let error = decode_error(
                &raw,
                credentials,
                format!(
                    "HTTP {} with an error body that is not a recognised JSON/XML error",
                    raw.status
                )
                .into(),
            );
            return Err(Failure {
                retry_after: raw.retry_after,
                ..Failure::new::<S>(error)
            });
        };
        let retryable = retry::is_retryable(fields.code.as_deref(), raw.status, &S::INFO);
        let error = ServiceError {
            http_status: raw.status,
            code: fields.code,
            message: fields.message.map(|m| Redactor::new(credentials).apply(m)),
            request_id: fields
                .request_id
                .or_else(|| raw.request_id().map(str::to_string)),
            host_id: fields.host_id,
            recommend: fields.recommend,
            attempts: 1,
            origin: if fields.business {
                ErrorOrigin::Business
            } else {
                ErrorOrigin::Gateway
            },
            retryable,
            client_token: None,
        };
        let error = Error::from(error);
        Err(Failure {
            delivery: retry::error_delivery(&error, &S::INFO),
            error,
            retry_after: raw.retry_after,
        })
    }
}

/// Removes the caller's secret and security token (raw and percent-encoded once or twice)
/// from text that came back from the server: a `SignatureDoesNotMatch` message quotes the
/// server's string to sign, which includes `SecurityToken` for RPC v1 STS calls.
struct Redactor {
    needles: Vec<String>,
    mark: &'static str,
}

impl Redactor {
    fn new(credentials: &Credentials) -> Self {
        let mut needles = Vec::new();
        let secrets = [
            Some(credentials.access_key_secret()),
            credentials.security_token(),
        ];
        for secret in secrets.into_iter().flatten() {
            // Very short values would garble unrelated text; real ones are long.
            if secret.len() < 4 {
                continue;
            }
            let once = acs_sign::encode::percent_encode(secret);
            let twice = acs_sign::encode::percent_encode(&once);
            for needle in [twice, once, secret.to_string()] {
                if !needles.contains(&needle) {
                    needles.push(needle);
                }
            }
        }
        Self {
            needles,
            mark: "***",
        }
    }

    /// The same, writing `mark` instead of `***`.
    fn marked(self, mark: &'static str) -> Self {
        Self { mark, ..self }
    }

    fn apply(&self, mut text: String) -> String {
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = text.replace(needle.as_str(), self.mark);
            }
        }
        text
    }
}

/// Reads status, headers and the body (in chunks, stopping past `limit`).
async fn read_response(mut response: reqwest::Response, limit: u64) -> Result<RawResponse, Error> {
    let status = response.status().as_u16();
    // Taken, not copied; the body is read separately.
    let headers = std::mem::take(response.headers_mut());
    let retry_after = header_text(&headers, &X_ACS_RETRY_AFTER).and_then(retry::parse_retry_after);
    let request_id =
        |headers: &HeaderMap| header_text(headers, &X_ACS_REQUEST_ID).map(str::to_string);
    let too_large = |headers: &HeaderMap| Error::ResponseTooLarge {
        limit,
        http_status: status,
        request_id: request_id(headers),
    };
    let expected = response.content_length();
    if expected.is_some_and(|len| len > limit) {
        return Err(too_large(&headers));
    }
    let presize = expected.unwrap_or(0).min(limit).min(MAX_BODY_PRESIZE);
    let mut body: Vec<u8> = Vec::with_capacity(usize::try_from(presize).unwrap_or(0));
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > limit {
                    return Err(too_large(&headers));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(Error::Decode {
                    http_status: status,
                    request_id: request_id(&headers),
                    excerpt: decode::excerpt(&body),
                    source: format!(
                        "the response body could not be read completely after {} bytes: {}",
                        body.len(),
                        e.without_url()
                    )
                    .into(),
                });
            }
        }
    }
    Ok(RawResponse {
        status,
        headers,
        retry_after,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the URL was before `fast_url`: the whole text parsed.
    fn parsed(endpoint: &str, pathname: &str, query: &str) -> Option<reqwest::Url> {
        let mut url = format!("{endpoint}{pathname}");
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        reqwest::Url::parse(&url).ok()
    }

    fn base(endpoint: &str) -> reqwest::Url {
        reqwest::Url::parse(&format!("{endpoint}/")).unwrap()
    }

    #[test]
    fn fast_url_matches_parsing_the_text() {
        let query = encode_pairs([("Foo", "x/y z+"), ("Bar", ""), ("é", "~*")].into_iter());
        for endpoint in [
            "https://dataworks.cn-shanghai.aliyuncs.com",
            "http://127.0.0.1:8080",
            "http://[::1]:9000",
        ] {
            for pathname in [
                "/",
                "/a/b",
                "/a/./b/../c",
                "/%41%zz",
                "/a//b/",
                "/x;y=1,z@:+$!",
            ] {
                for q in ["", query.as_str()] {
                    let fast = fast_url(Some(&base(endpoint)), pathname, q).unwrap();
                    assert_eq!(Some(&fast), parsed(endpoint, pathname, q).as_ref());
                }
            }
        }
    }

    #[test]
    fn unusual_paths_are_parsed_as_text() {
        let b = base("https://h.example.com");
        for pathname in ["", "a", "/a?b", "/a#b", "/a\\b", "/a b", "/é", "/a\n"] {
            assert!(fast_url(Some(&b), pathname, "").is_none(), "{pathname:?}");
        }
        assert!(fast_url(None, "/", "").is_none());
    }

    proptest! {
        #[test]
        fn fast_url_matches_parsing_for_any_plain_path(
            pathname in "/[!-~]{0,40}",
            pairs in proptest::collection::vec((".{0,8}", ".{0,8}"), 0..4),
        ) {
            let query = encode_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let endpoint = "http://127.0.0.1:8080";
            if let Some(fast) = fast_url(Some(&base(endpoint)), &pathname, &query) {
                prop_assert_eq!(Some(fast), parsed(endpoint, &pathname, &query));
            } else {
                prop_assert!(pathname.contains(['?', '#', '\\']));
            }
        }
    }
}
