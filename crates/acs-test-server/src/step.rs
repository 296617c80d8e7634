//! Scripted responses: [`Step`]s, their [`Body`], faults, and parameter [`Route`]s.

use std::time::Duration;

use serde_json::Value;

/// What the server does with one request that passed verification.
///
/// Build steps with the helpers ([`Step::json`], [`Step::error`], [`Step::raw`],
/// [`Step::drop_connection`], [`Step::reset`], ...) and refine them with the
/// `with_*` / fault modifiers. Modifiers that only make sense for a response
/// ([`Step::with_header`], [`Step::truncate_body`], [`Step::stall_mid_body`],
/// [`Step::gzip`]) leave [`Step::Drop`] and [`Step::Reset`] unchanged.
///
/// ```
/// use std::time::Duration;
/// use acs_test_server::Step;
/// use serde_json::json;
///
/// let throttled = Step::error(429, "Throttling.User", "Request was denied due to user flow control.")
///     .with_header("x-acs-retry-after", "150");
/// let slow = Step::json(200, json!({"Success": true})).with_delay(Duration::from_millis(300));
/// let cut = Step::json(200, json!({"Success": true})).truncate_body(5);
/// let gone = Step::drop_connection();
/// # let _ = (throttled, slow, cut, gone);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Answer with an HTTP response.
    Respond {
        /// HTTP status code.
        status: u16,
        /// Extra response headers, sent after the server's own `Content-Type`,
        /// `Content-Length` and `x-acs-request-id`; a header with the same name
        /// (case-insensitive) replaces the server's value (so a wrong `Content-Length`
        /// can be sent on purpose).
        headers: Vec<(String, String)>,
        /// The body.
        body: Body,
        /// Sleep this long before sending anything (a stall before the status line:
        /// with a delay above the client's read timeout the client times out).
        delay: Duration,
        /// How the body is delivered (completely, cut short, or with a stall in the middle).
        delivery: Delivery,
        /// Encode the rendered body as gzip and label it `Content-Encoding: gzip`
        /// even though the client did not ask for it.
        gzip: bool,
    },
    /// Close the connection (FIN) without sending any byte, after `delay`.
    Drop {
        /// Time to wait before closing.
        delay: Duration,
    },
    /// Abort the connection with a TCP RST (`SO_LINGER` 0, then close) without
    /// sending any byte, after `delay`.
    Reset {
        /// Time to wait before resetting.
        delay: Duration,
    },
}

/// The body of a [`Step::Respond`].
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Bytes sent verbatim with this `Content-Type`, whatever format the request asked for.
    Raw {
        /// `Content-Type` header value.
        content_type: String,
        /// Body bytes.
        bytes: Vec<u8>,
    },
    /// A JSON document rendered in the format the request asked for: JSON
    /// (`application/json;charset=utf-8`) or XML (`text/xml;charset=utf-8`, see
    /// [`crate::render::json_to_xml`], root element from [`crate::ServerConfig::with_xml_root`]
    /// or `<Action>Response`). When the value is an object whose top-level
    /// `RequestId` is absent or `null`, the response's request id is filled in.
    Json(Value),
    /// A gateway error `{"RequestId","HostId","Code","Message","Recommend"}` (or the
    /// `<Error>` XML document) in the requested format, with this code and message;
    /// `extra` fields are appended after `Recommend`.
    Error {
        /// The `Code` field, e.g. `Throttling.User`.
        code: String,
        /// The `Message` field.
        message: String,
        /// Additional fields (e.g. `AccessDeniedDetail`), in order.
        extra: Vec<(String, Value)>,
    },
}

/// How the body of a [`Step::Respond`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delivery {
    /// The whole body, then the connection stays open (unless the client asked to close it).
    #[default]
    Complete,
    /// Send the headers (with the full `Content-Length`) and only the first
    /// `body_bytes` bytes of the body, then close the connection. The client sees
    /// an unexpected end of the body. `body_bytes` at or above the body length sends
    /// the whole body and still closes.
    Truncate {
        /// Number of body bytes sent before closing.
        body_bytes: usize,
    },
    /// Send the headers and the first `body_bytes` bytes, sleep `stall`, then send
    /// the rest (a stall mid-body: the client's read timeout fires if it is shorter).
    StallMidBody {
        /// Number of body bytes sent before the stall.
        body_bytes: usize,
        /// Length of the stall.
        stall: Duration,
    },
}

impl Step {
    /// A response whose body is `body` rendered as JSON or XML per the request
    /// (see [`Body::Json`]).
    pub fn json(status: u16, body: Value) -> Step {
        Step::respond(status, Body::Json(body))
    }

    /// `Step::json(200, body)`.
    pub fn ok(body: Value) -> Step {
        Step::json(200, body)
    }

    /// A 200 response with a typed response serialized with its wire names (a generated
    /// response struct, as the client decodes it), rendered as JSON or XML per the request.
    /// A value that does not serialize gives a 500 `InternalError` naming the reason.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Out {
    ///     #[serde(rename = "Success")]
    ///     success: bool,
    /// }
    /// let step = acs_test_server::Step::output(&Out { success: true });
    /// assert_eq!(step, acs_test_server::Step::ok(serde_json::json!({"Success": true})));
    /// ```
    pub fn output<T: serde::Serialize>(value: &T) -> Step {
        match serde_json::to_value(value) {
            Ok(value) => Step::ok(value),
            Err(e) => Step::error(
                500,
                "InternalError",
                format!("the scripted output does not serialize: {e}"),
            ),
        }
    }

    /// A 200 response with a documented sample body (JSON text): rendered as JSON or XML
    /// per the request when it parses, else sent verbatim as JSON.
    pub fn sample(json: &str) -> Step {
        match serde_json::from_str::<Value>(json) {
            Ok(value) => Step::ok(value),
            Err(_) => Step::raw(
                200,
                crate::render::JSON_CONTENT_TYPE,
                json.as_bytes().to_vec(),
            ),
        }
    }

    /// A gateway error with this status, `Code` and `Message` (see [`Body::Error`]).
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Step {
        Step::respond(
            status,
            Body::Error {
                code: code.into(),
                message: message.into(),
                extra: Vec::new(),
            },
        )
    }

    /// A response with a verbatim body and content type (see [`Body::Raw`]).
    pub fn raw(status: u16, content_type: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Step {
        Step::respond(
            status,
            Body::Raw {
                content_type: content_type.into(),
                bytes: bytes.into(),
            },
        )
    }

    /// A response with any [`Body`], no extra header, no delay, complete delivery.
    pub fn respond(status: u16, body: Body) -> Step {
        Step::Respond {
            status,
            headers: Vec::new(),
            body,
            delay: Duration::ZERO,
            delivery: Delivery::Complete,
            gzip: false,
        }
    }

    /// Close the connection without any response ([`Step::Drop`]).
    pub fn drop_connection() -> Step {
        Step::Drop {
            delay: Duration::ZERO,
        }
    }

    /// Reset the connection without any response ([`Step::Reset`]).
    pub fn reset() -> Step {
        Step::Reset {
            delay: Duration::ZERO,
        }
    }

    /// A 200 response with the emulator's sample `GetDeployment` body
    /// ([`sample_get_deployment_body`]); the server's default step.
    pub fn sample_get_deployment() -> Step {
        Step::ok(sample_get_deployment_body())
    }

    /// Adds a response header (see [`Step::Respond::headers`]).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Step {
        if let Step::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Sleeps `delay` before answering (or before dropping / resetting).
    pub fn with_delay(mut self, d: Duration) -> Step {
        match &mut self {
            Step::Respond { delay, .. } | Step::Drop { delay } | Step::Reset { delay } => {
                *delay = d
            }
        }
        self
    }

    /// Adds one extra field to a [`Body::Error`] body (ignored for other bodies).
    pub fn with_error_field(mut self, name: impl Into<String>, value: Value) -> Step {
        if let Step::Respond {
            body: Body::Error { extra, .. },
            ..
        } = &mut self
        {
            extra.push((name.into(), value));
        }
        self
    }

    /// Sends only the first `body_bytes` body bytes, then closes ([`Delivery::Truncate`]).
    pub fn truncate_body(self, body_bytes: usize) -> Step {
        self.with_delivery(Delivery::Truncate { body_bytes })
    }

    /// Stalls for `stall` after `body_bytes` body bytes ([`Delivery::StallMidBody`]).
    pub fn stall_mid_body(self, body_bytes: usize, stall: Duration) -> Step {
        self.with_delivery(Delivery::StallMidBody { body_bytes, stall })
    }

    /// Sets the [`Delivery`].
    pub fn with_delivery(mut self, d: Delivery) -> Step {
        if let Step::Respond { delivery, .. } = &mut self {
            *delivery = d;
        }
        self
    }

    /// Gzip-encodes the rendered body and labels it `Content-Encoding: gzip`
    /// although the client did not ask for it (real gzip, uncompressed blocks:
    /// see [`crate::render::gzip_stored`]).
    pub fn gzip(mut self) -> Step {
        if let Step::Respond { gzip, .. } = &mut self {
            *gzip = true;
        }
        self
    }
}

/// The emulator's sample `GetDeployment` success body (`RequestId: null`, filled per response).
pub fn sample_get_deployment_body() -> Value {
    serde_json::json!({
        "RequestId": null,
        "Success": true,
        "HttpStatusCode": 200,
        "Data": {
            "Deployment": {
                "Name": "deploy-2024-01-01",
                "CreatorId": "1234567890",
                "HandlerId": "1234567890",
                "CreateTime": 1_704_067_200_000_i64,
                "ExecuteTime": 1_704_067_260_000_i64,
                "Status": 1,
                "ErrorMessage": "",
                "FromEnvironment": 1,
                "ToEnvironment": 2,
                "CheckingStatus": 8
            },
            "DeployedItems": [
                {"FileId": 100_001, "FileVersion": 3, "Status": 1},
                {"FileId": 100_002, "FileVersion": 1, "Status": 0}
            ]
        }
    })
}

/// What a [`Route`] answers once its steps are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Then {
    /// The server's default step.
    #[default]
    Default,
    /// Repeat the route's last step forever.
    Last,
    /// Start the route's steps over.
    Cycle,
}

/// Steps reserved for requests whose (merged query + form) parameters match.
///
/// Routes are tried in the order they were added; the first whose every
/// `(name, value)` pair matches takes the request (even when its steps are used
/// up: then [`Then`] decides). Requests matched by no route take the main queue
/// ([`crate::ServerConfig::with_steps`]), then the default step.
///
/// ```
/// use acs_test_server::{Route, Step, Then};
/// let route = Route::when("DeploymentId", "1001")
///     .step(Step::error(429, "Throttling.User", "Request was denied due to user flow control."))
///     .step(Step::error(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."))
///     .then(Then::Default);
/// # let _ = route;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The action the request must call (`x-acs-action` header or `Action` parameter), if
    /// any.
    pub action: Option<String>,
    /// `(parameter name, exact value)` pairs that must all match.
    pub matching: Vec<(String, String)>,
    /// Steps used in order by matching requests.
    pub steps: Vec<Step>,
    /// What happens once `steps` are used up.
    pub then: Then,
}

/// Route key of the request method (see [`Route::and_method`]).
pub(crate) const METHOD_KEY: &str = ":method";
/// Route key of the request path (see [`Route::path`]).
pub(crate) const PATH_KEY: &str = ":path";
/// Prefix of route keys that match a request header (see [`Route::and_header`]).
pub(crate) const HEADER_PREFIX: &str = "header:";

impl Route {
    /// A route for requests to exactly this path (without the query), for stand-ins of
    /// services that are not RPC-style, such as the ECS metadata service or a credentials URI.
    ///
    /// ```
    /// use acs_test_server::{Route, Step, Then};
    /// let token = Route::path("/latest/api/token")
    ///     .and_method("PUT")
    ///     .step(Step::raw(200, "text/plain", "imds-token"))
    ///     .then(Then::Last);
    /// let role = Route::path("/latest/meta-data/ram/security-credentials/")
    ///     .and_header("X-aliyun-ecs-metadata-token", "imds-token")
    ///     .step(Step::raw(200, "text/plain", "worker"))
    ///     .then(Then::Last);
    /// # let _ = (token, role);
    /// ```
    pub fn path(path: impl Into<String>) -> Route {
        Route::when(PATH_KEY, path)
    }

    /// Also requires this HTTP method (`GET`, `PUT`, ...).
    pub fn and_method(self, method: impl Into<String>) -> Route {
        self.and(METHOD_KEY, method)
    }

    /// Also requires this request header value (the name is case-insensitive). A route
    /// without the header, added after this one, catches the requests that lack it.
    pub fn and_header(self, name: impl AsRef<str>, value: impl Into<String>) -> Route {
        let key = format!("{HEADER_PREFIX}{}", name.as_ref().to_ascii_lowercase());
        self.and(key, value)
    }

    /// A route for requests whose parameter `name` equals `value`, with no step yet.
    pub fn when(name: impl Into<String>, value: impl Into<String>) -> Route {
        Route {
            action: None,
            matching: vec![(name.into(), value.into())],
            steps: Vec::new(),
            then: Then::Default,
        }
    }

    /// A route that matches every request (useful with [`Then::Cycle`] / [`Then::Last`]).
    pub fn any() -> Route {
        Route {
            action: None,
            matching: Vec::new(),
            steps: Vec::new(),
            then: Then::Default,
        }
    }

    /// A route for requests that call `action` (the `x-acs-action` header of V3, the
    /// `Action` parameter of RPC v1), with no step yet; [`and`](Self::and) narrows it to
    /// parameter values.
    ///
    /// ```
    /// use acs_test_server::{Route, Step};
    /// let route = Route::action("GetDeployment")
    ///     .and("DeploymentId", "1")
    ///     .step(Step::error(404, "Invalid.Deployment.NotFound", "The deployment does not exist."));
    /// assert_eq!(route.action.as_deref(), Some("GetDeployment"));
    /// ```
    pub fn action(action: impl Into<String>) -> Route {
        Route {
            action: Some(action.into()),
            ..Route::any()
        }
    }

    /// Adds another required `(name, value)` pair.
    pub fn and(mut self, name: impl Into<String>, value: impl Into<String>) -> Route {
        self.matching.push((name.into(), value.into()));
        self
    }

    /// Appends a step.
    pub fn step(mut self, step: Step) -> Route {
        self.steps.push(step);
        self
    }

    /// Appends steps.
    pub fn steps(mut self, steps: impl IntoIterator<Item = Step>) -> Route {
        self.steps.extend(steps);
        self
    }

    /// Sets what happens once the steps are used up.
    pub fn then(mut self, then: Then) -> Route {
        self.then = then;
        self
    }
}
