//! What a generated request says about its action, so that one generic path in the runtime
//! can send any of them.

use crate::check::BuildError;
use crate::object::Object;
use crate::params::{ParamLocation, ParamWriter, WireParam};

/// A request of one action: its name, rules, parameters and response.
///
/// ```
/// use acs_model::{BuildError, ParamLocation, ParamWriter, Request};
/// # #[derive(Default)] struct Empty;
/// # impl acs_model::Object for Empty {
/// #     fn field<F: acs_model::FieldSource>(&mut self, _: &str, f: F) -> Result<(), F::Error> { f.skip() }
/// # }
///
/// struct GetThing {
///     id: Option<i64>,
/// }
///
/// impl Request for GetThing {
///     const ACTION: &'static str = "GetThing";
///     type Response = Empty;
///
///     fn validate(&self) -> Result<(), BuildError> {
///         acs_model::check::required("Id", &self.id)
///     }
///
///     fn write_params(&self, w: &mut ParamWriter<'_>) {
///         w.query("Id", &self.id);
///     }
/// }
///
/// let params = GetThing { id: Some(7) }.to_params();
/// assert_eq!((&*params[0].name, params[0].location), ("Id", ParamLocation::Query));
/// assert!(GetThing { id: None }.validate().is_err());
/// ```
pub trait Request {
    /// The action name, such as `GetDeployment`.
    const ACTION: &'static str;
    /// The HTTP method the official SDKs use for the action.
    const METHOD: &'static str = "POST";
    /// How the action is authenticated, when its spec says more than "signed as the client
    /// is configured".
    const SIGNING: Signing = Signing::Configured;
    /// Whether repeating the action is harmless, as its spec says (`idempotent`,
    /// `clientToken`): it decides which failures the runtime retries. Unsafe unless the spec
    /// says otherwise.
    const IDEMPOTENCY: Idempotency = Idempotency::Unsafe;
    /// What the action answers.
    type Response: Object;

    /// Checks the spec's rules (required parameters, one-of groups) before anything is sent.
    fn validate(&self) -> Result<(), BuildError> {
        Ok(())
    }

    /// Writes every parameter that is set, in spec order (an action without parameters
    /// writes nothing).
    fn write_params(&self, _w: &mut ParamWriter<'_>) {}

    /// The business outcome fields of a decoded 2xx response (`Success`, `ErrorCode`, ...).
    fn business_status(_out: &Self::Response) -> BusinessStatus<'_> {
        BusinessStatus::default()
    }

    /// The parameters as they go on the wire, without sending anything.
    fn to_params(&self) -> Vec<WireParam> {
        let mut params = Vec::new();
        self.write_params(&mut ParamWriter::new(&mut params));
        params
    }
}

/// How an action is authenticated, as its spec says (`auth`, `signatureVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Signing {
    /// Signed as the client is configured (V3 by default, RPC v1 on request).
    #[default]
    Configured,
    /// Always signed with RPC v1 (HMAC-SHA1), whatever the client's configuration says.
    V1,
    /// Always signed with V3 (ACS3-HMAC-SHA256), whatever the client's configuration says.
    V3,
    /// Not signed, and no credentials asked for: the RPC common parameters (`Action`,
    /// `Format`, `Version`, `Timestamp`, `SignatureNonce`) in the query, no `AccessKeyId`,
    /// `Signature*` or `SecurityToken`, as the official SDKs send an action whose `authType`
    /// is `Anonymous` (AssumeRoleWithOIDC authenticates by its token parameter).
    Anonymous,
}

/// Whether an action may be sent again after a failure that leaves its outcome unknown (an
/// attempt timeout, a connection reset after the request was written, HTTP 5xx), as its
/// spec says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Idempotency {
    /// Repeating it changes nothing (a read): retried after every transient failure.
    Safe,
    /// Repeating it may repeat a side effect (deploy, run, create): retried only when the
    /// request certainly was not carried out (no connection, or rejected before processing).
    #[default]
    Unsafe,
    /// Made safe by a client token: the parameter `param` gets a generated UUID when the
    /// caller did not set one, the same for every attempt of a call, so the service carries
    /// the call out at most once; retried like [`Idempotency::Safe`].
    ClientToken {
        /// The parameter's wire name (`ClientToken`).
        param: &'static str,
        /// Where the parameter travels.
        location: ParamLocation,
    },
}

/// The business status fields of a decoded 2xx response body.
///
/// A response whose `success` is `Some(false)` is a service error (with the body's code,
/// message, HTTP status and request id); it is never retried.
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

/// A list action whose pages can be walked: where its page number, page size, total count
/// and items are.
pub trait Paginated: Request + Clone {
    /// One item of a page.
    type Item;
    /// The page number set on the request (1-based).
    fn page_number(&self) -> Option<i64>;
    /// Sets the page number.
    fn set_page_number(&mut self, page: i64);
    /// The page size set on the request.
    fn page_size(&self) -> Option<i64>;
    /// The total number of items, when the response says.
    fn total_count(_out: &Self::Response) -> Option<i64> {
        None
    }
    /// How many items a page holds.
    fn item_count(out: &Self::Response) -> usize;
    /// The items of a response, created empty when absent.
    fn items_mut(out: &mut Self::Response) -> &mut Vec<Self::Item>;
}

/// The inherent `builder()` and `build()` of a generated request, which is its own builder:
/// `GetDeploymentRequest::builder().project_id(1).deployment_id(2).build()?`.
#[macro_export]
macro_rules! request_builder {
    ($request:ident) => {
        impl $request {
            /// A request with nothing set: fill it in with the setters, then check it with
            /// [`build`](Self::build).
            pub fn builder() -> Self {
                Self::default()
            }

            /// Checks the spec's rules and returns the request.
            pub fn build(self) -> Result<Self, $crate::BuildError> {
                $crate::Request::validate(&self)?;
                Ok(self)
            }
        }
    };
}
