//! The typed model of an API: what the emitters read. No YAML is left here.
//!
//! `lower` builds it from the raw spec (`spec.rs`) in passes, one file per concern. In the
//! model every reference is resolved: a field's type names its struct or enum by id (an
//! index into the operation's `structs` or `enums`), rules name parameters by index, a
//! `wait` names the other operation and its waiter by index; and every Rust name (types,
//! fields, setters, CLI flags, modules) is computed once, in `names.rs`. Emitters never
//! look a name up again.

use std::path::PathBuf;

/// The whole API of one product.
#[derive(Debug, Clone)]
pub struct Api {
    pub product: Product,
    pub operations: Vec<Operation>,
}

/// Documentation in both languages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub zh: Option<String>,
    pub en: Option<String>,
}

impl Doc {
    /// Whether there is any text.
    pub fn is_empty(&self) -> bool {
        self.zh.is_none() && self.en.is_none()
    }

    /// English when there is some, else the original Chinese.
    pub fn short(&self) -> Option<&str> {
        self.en.as_deref().or(self.zh.as_deref())
    }
}

/// Product-wide facts.
#[derive(Debug, Clone)]
pub struct Product {
    pub code: String,
    pub version: String,
    pub title: Doc,
    /// The marker type the client declares for the runtime, such as `DataworksPublic`.
    pub service_type: String,
    pub models_crate: CrateRef,
    pub client_crate: CrateRef,
    /// The command-line crate, when the product has one.
    pub cli: Option<CliCrate>,
    /// The crate whose `default_provider` gives clients the credentials they are not given
    /// (`None`: the runtime's chain of static sources).
    pub default_credentials: Option<CredentialsCrate>,
    /// Whether the generated crates may be published (`publish = false` otherwise).
    pub publish: bool,
    pub envelope: EnvelopeNames,
    pub fallback_endpoint: String,
    pub endpoints: Vec<(String, String)>,
    pub errors: Vec<ErrorCode>,
    /// The API groups, one Cargo feature each (empty: no features).
    pub groups: Vec<Group>,
    /// Test data of the generated tests, relative to the workspace root.
    pub tests: TestFiles,
}

impl Product {
    /// The generated per-action test file, relative to the workspace root: `tests.file` of
    /// the spec, else `tests/actions.rs` of the models crate.
    pub fn actions_test_file(&self) -> String {
        self.tests
            .file
            .clone()
            .unwrap_or_else(|| format!("{}/tests/actions.rs", self.models_crate.path))
    }

    /// Whether the per-action test is a test of the models crate itself (it then compiles
    /// each action's test only with that action's feature), rather than of another crate
    /// that depends on the models crate with every feature.
    pub fn actions_test_in_models_crate(&self) -> bool {
        self.tests.file.is_none()
    }
}

/// An API group and its Cargo feature.
#[derive(Debug, Clone)]
pub struct Group {
    /// The feature name (kebab-case).
    pub feature: String,
    pub title: Doc,
    /// Whether it is a default feature.
    pub default: bool,
    /// Its actions, by wire name (as the spec lists them; some may have no spec file).
    pub actions: Vec<String>,
}

/// Test data files (relative to the workspace root).
#[derive(Debug, Clone, Default)]
pub struct TestFiles {
    /// The generated per-action test file, when it is not the models crate's
    /// `tests/actions.rs` (see [`Product::actions_test_file`]).
    pub file: Option<String>,
    pub wire_vectors: Option<String>,
    pub wire_exceptions: Option<String>,
}

/// The generated command-line crate and the name of its binary.
#[derive(Debug, Clone)]
pub struct CliCrate {
    pub krate: CrateRef,
    pub binary: String,
}

/// A generated crate: package name and path relative to the workspace root.
#[derive(Debug, Clone)]
pub struct CrateRef {
    pub name: String,
    pub path: String,
}

impl CrateRef {
    /// The crate's name as a Rust path segment.
    pub fn ident(&self) -> String {
        crate::names::crate_ident(&self.name)
    }
}

/// The hand-written crate (a workspace dependency) whose `default_provider` function gives
/// a client the credentials its configuration does not name.
#[derive(Debug, Clone)]
pub struct CredentialsCrate {
    /// Package name (`acs-credentials`).
    pub name: String,
    /// As a Rust path segment (`acs_credentials`).
    pub ident: String,
}

/// Wire names of the business-outcome fields of a 2xx body.
#[derive(Debug, Clone, Default)]
pub struct EnvelopeNames {
    pub success: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub http_status_code: Option<String>,
    pub request_id: Option<String>,
}

/// An error code with what is known about it.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub http_status: Option<u16>,
    pub code: String,
    pub message: Option<String>,
    pub doc: Doc,
    pub retryable: Option<bool>,
    /// Returned before the action is carried out (`rejectedBeforeProcessing`).
    pub rejected_before_processing: bool,
}

/// One action.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Wire name, such as `GetDeployment`.
    pub name: String,
    /// Rust names derived from it.
    pub names: OperationNames,
    pub title: Doc,
    pub summary: Doc,
    pub doc: Doc,
    pub method: String,
    pub deprecated: bool,
    /// How the action is signed (`auth` and `signatureVersion` in the spec).
    pub signing: Signing,
    /// Whether the action may be repeated (`idempotent`, `clientToken`).
    pub idempotency: Idempotency,
    /// The group (index into `Product::groups`) whose feature enables the action.
    pub group: Option<usize>,
    pub input: Input,
    /// The root response struct.
    pub output: StructId,
    /// All structs of the action: the response's (root first), then the request's objects.
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    pub errors: Vec<ErrorCode>,
    pub samples: Vec<Sample>,
    pub waiters: Vec<Waiter>,
    /// Envelope fields present on the root response struct.
    pub envelope: EnvelopeFields,
    /// How to walk all pages, for paged list actions.
    pub paginator: Option<Paginator>,
    /// Another action's waiter to run after this one.
    pub wait: Option<WaitFor>,
    /// Parts of the source metadata the generator could not represent.
    pub unsupported: Vec<String>,
}

impl Operation {
    /// A response struct of this action.
    pub fn structure(&self, id: StructId) -> &Struct {
        &self.structs[id.0]
    }

    /// An enum of this action.
    pub fn enumeration(&self, id: EnumId) -> &Enum {
        &self.enums[id.0]
    }

    /// The summary, or the title when there is no summary.
    pub fn summary_or_title(&self) -> &Doc {
        if self.summary.is_empty() {
            &self.title
        } else {
            &self.summary
        }
    }
}

/// How an action is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Signing {
    /// Signed as the client is configured (the default).
    #[default]
    Configured,
    /// Always signed with RPC v1 (`signatureVersion: v1`).
    V1,
    /// Always signed with V3 (`signatureVersion: v3`).
    V3,
    /// Sent unsigned (`auth: anonymous`): the action authenticates by a token among its
    /// parameters.
    Anonymous,
}

/// Whether an action may be repeated after a failure that leaves its outcome unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Idempotency {
    /// `idempotent: true`: repeating it changes nothing.
    Safe,
    /// Repeating it may repeat a side effect (the default).
    #[default]
    Unsafe,
    /// `clientToken`: this parameter, filled by the client, makes repeating it harmless.
    ClientToken(ParamId),
}

/// The Rust names of an action and of what is generated for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationNames {
    /// snake_case: the models and client module and the client method (`get_deployment`).
    pub module: String,
    /// The request type, its own builder (`GetDeploymentRequest`).
    pub input: String,
    /// The client's fluent builder (`GetDeploymentFluentBuilder`).
    pub fluent: String,
    /// The CLI's flags struct (`GetDeploymentArgs`).
    pub args: String,
    /// The CLI subcommand (`get-deployment`).
    pub subcommand: String,
}

/// The request of an action.
#[derive(Debug, Clone)]
pub struct Input {
    pub params: Vec<Param>,
    pub require_one_of: Vec<RequireOneOf>,
}

/// A parameter of the request, by its index in `Input::params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamId(pub usize);

/// At least one of these parameters must be set.
#[derive(Debug, Clone)]
pub struct RequireOneOf {
    pub params: Vec<ParamId>,
    pub doc: Doc,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Query,
    Body,
}

/// How a non-scalar parameter is serialized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// Scalars as text; lists as `Name.1`, `Name.2`; objects as `Name.Key`.
    Flat,
    /// Lists as `Name.1`, `Name.2`, ... (`repeatList` in the metadata).
    RepeatList,
    /// The value as JSON text.
    Json,
}

/// A request parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub wire: String,
    /// The field of the request and the name of its setter.
    pub rust: String,
    /// The setter that takes an `Option` (`set_deployment_id`).
    pub set: String,
    /// The CLI flag, without dashes (`deployment-id`).
    pub flag: String,
    pub location: ParamLocation,
    pub style: ParamStyle,
    pub ty: Type,
    pub required: bool,
    /// A secret: `Debug` shows `***` instead of the value.
    pub sensitive: bool,
    pub doc: Doc,
    pub example: Option<String>,
    pub constraints: Constraints,
}

/// The spec's constraints on a value, checked before a request is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub pattern: Option<String>,
    /// Constraints on each item of a list of scalars.
    pub items: Option<Box<Constraints>>,
}

impl Constraints {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// A bound of a number: inclusive unless `exclusive`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: Number,
    pub exclusive: bool,
}

/// A number of the spec, as the value's type reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// A struct, by its index in `Operation::structs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StructId(pub usize);

/// An enum, by its index in `Operation::enums`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumId(pub usize);

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    I32,
    I64,
    F64,
    String,
    /// An enum of the action.
    Enum(EnumId),
    /// A struct of the action.
    Struct(StructId),
    List(Box<Type>),
    /// A map from string keys.
    Map(Box<Type>),
    /// Any JSON value.
    Any,
}

impl Type {
    /// Whether values of this type are plain scalars on the wire.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Type::Bool | Type::I32 | Type::I64 | Type::F64 | Type::String | Type::Enum(_)
        )
    }
}

/// Whether a struct is read from responses or written into requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Response,
    Request,
}

/// A struct of the response tree, or an object of a request (a list item or an object
/// parameter).
#[derive(Debug, Clone)]
pub struct Struct {
    pub name: String,
    pub doc: Doc,
    pub role: Role,
    pub fields: Vec<Field>,
}

/// A field of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    /// The `Option`-taking setter (request objects).
    pub set: String,
    pub ty: Type,
    /// A secret: `Debug` shows `***` instead of the value.
    pub sensitive: bool,
    pub doc: Doc,
    pub example: Option<String>,
    /// Request objects: the field must be set.
    pub required: bool,
    /// Request objects: what the value must satisfy.
    pub constraints: Constraints,
}

/// The integer or string type behind an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    I32,
    I64,
    String,
}

/// A named enum with a fallback variant for values the spec does not list.
#[derive(Debug, Clone)]
pub struct Enum {
    pub name: String,
    pub repr: EnumRepr,
    pub doc: Doc,
    pub variants: Vec<EnumVariant>,
    /// Made from an inline `enum` list of a parameter or field (not from `enums`).
    pub inline: bool,
}

impl Enum {
    /// Whether any value says whether it is final.
    pub fn has_final(&self) -> bool {
        self.variants.iter().any(|v| v.is_final.is_some())
    }
}

/// A literal value of an enum or an acceptor.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Int(i64),
    Str(String),
    Bool(bool),
}

/// One documented enum value.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub ident: String,
    pub value: Literal,
    pub wire_name: Option<String>,
    pub doc: Doc,
    pub is_final: Option<bool>,
}

/// A documented sample body.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub format: SampleFormat,
    pub http_status: u16,
    /// Where the body is (resolved against the spec folder), or the inline body.
    pub body: SampleBody,
    pub source: Option<String>,
    /// Why the documented sample does not decode as the schema says, when that is known.
    pub known_issue: Option<String>,
    /// The paths where the JSON and XML samples are known to differ (with `known_issue`).
    pub differs_at: Vec<String>,
}

/// JSON or XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    Json,
    Xml,
}

/// A sample body in a file or inline.
#[derive(Debug, Clone)]
pub enum SampleBody {
    /// The file, resolved against the spec folder, and its path relative to the workspace
    /// root (for generated tests).
    File(PathBuf, String),
    Inline(String),
}

/// Polls an action until the response matches an acceptor.
#[derive(Debug, Clone)]
pub struct Waiter {
    pub name: String,
    /// The Rust names of its generated items.
    pub names: WaiterNames,
    pub doc: Doc,
    pub acceptors: Vec<Acceptor>,
    pub min_delay_seconds: u64,
    pub max_delay_seconds: u64,
    pub max_wait_seconds: u64,
}

/// The Rust names of a waiter's generated items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiterNames {
    /// The client method (`wait_until_deployment_finished`).
    pub method: String,
    /// The builder type it returns (`DeploymentFinishedWaiter`).
    pub builder: String,
    /// The function that applies the acceptors (`deployment_finished_state`).
    pub state_fn: String,
}

/// What an acceptor decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

/// `path == value => state`.
#[derive(Debug, Clone)]
pub struct Acceptor {
    /// Rust field names from the root response struct to the compared field.
    pub path: Vec<String>,
    /// The wire path as written in the spec.
    pub wire_path: String,
    /// Type of the compared field.
    pub ty: Type,
    pub equals: Literal,
    pub state: AcceptorState,
}

/// Paging of a list action.
#[derive(Debug, Clone)]
pub struct Paginator {
    /// The page-number parameter (an integer).
    pub page_number: ParamId,
    /// The page-size parameter (an integer).
    pub page_size: ParamId,
    /// Rust field path and type of the total count in the response.
    pub total_count: Option<(Vec<String>, Type)>,
    /// Rust field path of the item list in the response.
    pub items: Vec<String>,
    /// Type of one item.
    pub item: Type,
    /// Wire path of the item list, for documentation.
    pub items_wire: String,
}

/// Where a waiter's request parameter comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitSource {
    /// A parameter of this action's input.
    Input(ParamId),
    /// A field of this action's output (Rust field path).
    Output(Vec<String>),
}

/// One parameter of the waiter's request.
#[derive(Debug, Clone)]
pub struct WaitBinding {
    /// The waiter action's parameter.
    pub target: ParamId,
    /// Its type (in the waiter action).
    pub ty: Type,
    pub source: WaitSource,
}

/// Run a waiter of another action after this one, with parameters bound from it.
#[derive(Debug, Clone)]
pub struct WaitFor {
    /// The waiter's action, by its index in `Api::operations`.
    pub operation: usize,
    /// The waiter, by its index in that operation's `waiters`.
    pub waiter: usize,
    pub bindings: Vec<WaitBinding>,
}

/// Envelope fields present on an action's root response: `(rust field, type)`.
#[derive(Debug, Clone, Default)]
pub struct EnvelopeFields {
    pub success: Option<(String, Type)>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub http_status_code: Option<(String, Type)>,
    pub request_id: Option<String>,
}
