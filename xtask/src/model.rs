//! The typed model of an API: what the emitters read. No YAML is left here.
//!
//! `lower` validates the raw spec (`spec.rs`) and builds the model in one pass, collecting
//! every problem with its file, key path and position instead of stopping at the first.

use crate::diag::Diagnostic;
use crate::names::{field_ident, is_type_name, pascal_case, snake_case};
use crate::spec;
use serde_saphyr::{Location, Spanned};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    fn from_spec(text: Option<&spec::Text>) -> Doc {
        text.map(|t| Doc {
            zh: t.zh.clone().filter(|s| !s.trim().is_empty()),
            en: t.en.clone().filter(|s| !s.trim().is_empty()),
        })
        .unwrap_or_default()
    }

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
    pub models_crate: CrateRef,
    pub client_crate: CrateRef,
    pub cli_crate: CrateRef,
    pub cli_binary: String,
    pub envelope: EnvelopeNames,
    pub fallback_endpoint: String,
    pub endpoints: Vec<(String, String)>,
    pub errors: Vec<ErrorCode>,
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
        self.name.replace('-', "_")
    }
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
}

/// One action.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Wire name, such as `GetDeployment`.
    pub name: String,
    /// snake_case, for the module, the client method and the CLI subcommand.
    pub snake: String,
    pub title: Doc,
    pub summary: Doc,
    pub doc: Doc,
    pub method: String,
    pub deprecated: bool,
    pub input: Input,
    /// Name of the root response struct (in `structs`).
    pub output: String,
    /// All response structs of the action, root first.
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    pub errors: Vec<ErrorCode>,
    pub samples: Vec<Sample>,
    pub waiters: Vec<Waiter>,
    /// Envelope fields present on the root response struct.
    pub envelope: EnvelopeFields,
    /// How to walk all pages, for paged list actions.
    pub paginator: Option<Paginator>,
    /// Another action's waiter to run after this one (resolved across actions by `load.rs`).
    pub wait: Option<WaitFor>,
    /// Parts of the source metadata the generator could not represent.
    pub unsupported: Vec<String>,
}

/// The request of an action.
#[derive(Debug, Clone)]
pub struct Input {
    /// Rust type name, such as `GetDeploymentRequest`.
    pub name: String,
    pub params: Vec<Param>,
    pub require_one_of: Vec<RequireOneOf>,
}

/// At least one of these parameters (Rust field names in `params`) must be set.
#[derive(Debug, Clone)]
pub struct RequireOneOf {
    pub params: Vec<String>,
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
    pub rust: String,
    pub location: ParamLocation,
    pub style: ParamStyle,
    pub ty: Type,
    pub required: bool,
    pub doc: Doc,
    pub example: Option<String>,
}

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    I32,
    I64,
    F64,
    String,
    /// A named enum of the action.
    Enum(String),
    /// A named struct of the action.
    Struct(String),
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

/// A response struct.
#[derive(Debug, Clone)]
pub struct Struct {
    pub name: String,
    pub doc: Doc,
    pub fields: Vec<Field>,
}

/// A field of a response struct.
#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Type,
    pub doc: Doc,
    pub example: Option<String>,
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
    File(PathBuf),
    Inline(String),
}

/// Polls an action until the response matches an acceptor.
#[derive(Debug, Clone)]
pub struct Waiter {
    pub name: String,
    pub snake: String,
    pub doc: Doc,
    pub acceptors: Vec<Acceptor>,
    pub min_delay_seconds: u64,
    pub max_delay_seconds: u64,
    pub max_wait_seconds: u64,
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
    /// Rust name and type of the page-number parameter.
    pub page_number: (String, Type),
    /// Rust name and type of the page-size parameter.
    pub page_size: (String, Type),
    /// Rust field path and type of the total count in the response.
    pub total_count: Option<(Vec<String>, Type)>,
    /// Rust field path of the item list in the response.
    pub items: Vec<String>,
    /// Wire path of the item list, for documentation.
    pub items_wire: String,
}

/// Where a waiter's request parameter comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitSource {
    /// A parameter of this action's input (Rust name).
    Input(String),
    /// A field of this action's output (Rust field path).
    Output(Vec<String>),
}

/// One parameter of the waiter's request.
#[derive(Debug, Clone)]
pub struct WaitBinding {
    /// The waiter action's parameter (Rust name).
    pub target: String,
    /// Its type.
    pub ty: Type,
    pub source: WaitSource,
}

/// Run `waiter` of `action` after this action, with parameters bound from it.
#[derive(Debug, Clone)]
pub struct WaitFor {
    /// The waiter action's wire name.
    pub action: String,
    pub waiter: String,
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

/// Collects diagnostics for one file.
struct Ctx<'a> {
    file: &'a Path,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, path: &str, location: Location, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.file, path, location, message));
    }

    fn error_nowhere(&mut self, path: &str, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::file(self.file, path, message));
    }
}

/// Validates the product file and builds the product model.
pub fn lower_product(
    file: &Path,
    raw: &spec::ProductFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Product> {
    let before = diagnostics.len();
    let mut cx = Ctx { file, diagnostics };
    if raw.style.value != "RPC" {
        cx.error(
            "style",
            raw.style.referenced,
            format!(
                "unsupported API style `{}` (this generator supports `RPC`)",
                raw.style.value
            ),
        );
    }
    if raw.product.value.trim().is_empty() {
        cx.error(
            "product",
            raw.product.referenced,
            "the product code is empty",
        );
    }
    if !raw
        .version
        .value
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-')
        || raw.version.value.len() != 10
    {
        cx.error(
            "version",
            raw.version.referenced,
            format!(
                "API version `{}` is not of the form YYYY-MM-DD",
                raw.version.value
            ),
        );
    }
    for (key, krate) in [
        (
            "crates.models",
            (&raw.crates.models.name, &raw.crates.models.path),
        ),
        (
            "crates.client",
            (&raw.crates.client.name, &raw.crates.client.path),
        ),
        ("crates.cli", (&raw.crates.cli.name, &raw.crates.cli.path)),
    ] {
        check_crate_name(&mut cx, &format!("{key}.name"), krate.0);
        check_relative_path(&mut cx, &format!("{key}.path"), krate.1);
    }
    if !raw.endpoints.fallback.value.contains("{region}") {
        cx.error(
            "endpoints.fallback",
            raw.endpoints.fallback.referenced,
            "the fallback endpoint must contain `{region}`",
        );
    }
    let mut seen_regions = BTreeSet::new();
    for (i, region) in raw.endpoints.regions.iter().enumerate() {
        if !seen_regions.insert(region.region_id.value.clone()) {
            cx.error(
                &format!("endpoints.regions[{i}].regionId"),
                region.region_id.referenced,
                format!("duplicate region `{}`", region.region_id.value),
            );
        }
        if region.endpoint.value.contains("://") || region.endpoint.value.trim().is_empty() {
            cx.error(
                &format!("endpoints.regions[{i}].endpoint"),
                region.endpoint.referenced,
                format!(
                    "endpoint `{}` must be a host name without a scheme",
                    region.endpoint.value
                ),
            );
        }
    }
    let mut errors = Vec::new();
    let mut seen_codes = BTreeSet::new();
    for (i, e) in raw.error_codes.iter().enumerate() {
        if !seen_codes.insert(e.error_code.value.clone()) {
            cx.error(
                &format!("errorCodes[{i}].errorCode"),
                e.error_code.referenced,
                format!("duplicate error code `{}`", e.error_code.value),
            );
        }
        if !(100..=599).contains(&e.http_status.value) {
            cx.error(
                &format!("errorCodes[{i}].httpStatus"),
                e.http_status.referenced,
                format!("HTTP status {} is out of range", e.http_status.value),
            );
        }
        errors.push(ErrorCode {
            http_status: Some(e.http_status.value),
            code: e.error_code.value.clone(),
            message: e.error_message.clone(),
            doc: Doc::from_spec(e.description.as_ref()),
            retryable: Some(e.retryable),
        });
    }
    let envelope = raw
        .envelope
        .as_ref()
        .map(|e| EnvelopeNames {
            success: e.success.as_ref().map(|s| s.value.clone()),
            error_code: e.error_code.as_ref().map(|s| s.value.clone()),
            error_message: e.error_message.as_ref().map(|s| s.value.clone()),
            http_status_code: e.http_status_code.as_ref().map(|s| s.value.clone()),
            request_id: e.request_id.as_ref().map(|s| s.value.clone()),
        })
        .unwrap_or_default();
    if cx.diagnostics.len() > before {
        return None;
    }
    Some(Product {
        code: raw.product.value.clone(),
        version: raw.version.value.clone(),
        title: Doc::from_spec(raw.title.as_ref()),
        models_crate: crate_ref(&raw.crates.models.name, &raw.crates.models.path),
        client_crate: crate_ref(&raw.crates.client.name, &raw.crates.client.path),
        cli_crate: crate_ref(&raw.crates.cli.name, &raw.crates.cli.path),
        cli_binary: raw.crates.cli.binary.value.clone(),
        envelope,
        fallback_endpoint: raw.endpoints.fallback.value.clone(),
        endpoints: raw
            .endpoints
            .regions
            .iter()
            .map(|r| (r.region_id.value.clone(), r.endpoint.value.clone()))
            .collect(),
        errors,
    })
}

fn crate_ref(name: &Spanned<String>, path: &Spanned<String>) -> CrateRef {
    CrateRef {
        name: name.value.clone(),
        path: path.value.trim_end_matches('/').to_string(),
    }
}

fn check_crate_name(cx: &mut Ctx<'_>, key: &str, name: &Spanned<String>) {
    let ok = !name.value.is_empty()
        && name.value.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        cx.error(
            key,
            name.referenced,
            format!("`{}` is not a valid crate name", name.value),
        );
    }
}

fn check_relative_path(cx: &mut Ctx<'_>, key: &str, path: &Spanned<String>) {
    let p = Path::new(&path.value);
    if path.value.is_empty()
        || p.is_absolute()
        || p.components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        cx.error(
            key,
            path.referenced,
            format!(
                "`{}` must be a relative path inside the workspace (no `..`)",
                path.value
            ),
        );
    }
}

/// Validates one action file and builds its operation.
pub fn lower_operation(
    file: &Path,
    spec_dir: &Path,
    product: &Product,
    raw: &spec::ActionFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Operation> {
    let before = diagnostics.len();
    let mut cx = Ctx { file, diagnostics };
    let name = raw.name.value.clone();
    if !is_type_name(&name) {
        cx.error(
            "name",
            raw.name.referenced,
            format!("action name `{name}` must be PascalCase ASCII letters and digits"),
        );
    }
    if let Some(stem) = file.file_stem().and_then(|s| s.to_str()) {
        if stem != name {
            cx.error(
                "name",
                raw.name.referenced,
                format!("action `{name}` must be in a file named `{name}.yaml`, not `{stem}.yaml`"),
            );
        }
    }
    // The official SDKs send an RPC action with POST when its metadata allows it, else with the
    // first method listed.
    let method = if raw.methods.is_empty()
        || raw
            .methods
            .iter()
            .any(|m| m.value.eq_ignore_ascii_case("post"))
    {
        "POST".to_string()
    } else {
        let first = &raw.methods[0];
        let upper = first.value.to_ascii_uppercase();
        if !matches!(upper.as_str(), "GET" | "PUT" | "DELETE" | "PATCH") {
            cx.error(
                "methods[0]",
                first.referenced,
                format!(
                    "unsupported HTTP method `{}` (expected get, post, put, delete or patch)",
                    first.value
                ),
            );
        }
        upper
    };

    // Enums first: fields refer to them.
    let mut enums = Vec::new();
    for (key, def) in &raw.enums.0 {
        if let Some(e) = lower_enum(&mut cx, key, def) {
            enums.push(e);
        }
    }

    // Parameters.
    let input_name = format!("{name}Request");
    let mut params: Vec<Param> = Vec::new();
    for (i, p) in raw.parameters.iter().enumerate() {
        let path = format!("parameters[{i}]");
        if params.iter().any(|q| q.wire == p.name.value) {
            cx.error(
                &format!("{path}.name"),
                p.name.referenced,
                format!("duplicate parameter `{}`", p.name.value),
            );
            continue;
        }
        if p.name.value.is_empty()
            || !p
                .name
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            cx.error(
                &format!("{path}.name"),
                p.name.referenced,
                format!(
                    "parameter name `{}` has characters other than letters, digits, `_` and `.`",
                    p.name.value
                ),
            );
            continue;
        }
        let location = match p.location.value.as_str() {
            "query" => ParamLocation::Query,
            "formData" | "body" => ParamLocation::Body,
            other => {
                cx.error(
                    &format!("{path}.in"),
                    p.location.referenced,
                    format!("unsupported parameter location `{other}` (expected query, formData or body)"),
                );
                continue;
            }
        };
        let style = match p.style.as_ref().map(|s| s.value.as_str()) {
            None | Some("flat") | Some("simple") => ParamStyle::Flat,
            Some("repeatList") => ParamStyle::RepeatList,
            Some("json") => ParamStyle::Json,
            Some(other) => {
                let s = p
                    .style
                    .as_ref()
                    .map(|s| s.referenced)
                    .unwrap_or(Location::UNKNOWN);
                cx.error(
                    &format!("{path}.style"),
                    s,
                    format!(
                        "unknown parameter style `{other}` (expected flat, repeatList or json)"
                    ),
                );
                continue;
            }
        };
        let Some(ty) =
            lower_param_type(&mut cx, &format!("{path}.schema"), &p.schema, &enums, style)
        else {
            continue;
        };
        let rust = field_ident(&p.name.value);
        if params.iter().any(|q| q.rust == rust) {
            cx.error(
                &format!("{path}.name"),
                p.name.referenced,
                format!("parameter `{}` maps to the Rust name `{rust}` that another parameter already uses", p.name.value),
            );
            continue;
        }
        params.push(Param {
            wire: p.name.value.clone(),
            rust,
            location,
            style,
            ty,
            required: p.schema.required.unwrap_or(false),
            doc: Doc::from_spec(p.schema.description.as_ref()),
            example: p.schema.example.clone(),
        });
    }

    let mut require_one_of = Vec::new();
    if let Some(rules) = &raw.rules {
        for (i, rule) in rules.require_one_of.iter().enumerate() {
            let mut names = Vec::new();
            for (j, p) in rule.parameters.iter().enumerate() {
                match params.iter().find(|q| q.wire == p.value) {
                    Some(q) => names.push(q.rust.clone()),
                    None => cx.error(
                        &format!("rules.requireOneOf[{i}].parameters[{j}]"),
                        p.referenced,
                        format!(
                            "the rule names `{}`, which is not a parameter of {name}",
                            p.value
                        ),
                    ),
                }
            }
            if rule.parameters.len() < 2 {
                cx.error_nowhere(
                    &format!("rules.requireOneOf[{i}].parameters"),
                    "a requireOneOf rule needs at least two parameters",
                );
            }
            require_one_of.push(RequireOneOf {
                params: names,
                doc: Doc::from_spec(rule.description.as_ref()),
            });
        }
    }

    // Response tree.
    let mut structs: Vec<Struct> = Vec::new();
    let mut output = format!("{name}Response");
    let ok_response = raw.responses.0.iter().find(|(k, _)| k.value == "200");
    for (k, _) in &raw.responses.0 {
        if !k.value.chars().all(|c| c.is_ascii_digit()) || k.value.len() != 3 {
            cx.error(
                &format!("responses.{}", k.value),
                k.referenced,
                format!("response key `{}` is not an HTTP status code", k.value),
            );
        }
    }
    match ok_response {
        None => cx.error_nowhere("responses", "there is no `200` response"),
        Some((_, response)) => {
            let schema = &response.schema;
            if schema.ty.value != "object" {
                cx.error(
                    "responses.200.schema.type",
                    schema.ty.referenced,
                    format!("the response must be an object, not `{}`", schema.ty.value),
                );
            } else {
                let mut reserved: BTreeSet<String> = enums.iter().map(|e| e.name.clone()).collect();
                reserved.insert(input_name.clone());
                let root_name = match &schema.type_name {
                    Some(t) => t.value.clone(),
                    None => output.clone(),
                };
                let mut builder = StructBuilder {
                    structs: &mut structs,
                    reserved,
                    enums: &enums,
                };
                if let Some(n) =
                    builder.lower_object(&mut cx, "responses.200.schema", schema, root_name, None)
                {
                    output = n;
                }
            }
        }
    }

    // Errors listed for the action.
    let mut errors = Vec::new();
    for (status, list) in &raw.error_codes.0 {
        let code: Option<u16> = status
            .value
            .parse()
            .ok()
            .filter(|s| (100..=599).contains(s));
        if code.is_none() {
            cx.error(
                &format!("errorCodes.{}", status.value),
                status.referenced,
                format!("`{}` is not an HTTP status code", status.value),
            );
        }
        for e in list {
            errors.push(ErrorCode {
                http_status: code,
                code: e.error_code.value.clone(),
                message: e.error_message.clone(),
                doc: Doc::from_spec(e.description.as_ref()),
                retryable: product
                    .errors
                    .iter()
                    .find(|p| p.code == e.error_code.value)
                    .and_then(|p| p.retryable),
            });
        }
    }

    // Samples.
    let mut samples = Vec::new();
    let mut sample_names = BTreeSet::new();
    for (i, s) in raw.samples.iter().enumerate() {
        let path = format!("samples[{i}]");
        if !sample_names.insert(s.name.value.clone()) {
            cx.error(
                &format!("{path}.name"),
                s.name.referenced,
                format!("duplicate sample name `{}`", s.name.value),
            );
        }
        let format = match s.format.value.as_str() {
            "json" => SampleFormat::Json,
            "xml" => SampleFormat::Xml,
            other => {
                cx.error(
                    &format!("{path}.format"),
                    s.format.referenced,
                    format!("unknown sample format `{other}` (expected json or xml)"),
                );
                continue;
            }
        };
        let body = match (&s.file, &s.body) {
            (Some(f), None) => {
                let resolved = spec_dir.join(&f.value);
                if !resolved.is_file() {
                    cx.error(
                        &format!("{path}.file"),
                        f.referenced,
                        format!("sample file `{}` does not exist", resolved.display()),
                    );
                    continue;
                }
                SampleBody::File(resolved)
            }
            (None, Some(b)) => SampleBody::Inline(b.clone()),
            _ => {
                cx.error(
                    &path,
                    s.name.referenced,
                    "a sample needs exactly one of `file` and `body`",
                );
                continue;
            }
        };
        samples.push(Sample {
            name: s.name.value.clone(),
            format,
            http_status: s.http_status.unwrap_or(200),
            body,
            source: s.source.clone(),
        });
    }

    // Envelope fields on the root struct.
    let mut envelope = EnvelopeFields::default();
    if let Some(root) = structs.iter().find(|s| s.name == output) {
        let find = |wire: &Option<String>| -> Option<&Field> {
            wire.as_ref()
                .and_then(|w| root.fields.iter().find(|f| &f.wire == w))
        };
        let names = &product.envelope;
        // The metadata types some envelope fields loosely (`Success` or `HttpStatusCode` as
        // strings in a few actions): map what can be read, leave out what cannot.
        let typed = |wire: &Option<String>, ok: &dyn Fn(&Type) -> bool| -> Option<(String, Type)> {
            let f = find(wire)?;
            ok(&f.ty).then(|| (f.rust.clone(), f.ty.clone()))
        };
        let string = |t: &Type| *t == Type::String;
        envelope.success = typed(&names.success, &|t| matches!(t, Type::Bool | Type::String));
        envelope.error_code = typed(&names.error_code, &string).map(|f| f.0);
        envelope.error_message = typed(&names.error_message, &string).map(|f| f.0);
        envelope.request_id = typed(&names.request_id, &string).map(|f| f.0);
        envelope.http_status_code = typed(&names.http_status_code, &|t| {
            matches!(t, Type::I32 | Type::I64 | Type::String)
        });
    }

    // Waiters.
    let mut waiters = Vec::new();
    for (key, w) in &raw.waiters.0 {
        let path = format!("waiters.{}", key.value);
        if !is_type_name(&key.value) {
            cx.error(
                &path,
                key.referenced,
                format!("waiter name `{}` must be PascalCase", key.value),
            );
            continue;
        }
        if w.acceptors.is_empty() {
            cx.error(
                &path,
                key.referenced,
                "a waiter needs at least one acceptor",
            );
            continue;
        }
        let mut acceptors = Vec::new();
        for (i, a) in w.acceptors.iter().enumerate() {
            let apath = format!("{path}.acceptors[{i}]");
            let state = match a.state.value.as_str() {
                "success" => AcceptorState::Success,
                "failure" => AcceptorState::Failure,
                "retry" => AcceptorState::Retry,
                other => {
                    cx.error(
                        &format!("{apath}.state"),
                        a.state.referenced,
                        format!(
                            "unknown acceptor state `{other}` (expected success, failure or retry)"
                        ),
                    );
                    continue;
                }
            };
            let Some((rust_path, ty)) = resolve_path(&structs, &output, &a.path.value) else {
                cx.error(
                    &format!("{apath}.path"),
                    a.path.referenced,
                    format!(
                        "`{}` does not name a scalar field of the response",
                        a.path.value
                    ),
                );
                continue;
            };
            let Some(equals) = literal_for(&ty, &a.equals.value, &enums) else {
                cx.error(
                    &format!("{apath}.equals"),
                    a.equals.referenced,
                    format!(
                        "`{}` is not a value of the type of `{}`",
                        a.equals.value, a.path.value
                    ),
                );
                continue;
            };
            acceptors.push(Acceptor {
                path: rust_path,
                wire_path: a.path.value.clone(),
                ty,
                equals,
                state,
            });
        }
        let min = w.min_delay_seconds.unwrap_or(2);
        let max = w.max_delay_seconds.unwrap_or(30);
        if min == 0 || max < min {
            cx.error(
                &path,
                key.referenced,
                "a waiter needs 0 < minDelaySeconds <= maxDelaySeconds",
            );
        }
        waiters.push(Waiter {
            name: key.value.clone(),
            snake: snake_case(&key.value),
            doc: Doc::from_spec(w.description.as_ref()),
            acceptors,
            min_delay_seconds: min,
            max_delay_seconds: max,
            max_wait_seconds: w.max_wait_seconds.unwrap_or(600),
        });
    }

    // Paths into the response are only checked when the response itself is valid, so that a
    // bad field is reported once, not again by every path that names it.
    let paginator = if cx.diagnostics.len() > before {
        None
    } else {
        raw.paginator
            .as_ref()
            .and_then(|p| lower_paginator(&mut cx, p, &params, &structs, &output))
    };

    if cx.diagnostics.len() > before {
        return None;
    }
    Some(Operation {
        paginator,
        wait: None,
        snake: snake_case(&name),
        name,
        title: Doc::from_spec(raw.title.as_ref()),
        summary: Doc::from_spec(raw.summary.as_ref()),
        doc: Doc::from_spec(raw.description.as_ref()),
        method,
        deprecated: raw.deprecated.unwrap_or(false),
        input: Input {
            name: input_name,
            params,
            require_one_of,
        },
        output,
        structs,
        enums,
        errors,
        samples,
        waiters,
        envelope,
        unsupported: raw.unsupported.clone(),
    })
}

fn lower_enum(cx: &mut Ctx<'_>, key: &Spanned<String>, def: &spec::EnumDef) -> Option<Enum> {
    let path = format!("enums.{}", key.value);
    if !is_type_name(&key.value) {
        cx.error(
            &path,
            key.referenced,
            format!("enum name `{}` must be PascalCase ASCII", key.value),
        );
        return None;
    }
    let repr = match (
        def.ty.value.as_str(),
        def.format.as_ref().map(|f| f.value.as_str()),
    ) {
        ("integer", Some("int32")) => EnumRepr::I32,
        ("integer", Some("int64") | None) => EnumRepr::I64,
        ("string", _) => EnumRepr::String,
        (other, format) => {
            cx.error(
                &format!("{path}.type"),
                def.ty.referenced,
                format!(
                    "unsupported enum type `{other}`{} (expected integer or string)",
                    format
                        .map(|f| format!(" with format `{f}`"))
                        .unwrap_or_default()
                ),
            );
            return None;
        }
    };
    let mut variants: Vec<EnumVariant> = Vec::new();
    let before = cx.diagnostics.len();
    for (i, v) in def.values.iter().enumerate() {
        let vpath = format!("{path}.values[{i}]");
        let value = match (repr, &v.value.value) {
            (EnumRepr::I32, serde_json::Value::Number(n))
                if n.as_i64().is_some_and(|x| i32::try_from(x).is_ok()) =>
            {
                Literal::Int(n.as_i64().unwrap_or_default())
            }
            (EnumRepr::I64, serde_json::Value::Number(n)) if n.as_i64().is_some() => {
                Literal::Int(n.as_i64().unwrap_or_default())
            }
            (EnumRepr::String, serde_json::Value::String(s)) => Literal::Str(s.clone()),
            (_, other) => {
                let expected = match repr {
                    EnumRepr::I32 => "a 32-bit integer",
                    EnumRepr::I64 => "a 64-bit integer",
                    EnumRepr::String => "a string",
                };
                cx.error(
                    &format!("{vpath}.value"),
                    v.value.referenced,
                    format!("enum value `{other}` is not {expected}, as the enum's type requires"),
                );
                continue;
            }
        };
        let ident = pascal_case(&v.name.value);
        if !is_type_name(&ident) || ident == "Unknown" {
            cx.error(
                &format!("{vpath}.name"),
                v.name.referenced,
                format!("`{}` cannot be an enum variant name", v.name.value),
            );
            continue;
        }
        if variants.iter().any(|x| x.ident == ident) {
            cx.error(
                &format!("{vpath}.name"),
                v.name.referenced,
                format!("duplicate enum variant `{ident}`"),
            );
            continue;
        }
        if variants.iter().any(|x| x.value == value) {
            cx.error(
                &format!("{vpath}.value"),
                v.value.referenced,
                format!("duplicate enum value `{}`", v.value.value),
            );
            continue;
        }
        variants.push(EnumVariant {
            ident,
            value,
            wire_name: v.wire_name.clone(),
            doc: Doc::from_spec(v.description.as_ref()),
            is_final: v.is_final,
        });
    }
    if variants.is_empty() && cx.diagnostics.len() == before {
        cx.error(&path, key.referenced, "an enum needs at least one value");
    }
    // Keep the enum even when some values were wrong (those are reported already), so that
    // fields referring to it do not report it as unknown too.
    Some(Enum {
        name: key.value.clone(),
        repr,
        doc: Doc::from_spec(def.description.as_ref()),
        variants,
    })
}

/// The scalar type named by `type` + `format`, or an error message.
fn scalar_type(ty: &str, format: Option<&str>) -> Result<Option<Type>, String> {
    Ok(Some(match (ty, format) {
        ("boolean", _) => Type::Bool,
        ("integer", Some("int32")) => Type::I32,
        ("integer", Some("int64") | None) => Type::I64,
        ("integer", Some(other)) => return Err(format!("unknown integer format `{other}` (expected int32 or int64)")),
        ("number", Some("float" | "double") | None) => Type::F64,
        ("number", Some(other)) => return Err(format!("unknown number format `{other}` (expected float or double)")),
        ("string", _) => Type::String,
        ("any", _) => Type::Any,
        ("array" | "object", _) => return Ok(None),
        (other, _) => return Err(format!("unknown type `{other}` (expected string, integer, number, boolean, array, object or any)")),
    }))
}

fn enum_ref_type(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &spec::Schema,
    scalar: &Type,
    enums: &[Enum],
) -> Option<Type> {
    let Some(r) = &schema.enum_ref else {
        return Some(scalar.clone());
    };
    let Some(e) = enums.iter().find(|e| e.name == r.value) else {
        cx.error(
            &format!("{path}.enumRef"),
            r.referenced,
            format!("unknown enum `{}` (not in this file's `enums`)", r.value),
        );
        return None;
    };
    let fits = matches!(
        (e.repr, scalar),
        (EnumRepr::I32, Type::I32) | (EnumRepr::I64, Type::I64) | (EnumRepr::String, Type::String)
    );
    if !fits {
        cx.error(
            &format!("{path}.enumRef"),
            r.referenced,
            format!(
                "enum `{}` does not match the field's type {:?}",
                r.value, scalar
            ),
        );
        return None;
    }
    Some(Type::Enum(e.name.clone()))
}

fn lower_param_type(
    cx: &mut Ctx<'_>,
    path: &str,
    schema: &spec::Schema,
    enums: &[Enum],
    style: ParamStyle,
) -> Option<Type> {
    let format = schema.format.as_ref().map(|f| f.value.as_str());
    match scalar_type(&schema.ty.value, format) {
        Err(message) => {
            cx.error(&format!("{path}.type"), schema.ty.referenced, message);
            None
        }
        Ok(Some(scalar)) => enum_ref_type(cx, path, schema, &scalar, enums),
        Ok(None) if schema.ty.value == "array" => {
            let Some(items) = &schema.items else {
                cx.error(
                    &format!("{path}.items"),
                    schema.ty.referenced,
                    "an array needs `items`",
                );
                return None;
            };
            if style == ParamStyle::Json {
                return Some(Type::Any);
            }
            let item = lower_param_type(cx, &format!("{path}.items"), items, enums, style)?;
            Some(Type::List(Box::new(item)))
        }
        Ok(None) => {
            // Objects travel as JSON text or flattened `Name.Key` pairs; either way the
            // caller gives a JSON value.
            Some(Type::Any)
        }
    }
}

/// Builds the response structs of one action, with unique names.
struct StructBuilder<'a> {
    structs: &'a mut Vec<Struct>,
    reserved: BTreeSet<String>,
    enums: &'a [Enum],
}

impl StructBuilder<'_> {
    fn unique_name(&mut self, wanted: String, parent: Option<&str>) -> String {
        let mut name = wanted.clone();
        if self.reserved.contains(&name) || self.structs.iter().any(|s| s.name == name) {
            if let Some(p) = parent {
                name = format!("{p}{wanted}");
            }
            let mut n = 2;
            let base = name.clone();
            while self.reserved.contains(&name) || self.structs.iter().any(|s| s.name == name) {
                name = format!("{base}{n}");
                n += 1;
            }
        }
        name
    }

    fn lower_object(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        wanted: String,
        parent: Option<&str>,
    ) -> Option<String> {
        let explicit = schema.type_name.is_some();
        if let Some(t) = &schema.type_name {
            if !is_type_name(&t.value) {
                cx.error(
                    &format!("{path}.typeName"),
                    t.referenced,
                    format!(
                        "`{}` is not a valid Rust type name (PascalCase ASCII)",
                        t.value
                    ),
                );
                return None;
            }
            if self.reserved.contains(&t.value) || self.structs.iter().any(|s| s.name == t.value) {
                cx.error(
                    &format!("{path}.typeName"),
                    t.referenced,
                    format!("duplicate type name `{}` in this action", t.value),
                );
                return None;
            }
        }
        let name = if explicit {
            wanted
        } else {
            self.unique_name(wanted, parent)
        };
        let index = self.structs.len();
        self.structs.push(Struct {
            name: name.clone(),
            doc: Doc::from_spec(schema.description.as_ref().or(schema.title.as_ref())),
            fields: Vec::new(),
        });
        let mut fields: Vec<Field> = Vec::new();
        let empty = spec::OrderedMap::default();
        for (key, prop) in &schema.properties.as_ref().unwrap_or(&empty).0 {
            let fpath = format!("{path}.properties.{}", key.value);
            let rust = field_ident(&key.value);
            if fields.iter().any(|f| f.rust == rust) {
                cx.error(&fpath, key.referenced, format!("property `{}` maps to the Rust name `{rust}` that another property already uses", key.value));
                continue;
            }
            let Some(ty) = self.lower_type(cx, &fpath, prop, &key.value, &name) else {
                continue;
            };
            fields.push(Field {
                wire: key.value.clone(),
                rust,
                ty,
                doc: Doc::from_spec(prop.description.as_ref().or(prop.title.as_ref())),
                example: prop.example.clone(),
            });
        }
        self.structs[index].fields = fields;
        Some(name)
    }

    fn lower_type(
        &mut self,
        cx: &mut Ctx<'_>,
        path: &str,
        schema: &spec::Schema,
        prop: &str,
        parent: &str,
    ) -> Option<Type> {
        let format = schema.format.as_ref().map(|f| f.value.as_str());
        match scalar_type(&schema.ty.value, format) {
            Err(message) => {
                cx.error(&format!("{path}.type"), schema.ty.referenced, message);
                None
            }
            Ok(Some(scalar)) => enum_ref_type(cx, path, schema, &scalar, self.enums),
            Ok(None) if schema.ty.value == "array" => {
                let Some(items) = &schema.items else {
                    cx.error(
                        &format!("{path}.items"),
                        schema.ty.referenced,
                        "an array needs `items`",
                    );
                    return None;
                };
                let item_prop = format!("{}Item", pascal_case(prop));
                let item =
                    self.lower_type(cx, &format!("{path}.items"), items, &item_prop, parent)?;
                Some(Type::List(Box::new(item)))
            }
            Ok(None) => {
                if schema.properties.as_ref().is_some_and(|p| !p.0.is_empty())
                    || schema.type_name.is_some()
                {
                    let wanted = match &schema.type_name {
                        Some(t) => t.value.clone(),
                        None => pascal_case(prop),
                    };
                    let name = self.lower_object(cx, path, schema, wanted, Some(parent))?;
                    Some(Type::Struct(name))
                } else if let Some(values) = &schema.additional_properties {
                    let value = self.lower_type(
                        cx,
                        &format!("{path}.additionalProperties"),
                        values,
                        &format!("{}Value", pascal_case(prop)),
                        parent,
                    )?;
                    Some(Type::Map(Box::new(value)))
                } else {
                    Some(Type::Any)
                }
            }
        }
    }
}

/// Follows a dotted wire path from the root struct to a scalar field.
fn resolve_path(structs: &[Struct], root: &str, wire_path: &str) -> Option<(Vec<String>, Type)> {
    let mut current = structs.iter().find(|s| s.name == root)?;
    let mut rust = Vec::new();
    let segments: Vec<&str> = wire_path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let field = current.fields.iter().find(|f| f.wire == *segment)?;
        rust.push(field.rust.clone());
        let last = i + 1 == segments.len();
        match (&field.ty, last) {
            (ty, true) if ty.is_scalar() => return Some((rust, ty.clone())),
            (Type::Struct(name), false) => current = structs.iter().find(|s| &s.name == name)?,
            _ => return None,
        }
    }
    None
}

/// The literal for `value` in a field of type `ty`.
fn literal_for(ty: &Type, value: &serde_json::Value, enums: &[Enum]) -> Option<Literal> {
    match (ty, value) {
        (Type::Bool, serde_json::Value::Bool(b)) => Some(Literal::Bool(*b)),
        (Type::I32, serde_json::Value::Number(n)) => n
            .as_i64()
            .filter(|x| i32::try_from(*x).is_ok())
            .map(Literal::Int),
        (Type::I64, serde_json::Value::Number(n)) => n.as_i64().map(Literal::Int),
        (Type::String, serde_json::Value::String(s)) => Some(Literal::Str(s.clone())),
        (Type::Enum(name), v) => {
            let e = enums.iter().find(|e| &e.name == name)?;
            let lit = match (e.repr, v) {
                (EnumRepr::String, serde_json::Value::String(s)) => Literal::Str(s.clone()),
                (EnumRepr::I32 | EnumRepr::I64, serde_json::Value::Number(n)) => {
                    Literal::Int(n.as_i64()?)
                }
                _ => return None,
            };
            Some(lit)
        }
        _ => None,
    }
}

fn lower_paginator(
    cx: &mut Ctx<'_>,
    raw: &spec::Paginator,
    params: &[Param],
    structs: &[Struct],
    root: &str,
) -> Option<Paginator> {
    let mut param = |key: &str, name: &Spanned<String>| -> Option<(String, Type)> {
        match params.iter().find(|p| p.wire == name.value) {
            Some(p) if matches!(p.ty, Type::I32 | Type::I64) => {
                Some((p.rust.clone(), p.ty.clone()))
            }
            Some(_) => {
                cx.error(
                    &format!("paginator.{key}"),
                    name.referenced,
                    format!("parameter `{}` must be an integer", name.value),
                );
                None
            }
            None => {
                cx.error(
                    &format!("paginator.{key}"),
                    name.referenced,
                    format!("`{}` is not a parameter of this action", name.value),
                );
                None
            }
        }
    };
    let page_number = param("pageNumber", &raw.page_number);
    let page_size = param("pageSize", &raw.page_size);
    let total_count = match &raw.total_count {
        None => None,
        Some(path) => match resolve_field_path(structs, root, &path.value) {
            Some((rust, ty)) if matches!(ty, Type::I32 | Type::I64) => Some((rust, ty)),
            _ => {
                cx.error(
                    "paginator.totalCount",
                    path.referenced,
                    format!(
                        "`{}` does not name an integer field of the response",
                        path.value
                    ),
                );
                return None;
            }
        },
    };
    let items = match resolve_field_path(structs, root, &raw.items.value) {
        Some((rust, Type::List(_))) => rust,
        _ => {
            cx.error(
                "paginator.items",
                raw.items.referenced,
                format!(
                    "`{}` does not name a list field of the response",
                    raw.items.value
                ),
            );
            return None;
        }
    };
    Some(Paginator {
        page_number: page_number?,
        page_size: page_size?,
        total_count,
        items,
        items_wire: raw.items.value.clone(),
    })
}

/// Follows a dotted wire path from the root struct to any field.
pub fn resolve_field_path(
    structs: &[Struct],
    root: &str,
    wire_path: &str,
) -> Option<(Vec<String>, Type)> {
    let mut current = structs.iter().find(|s| s.name == root)?;
    let mut rust = Vec::new();
    let segments: Vec<&str> = wire_path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let field = current.fields.iter().find(|f| f.wire == *segment)?;
        rust.push(field.rust.clone());
        if i + 1 == segments.len() {
            return Some((rust, field.ty.clone()));
        }
        match &field.ty {
            Type::Struct(name) => current = structs.iter().find(|s| &s.name == name)?,
            _ => return None,
        }
    }
    None
}

/// Resolves every action's `wait` against the other actions; returns problems as diagnostics.
pub fn resolve_waits(
    spec_dir: &Path,
    display_root: &Path,
    raws: &[(PathBuf, &spec::ActionFile)],
    operations: &mut [Operation],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (path, raw) in raws {
        let Some(wait) = &raw.wait else { continue };
        let shown = path
            .strip_prefix(display_root)
            .unwrap_or(path)
            .to_path_buf();
        let _ = spec_dir;
        let mut cx = Ctx {
            file: &shown,
            diagnostics,
        };
        let Some(target) = operations.iter().find(|o| o.name == wait.action.value) else {
            cx.error(
                "wait.action",
                wait.action.referenced,
                format!("unknown action `{}`", wait.action.value),
            );
            continue;
        };
        if !target.waiters.iter().any(|w| w.name == wait.waiter.value) {
            cx.error(
                "wait.waiter",
                wait.waiter.referenced,
                format!(
                    "action `{}` has no waiter `{}`",
                    wait.action.value, wait.waiter.value
                ),
            );
            continue;
        }
        let Some(this) = operations.iter().find(|o| o.name == raw.name.value) else {
            continue;
        };
        let mut bindings = Vec::new();
        let mut ok = true;
        for (key, source) in &wait.parameters.0 {
            let kpath = format!("wait.parameters.{}", key.value);
            let Some(target_param) = target.input.params.iter().find(|p| p.wire == key.value)
            else {
                cx.error(
                    &kpath,
                    key.referenced,
                    format!("`{}` is not a parameter of `{}`", key.value, target.name),
                );
                ok = false;
                continue;
            };
            let resolved = match (&source.input, &source.output) {
                (Some(name), None) => match this.input.params.iter().find(|p| p.wire == name.value)
                {
                    Some(p) if p.ty == target_param.ty => Some(WaitSource::Input(p.rust.clone())),
                    Some(_) => {
                        cx.error(
                            &format!("{kpath}.input"),
                            name.referenced,
                            format!("`{}` does not have the type of `{}`", name.value, key.value),
                        );
                        None
                    }
                    None => {
                        cx.error(
                            &format!("{kpath}.input"),
                            name.referenced,
                            format!("`{}` is not a parameter of `{}`", name.value, this.name),
                        );
                        None
                    }
                },
                (None, Some(path)) => {
                    match resolve_field_path(&this.structs, &this.output, &path.value) {
                        Some((rust, ty)) if ty == target_param.ty => Some(WaitSource::Output(rust)),
                        _ => {
                            cx.error(
                                &format!("{kpath}.output"),
                                path.referenced,
                                format!(
                                    "`{}` is not a field of the response with the type of `{}`",
                                    path.value, key.value
                                ),
                            );
                            None
                        }
                    }
                }
                _ => {
                    cx.error(
                        &kpath,
                        key.referenced,
                        "give exactly one of `input` and `output`",
                    );
                    None
                }
            };
            match resolved {
                Some(source) => bindings.push(WaitBinding {
                    target: target_param.rust.clone(),
                    ty: target_param.ty.clone(),
                    source,
                }),
                None => ok = false,
            }
        }
        if ok {
            let wait_for = WaitFor {
                action: target.name.clone(),
                waiter: wait.waiter.value.clone(),
                bindings,
            };
            if let Some(op) = operations.iter_mut().find(|o| o.name == raw.name.value) {
                op.wait = Some(wait_for);
            }
        }
    }
}
