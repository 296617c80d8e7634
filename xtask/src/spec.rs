//! Serde types that mirror the YAML spec files one to one.
//!
//! Nothing here interprets the spec: `model.rs` validates these raw values and lowers them
//! into the typed API model. Every struct denies unknown keys so that a typo in a spec file
//! is reported instead of silently ignored. Values that later checks may complain about
//! are wrapped in `Spanned` so that the error can point at their line and column.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;
use std::fmt;

/// A YAML mapping whose key order is kept (the generator emits fields in spec order).
/// Duplicate keys are rejected while parsing.
#[derive(Debug, Clone)]
pub struct OrderedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(Spanned<String>, V)> = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if entries.iter().any(|(k, _)| k.value == key.value) {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate key `{}` (line {}, column {})",
                            key.value,
                            key.referenced.line(),
                            key.referenced.column()
                        )));
                    }
                    let value = map.next_value::<V>()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// Text in both languages of the documentation: the original Chinese and English.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: Option<String>,
    pub en: Option<String>,
}

/// `product.yaml`: what every action of the product shares.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProductFile {
    pub product: Spanned<String>,
    pub version: Spanned<String>,
    pub style: Spanned<String>,
    pub title: Option<Text>,
    pub crates: Crates,
    pub envelope: Option<Envelope>,
    pub endpoints: Endpoints,
    #[serde(default)]
    pub error_codes: Vec<CommonErrorCode>,
    /// The API groups (the official metadata's `directories`): one Cargo feature each.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Test data the generated tests read.
    pub tests: Option<TestFiles>,
    /// Where a client gets credentials when none are configured.
    pub default_credentials: Option<DefaultCredentials>,
}

/// An API group: a top-level directory of the official metadata, and the Cargo feature of
/// the generated crates that holds its actions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The directory's id in the metadata (written by `cargo xtask import`).
    pub id: Option<u64>,
    /// The Cargo feature: English, kebab-case (added by hand).
    pub name: Option<Spanned<String>>,
    pub title: Option<Text>,
    /// Whether the feature is a default feature (default: yes).
    pub default: Option<bool>,
    /// The group's actions, by name (actions without a spec file are left out).
    #[serde(default)]
    pub actions: Vec<Spanned<String>>,
}

/// Files of the workspace (paths relative to its root) that generated tests read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TestFiles {
    /// Where the generated per-action test goes (default: `tests/actions.rs` of the models
    /// crate). A test that reads sample files or wire vectors from the repository must go
    /// into an unpublished test crate, since a published package holds only its own folder.
    pub file: Option<Spanned<String>>,
    /// The official SDK's requests (JSON lines: values, query and form pairs).
    pub wire_vectors: Option<Spanned<String>>,
    /// The expected differences from them, each with its reason.
    pub wire_exceptions: Option<Spanned<String>>,
}

/// The crate whose `default_provider` function gives a client its default credentials
/// (instead of the runtime's chain of static sources).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultCredentials {
    #[serde(rename = "crate")]
    pub krate: Spanned<String>,
}

/// Names and paths (relative to the workspace root) of the generated crates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crates {
    pub models: CrateSpec,
    pub client: CrateSpec,
    /// Left out for a product that gets no command-line tool (such as STS).
    pub cli: Option<CliCrateSpec>,
    /// Whether the generated crates may be published to a registry (default `true`; a test
    /// fixture says `false`).
    pub publish: Option<bool>,
}

/// One generated crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateSpec {
    pub name: Spanned<String>,
    pub path: Spanned<String>,
}

/// The generated command-line crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliCrateSpec {
    pub name: Spanned<String>,
    pub path: Spanned<String>,
    pub binary: Spanned<String>,
}

/// Wire names of the response fields that carry a business outcome in a 2xx body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Envelope {
    pub success: Option<Spanned<String>>,
    pub error_code: Option<Spanned<String>>,
    pub error_message: Option<Spanned<String>>,
    pub http_status_code: Option<Spanned<String>>,
    pub request_id: Option<Spanned<String>>,
}

/// Region to host map plus the pattern for unlisted regions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub fallback: Spanned<String>,
    #[serde(default)]
    pub regions: Vec<RegionEndpoint>,
}

/// One entry of the official metadata's `endpoints` list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegionEndpoint {
    pub region_id: Spanned<String>,
    pub endpoint: Spanned<String>,
}

/// An error code any action may return.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CommonErrorCode {
    pub http_status: Spanned<u16>,
    pub error_code: Spanned<String>,
    pub retryable: bool,
    /// The gateway returns it before the action is carried out (such as a flow-control
    /// code): even an action that is not idempotent is retried after it.
    pub rejected_before_processing: Option<bool>,
    pub error_message: Option<String>,
    pub description: Option<Text>,
}

/// One action file (`<Action>.yaml`), shaped like `apis.<Action>` of the official metadata.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActionFile {
    pub name: Spanned<String>,
    pub title: Option<Text>,
    pub summary: Option<Text>,
    pub description: Option<Text>,
    #[serde(default)]
    pub methods: Vec<Spanned<String>>,
    #[serde(default)]
    pub schemes: Vec<String>,
    pub operation_type: Option<String>,
    pub deprecated: Option<bool>,
    /// `anonymous`: the action is called unsigned (the metadata's `security` lists no
    /// AccessKey scheme, such as AssumeRoleWithOIDC's `ARS_OIDC`); default `accessKey`.
    pub auth: Option<Spanned<String>>,
    /// `v1` or `v3`: the action is always signed this way, whatever the client's default.
    pub signature_version: Option<Spanned<String>>,
    /// Whether repeating the action is harmless (a read), so that it is retried after a
    /// failure that leaves its outcome unknown; default `false`. Import sets it from the
    /// metadata (`read` with `get`/`list`); a hand-set value is kept by `--update`.
    pub idempotent: Option<bool>,
    /// The parameter that makes a repeated call harmless (`ClientToken`): the client fills it
    /// with a UUID when the caller did not, and retries the call like a read.
    pub client_token: Option<Spanned<String>>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    pub rules: Option<Rules>,
    pub responses: OrderedMap<Response>,
    #[serde(default)]
    pub enums: OrderedMap<EnumDef>,
    #[serde(default)]
    pub error_codes: OrderedMap<Vec<ActionErrorCode>>,
    #[serde(default)]
    pub samples: Vec<Sample>,
    #[serde(default)]
    pub waiters: OrderedMap<Waiter>,
    /// How to walk all pages of a paged list action.
    pub paginator: Option<Paginator>,
    /// Block until the process this action started is final, by running another action's
    /// waiter (such as SubmitFile -> GetDeployment's DeploymentFinished).
    pub wait: Option<WaitFor>,
    /// What the importer could not represent, kept for the record (see `cargo xtask import`).
    #[serde(default)]
    pub unsupported: Vec<String>,
    /// Intentional differences from the official metadata, kept by `cargo xtask import`.
    #[serde(default)]
    pub pinned: Vec<Pinned>,
}

/// A value of the spec that differs from the official metadata on purpose: `cargo xtask
/// import` keeps the spec's value at `path` as long as the metadata still says `metadata`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    /// Key path in the spec file, as import reports it (`parameters[TaskContent].in`).
    pub path: Spanned<String>,
    /// What the metadata says there.
    pub metadata: serde_json::Value,
    /// Why the spec differs.
    pub reason: Spanned<String>,
}

/// A request parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: Spanned<String>,
    #[serde(rename = "in")]
    pub location: Spanned<String>,
    /// `repeatList`, `flat` or `json` (the official metadata's serialization style).
    pub style: Option<Spanned<String>>,
    pub schema: Schema,
}

/// A schema node, for parameters and for the response tree.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Schema {
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub format: Option<Spanned<String>>,
    pub required: Option<bool>,
    pub doc_required: Option<bool>,
    pub description: Option<Text>,
    pub title: Option<Text>,
    pub example: Option<String>,
    pub deprecated: Option<bool>,
    /// Name of an entry of the action's `enums`.
    pub enum_ref: Option<Spanned<String>>,
    /// Inline enum values, as in the official metadata (kept as documentation).
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<Spanned<serde_json::Value>>>,
    /// The Rust type name for an object schema (default: derived from the property name).
    pub type_name: Option<Spanned<String>>,
    pub properties: Option<OrderedMap<Schema>>,
    pub items: Option<Box<Schema>>,
    pub additional_properties: Option<Box<Schema>>,
    pub maximum: Option<String>,
    pub minimum: Option<String>,
    pub max_length: Option<u64>,
    pub min_length: Option<u64>,
    pub max_items: Option<u64>,
    pub min_items: Option<u64>,
    /// The bounds exclude the value itself.
    pub exclusive_minimum: Option<bool>,
    pub exclusive_maximum: Option<bool>,
    pub pattern: Option<Spanned<String>>,
    pub default: Option<String>,
    /// A secret (a token, a key): generated `Debug` output shows `***` instead.
    pub sensitive: Option<bool>,
}

/// Cross-parameter rules the official metadata cannot express.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rules {
    #[serde(default)]
    pub require_one_of: Vec<RequireOneOf>,
}

/// At least one of these parameters must be set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequireOneOf {
    pub parameters: Vec<Spanned<String>>,
    pub description: Option<Text>,
}

/// One entry of `responses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub schema: Schema,
}

/// A named enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub format: Option<Spanned<String>>,
    pub description: Option<Text>,
    pub values: Vec<EnumValue>,
}

/// One documented value of an enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumValue {
    pub value: Spanned<serde_json::Value>,
    pub name: Spanned<String>,
    /// The name the documentation gives the value (such as `DEPLOY_ERROR`), if any.
    pub wire_name: Option<String>,
    /// Whether this value ends a process (used for `is_final` helpers).
    #[serde(rename = "final")]
    pub is_final: Option<bool>,
    pub description: Option<Text>,
}

/// An error code listed for the action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActionErrorCode {
    pub error_code: Spanned<String>,
    pub error_message: Option<String>,
    pub description: Option<Text>,
}

/// A documented response sample.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sample {
    pub name: Spanned<String>,
    pub format: Spanned<String>,
    pub http_status: Option<u16>,
    /// Path relative to the spec folder.
    pub file: Option<Spanned<String>>,
    /// Inline body (instead of `file`).
    pub body: Option<String>,
    pub source: Option<String>,
    /// Why this documented sample does not decode as the schema says (a known mistake of
    /// the documentation); the generated test then expects it to fail.
    pub known_issue: Option<String>,
    /// With `knownIssue`: the documented JSON and XML samples show different values (a
    /// mistake of the documentation) at exactly these paths (`Data.Nodes[0].FileId`); the
    /// generated test checks that they differ there and nowhere else, and that nothing else
    /// is wrong.
    pub differs_at: Option<Vec<String>>,
}

/// A waiter: poll the action until an acceptor matches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Waiter {
    pub description: Option<Text>,
    pub acceptors: Vec<Acceptor>,
    pub min_delay_seconds: Option<u64>,
    pub max_delay_seconds: Option<u64>,
    pub max_wait_seconds: Option<u64>,
}

/// `path` (dotted wire names into the response) `equals` a value => `state`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptor {
    pub path: Spanned<String>,
    pub equals: Spanned<serde_json::Value>,
    pub state: Spanned<String>,
}

/// Paging parameters and response fields, by wire name (response paths are dotted).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Paginator {
    /// The request parameter holding the 1-based page number.
    pub page_number: Spanned<String>,
    /// The request parameter holding the page size.
    pub page_size: Spanned<String>,
    /// Response path of the total number of items, if the service returns it.
    pub total_count: Option<Spanned<String>>,
    /// Response path of the list of items on a page.
    pub items: Spanned<String>,
}

/// After this action succeeds, run `waiter` of `action` with parameters taken from this
/// action's input (`input: Name`) or output (`output: Dotted.Path`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitFor {
    pub action: Spanned<String>,
    pub waiter: Spanned<String>,
    pub parameters: OrderedMap<WaitParameter>,
}

/// Where a waiter's request parameter comes from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitParameter {
    pub input: Option<Spanned<String>>,
    pub output: Option<Spanned<String>>,
}
