//! Official metadata (`apis.<Name>` of api-docs.json) → one spec file as a [`Node`] tree.
//!
//! Everything the spec format can hold is carried over; everything else becomes a note in
//! the action's `unsupported` list. The only metadata left out without a note is what
//! carries no information for the spec or the generator (see the module docs of
//! `crate::import`).

use crate::yaml::Node;

/// The `source` of every sample the importer writes; `--update` regenerates exactly these.
pub const SAMPLE_SOURCE: &str = "official metadata responseDemo";

/// Where a document does not have the metadata's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// Key path in the metadata, such as `apis.GetDeployment.parameters[2].schema`.
    pub at: String,
    /// What was expected there.
    pub message: String,
}

/// A response sample file to write beside the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// The sample's `name` in the spec.
    pub name: String,
    /// Path relative to the spec folder, with `/`.
    pub rel_path: String,
    /// `json` or `xml`.
    pub format: String,
    /// The body, byte for byte as in the metadata (an XML demo without a root element is
    /// wrapped in `<ActionResponse>`, with a note).
    pub body: String,
}

/// One action converted from the metadata.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The action name.
    pub name: String,
    /// The spec file (including its `samples` and `unsupported` keys).
    pub doc: Node,
    /// The sample files its `samples` refer to.
    pub samples: Vec<SampleFile>,
    /// What could not be represented, one note per item (also in `doc`).
    pub unsupported: Vec<String>,
}

/// Checks the top level of a metadata document and returns its `apis` mapping.
pub fn apis(root: &Node) -> Result<&[(String, Node)], ShapeError> {
    let Node::Map(_) = root else {
        return Err(ShapeError {
            at: String::new(),
            message: "the document is not a JSON object".into(),
        });
    };
    let Some(apis) = root.get("apis") else {
        return Err(ShapeError {
            at: String::new(),
            message: "there is no `apis` object at the top level".into(),
        });
    };
    let Some(entries) = apis.as_map() else {
        return Err(ShapeError {
            at: "apis".into(),
            message: "`apis` is not an object of actions".into(),
        });
    };
    for (name, api) in entries {
        if api.as_map().is_none() {
            return Err(ShapeError {
                at: format!("apis.{name}"),
                message: "an action is not an object".into(),
            });
        }
    }
    Ok(entries)
}

/// Cleans documentation text the way a person copying it would: `\r\n` → `\n`, no
/// trailing spaces on lines, no leading or trailing blank space.
pub fn clean_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

fn text_node(text: &str) -> Option<Node> {
    let cleaned = clean_text(text);
    (!cleaned.is_empty()).then(|| Node::Map(vec![("zh".into(), Node::Str(cleaned))]))
}

struct Cx<'a> {
    components: Option<&'a Node>,
    notes: Vec<String>,
    ref_stack: Vec<String>,
}

impl Cx<'_> {
    fn note(&mut self, at: &str, message: impl AsRef<str>) {
        if at.is_empty() {
            self.notes.push(message.as_ref().to_string());
        } else {
            self.notes.push(format!("{at}: {}", message.as_ref()));
        }
    }
}

fn shape(at: impl Into<String>, message: impl Into<String>) -> ShapeError {
    ShapeError {
        at: at.into(),
        message: message.into(),
    }
}

fn expect_str<'a>(node: &'a Node, at: &str) -> Result<&'a str, ShapeError> {
    node.as_str()
        .ok_or_else(|| shape(at, format!("expected a string, found {}", node.summary())))
}

fn expect_bool(node: &Node, at: &str) -> Result<bool, ShapeError> {
    match node {
        Node::Bool(b) => Ok(*b),
        other => Err(shape(
            at,
            format!("expected true or false, found {}", other.summary()),
        )),
    }
}

/// A metadata scalar as the spec's string fields want it (`"0"`, `"1.5"`).
fn scalar_string(node: &Node, at: &str) -> Result<String, ShapeError> {
    match node {
        Node::Str(s) => Ok(s.clone()),
        Node::Int(_) | Node::Float(_) | Node::Bool(_) => Ok(node.scalar_text().unwrap_or_default()),
        other => Err(shape(
            at,
            format!("expected a string or a number, found {}", other.summary()),
        )),
    }
}

fn expect_uint(node: &Node, at: &str) -> Result<Node, ShapeError> {
    match node {
        Node::Int(i) if *i >= 0 => Ok(Node::Int(*i)),
        Node::Str(s) if s.trim().parse::<u64>().is_ok() => Ok(Node::Int(
            s.trim().parse::<u64>().map(i128::from).unwrap_or_default(),
        )),
        other => Err(shape(
            at,
            format!("expected a non-negative integer, found {}", other.summary()),
        )),
    }
}

/// Short text of a metadata value for a note, in YAML flow style.
fn brief(node: &Node) -> String {
    fn inner(node: &Node, out: &mut String) {
        match node {
            Node::Str(s) => out.push_str(&crate::yaml::writer::quote_if_needed(s, true)),
            Node::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inner(item, out);
                }
                out.push(']');
            }
            Node::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&crate::yaml::writer::quote_if_needed(k, true));
                    out.push_str(": ");
                    inner(v, out);
                }
                out.push('}');
            }
            scalar => out.push_str(&scalar.scalar_text().unwrap_or_default()),
        }
    }
    let mut out = String::new();
    inner(node, &mut out);
    crate::yaml::tree::shorten(&out, 200)
}

/// Whether a schema is for a parameter (keys ordered type first, as in the hand-written
/// specs) or for the response (description first).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Param,
    Response,
}

const SCHEMA_KEYS: &[&str] = &[
    "$ref",
    "type",
    "format",
    "required",
    "docRequired",
    "description",
    "title",
    "example",
    "default",
    "enum",
    "enumValueTitles",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "deprecated",
    "isFileTransferUrl",
    "items",
    "properties",
    "additionalProperties",
];

/// The entries of a mapping node.
type Entries = Vec<(String, Node)>;

/// Resolves `$ref` (to `#/components/schemas/<Name>`): the referenced schema's keys,
/// overridden by the keys next to the `$ref`. Returns the merged mapping.
fn resolve_ref(
    cx: &mut Cx<'_>,
    schema: &Node,
    at: &str,
    meta_at: &str,
) -> Result<(Entries, Option<String>), ShapeError> {
    let entries = schema.as_map().ok_or_else(|| {
        shape(
            meta_at,
            format!("a schema is not an object: {}", schema.summary()),
        )
    })?;
    let Some(reference) = schema.get("$ref") else {
        return Ok((entries.to_vec(), None));
    };
    let reference = expect_str(reference, &format!("{meta_at}.$ref"))?;
    let local: Vec<(String, Node)> = entries
        .iter()
        .filter(|(k, _)| k != "$ref")
        .cloned()
        .collect();
    let target = reference
        .strip_prefix("#/components/schemas/")
        .and_then(|name| Some((name, cx.components?.get(name)?)));
    let Some((name, target)) = target else {
        cx.note(
            at,
            format!("`$ref` to `{reference}`, which the metadata does not define (imported as `type: any`)"),
        );
        let mut merged = vec![("type".to_string(), Node::Str("any".into()))];
        merged.extend(local);
        return Ok((merged, None));
    };
    if cx.ref_stack.iter().any(|r| r == name) {
        cx.note(
            at,
            format!("`$ref` to `{reference}` is recursive; the spec format cannot express a recursive type (imported as `type: any`)"),
        );
        let mut merged = vec![("type".to_string(), Node::Str("any".into()))];
        merged.extend(local);
        return Ok((merged, None));
    }
    let target_entries = target.as_map().ok_or_else(|| {
        shape(
            format!("components.schemas.{name}"),
            "a schema is not an object",
        )
    })?;
    let mut merged: Vec<(String, Node)> = target_entries.to_vec();
    for (k, v) in local {
        match merged.iter_mut().find(|(mk, _)| *mk == k) {
            Some(slot) => slot.1 = v,
            None => merged.push((k, v)),
        }
    }
    Ok((merged, Some(name.to_string())))
}

/// Converts one schema. `at` is the key path in the spec file (for notes), `meta_at` the
/// path in the metadata (for shape errors).
fn schema(
    cx: &mut Cx<'_>,
    node: &Node,
    at: &str,
    meta_at: &str,
    kind: Kind,
) -> Result<Node, ShapeError> {
    let (entries, via_ref) = resolve_ref(cx, node, at, meta_at)?;
    if let Some(name) = &via_ref {
        cx.ref_stack.push(name.clone());
    }
    let result = schema_entries(cx, &Node::Map(entries), at, meta_at, kind);
    if via_ref.is_some() {
        cx.ref_stack.pop();
    }
    result
}

fn schema_entries(
    cx: &mut Cx<'_>,
    node: &Node,
    at: &str,
    meta_at: &str,
    kind: Kind,
) -> Result<Node, ShapeError> {
    let get = |k: &str| node.get(k);
    let sub = |k: &str| format!("{meta_at}.{k}");
    for (key, value) in node.as_map().unwrap_or_default() {
        if !SCHEMA_KEYS.contains(&key.as_str()) {
            cx.note(
                at,
                format!(
                    "unknown schema key `{key}` = {} (the spec format has no such key)",
                    brief(value)
                ),
            );
        }
    }
    let ty = match get("type") {
        Some(t) => expect_str(t, &sub("type"))?.to_string(),
        None => {
            cx.note(at, "the schema has no `type` (imported as `type: any`)");
            "any".to_string()
        }
    };
    let format = get("format")
        .map(|f| expect_str(f, &sub("format")))
        .transpose()?;
    let required = get("required")
        .map(|r| expect_bool(r, &sub("required")))
        .transpose()?;
    let doc_required = get("docRequired")
        .map(|r| expect_bool(r, &sub("docRequired")))
        .transpose()?;
    let description = get("description")
        .map(|d| expect_str(d, &sub("description")))
        .transpose()?
        .and_then(text_node);
    let title = get("title")
        .map(|d| expect_str(d, &sub("title")))
        .transpose()?
        .and_then(text_node);
    let example = get("example")
        .map(|e| scalar_string(e, &sub("example")))
        .transpose()?
        .filter(|e| !e.is_empty());
    let mut head: Vec<(String, Node)> = Vec::new();
    let type_entries = {
        let mut v = vec![("type".to_string(), Node::Str(ty.clone()))];
        if let Some(f) = format {
            v.push(("format".into(), Node::Str(f.to_string())));
        }
        v
    };
    let mut flags = Vec::new();
    if let Some(r) = required {
        flags.push(("required".to_string(), Node::Bool(r)));
    }
    // `docRequired` says whether the documentation marks the parameter as required; it is
    // kept only where it says something `required` does not.
    if let Some(d) = doc_required {
        if d != required.unwrap_or(false) {
            flags.push(("docRequired".to_string(), Node::Bool(d)));
        }
    }
    let mut docs = Vec::new();
    if let Some(d) = description {
        docs.push(("description".to_string(), d));
    }
    if let Some(t) = title {
        docs.push(("title".to_string(), t));
    }
    match kind {
        Kind::Param => {
            head.extend(type_entries);
            head.extend(flags);
            head.extend(docs);
        }
        Kind::Response => {
            head.extend(docs);
            head.extend(type_entries);
            head.extend(flags);
        }
    }
    if let Some(e) = example {
        head.push(("example".into(), Node::Str(e)));
    }
    if let Some(d) = get("default") {
        head.push((
            "default".into(),
            Node::Str(scalar_string(d, &sub("default"))?),
        ));
    }
    if let Some(values) = get("enum") {
        let items = values
            .as_seq()
            .ok_or_else(|| shape(sub("enum"), "`enum` is not a list"))?;
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            out.push(enum_value(&ty, v, &format!("{}[{i}]", sub("enum")))?);
        }
        head.push(("enum".into(), Node::Seq(out)));
    }
    if let Some(titles) = get("enumValueTitles") {
        match titles {
            Node::Map(m) if m.is_empty() => {}
            other => cx.note(
                at,
                format!(
                    "enumValueTitles {} (titles of the values; the spec format's inline `enum` has no titles, a named enum in `enums` would)",
                    brief(other)
                ),
            ),
        }
    }
    for key in ["minimum", "maximum"] {
        if let Some(v) = get(key) {
            head.push((key.into(), Node::Str(scalar_string(v, &sub(key))?)));
        }
    }
    for key in ["exclusiveMinimum", "exclusiveMaximum"] {
        if let Some(v) = get(key) {
            if expect_bool(v, &sub(key))? {
                head.push((key.into(), Node::Bool(true)));
            }
        }
    }
    for key in ["minLength", "maxLength"] {
        if let Some(v) = get(key) {
            head.push((key.into(), expect_uint(v, &sub(key))?));
        }
    }
    if let Some(v) = get("minItems") {
        head.push(("minItems".into(), expect_uint(v, &sub("minItems"))?));
    }
    if let Some(v) = get("maxItems") {
        head.push(("maxItems".into(), expect_uint(v, &sub("maxItems"))?));
    }
    if let Some(v) = get("pattern") {
        head.push((
            "pattern".into(),
            Node::Str(expect_str(v, &sub("pattern"))?.into()),
        ));
    }
    if let Some(v) = get("deprecated") {
        head.push((
            "deprecated".into(),
            Node::Bool(expect_bool(v, &sub("deprecated"))?),
        ));
    }
    if let Some(v) = get("isFileTransferUrl") {
        if expect_bool(v, &sub("isFileTransferUrl"))? {
            cx.note(
                at,
                "isFileTransferUrl: true (the value is a file uploaded through Alibaba Cloud's file-transfer URL flow, which the spec format cannot express; the generated code sends it as a plain value)",
            );
        }
    }
    if let Some(items) = get("items") {
        let converted = schema(cx, items, &format!("{at}.items"), &sub("items"), kind)?;
        head.push(("items".into(), converted));
    }
    if let Some(props) = get("properties") {
        let entries = props
            .as_map()
            .ok_or_else(|| shape(sub("properties"), "`properties` is not an object"))?;
        let mut out = Vec::new();
        for (name, prop) in entries {
            let converted = schema(
                cx,
                prop,
                &format!("{at}.properties.{name}"),
                &format!("{}.{name}", sub("properties")),
                kind,
            )?;
            out.push((name.clone(), converted));
        }
        head.push(("properties".into(), Node::Map(out)));
    }
    if let Some(extra) = get("additionalProperties") {
        match extra {
            Node::Bool(false) => {}
            Node::Bool(true) => head.push((
                "additionalProperties".into(),
                Node::Map(vec![("type".into(), Node::Str("any".into()))]),
            )),
            other => {
                let converted = schema(
                    cx,
                    other,
                    &format!("{at}.additionalProperties"),
                    &sub("additionalProperties"),
                    kind,
                )?;
                head.push(("additionalProperties".into(), converted));
            }
        }
    }
    Ok(Node::Map(head))
}

/// An enum value typed as its schema: integers and booleans unquoted, the rest strings.
fn enum_value(ty: &str, value: &Node, meta_at: &str) -> Result<Node, ShapeError> {
    let text = scalar_string(value, meta_at)?;
    let typed = match ty {
        "integer" => text.trim().parse::<i128>().ok().map(Node::Int),
        "number" => text.trim().parse::<f64>().ok().map(Node::Float),
        "boolean" => match text.trim() {
            "true" => Some(Node::Bool(true)),
            "false" => Some(Node::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    Ok(typed.unwrap_or(Node::Str(text)))
}

const ACTION_KEYS: &[&str] = &[
    "title",
    "summary",
    "description",
    "methods",
    "schemes",
    "security",
    "operationType",
    "deprecated",
    "systemTags",
    "parameters",
    "responses",
    "errorCodes",
    "responseDemo",
    "requestParamsDescription",
    "responseParamsDescription",
    "extraInfo",
    "staticInfo",
];

/// Whether repeating the action is harmless by the metadata: only an action that is
/// `operationType: read` with `systemTags.operationType` `get` or `list` counts (the tags are
/// not reliable alone: `RunCycleDagNodes` is `readAndWrite`/`get` but starts runs, and an
/// action without `operationType` may write). A pure function of `apis.<name>`; a person can
/// set the spec's `idempotent` otherwise, and `--update` keeps it.
pub fn idempotent_by_metadata(api: &Node) -> bool {
    let operation = api.get("operationType").and_then(Node::as_str);
    let tag = api
        .get("systemTags")
        .and_then(|t| t.get("operationType"))
        .and_then(Node::as_str);
    operation == Some("read") && matches!(tag, Some("get" | "list"))
}

/// The action's client token parameter (`ClientToken`, any case), if it has one: the
/// services carry a call out at most once per token.
pub fn client_token_param(api: &Node) -> Option<String> {
    api.get("parameters")?
        .as_seq()?
        .iter()
        .filter_map(|p| p.get("name").and_then(Node::as_str))
        .find(|name| name.eq_ignore_ascii_case("ClientToken"))
        .map(str::to_string)
}

/// Converts `apis.<name>` of the metadata `root` into a spec file.
pub fn convert_action(root: &Node, name: &str) -> Result<Converted, ShapeError> {
    let meta_at = format!("apis.{name}");
    let api = root
        .get("apis")
        .and_then(|a| a.get(name))
        .ok_or_else(|| shape(&meta_at, "no such action"))?;
    let mut cx = Cx {
        components: root.get("components").and_then(|c| c.get("schemas")),
        notes: Vec::new(),
        ref_stack: Vec::new(),
    };
    let sub = |k: &str| format!("{meta_at}.{k}");
    let get = |k: &str| api.get(k);
    for (key, value) in api.as_map().unwrap_or_default() {
        if !ACTION_KEYS.contains(&key.as_str()) {
            cx.note(
                key,
                format!(
                    "unknown action key with value {} (the spec format has no such key)",
                    brief(value)
                ),
            );
        }
    }
    let mut doc: Vec<(String, Node)> = vec![("name".into(), Node::Str(name.to_string()))];
    for key in ["title", "summary", "description"] {
        if let Some(text) = get(key) {
            if let Some(t) = text_node(expect_str(text, &sub(key))?) {
                doc.push((key.into(), t));
            }
        }
    }
    for key in ["methods", "schemes"] {
        if let Some(list) = get(key) {
            let items = list
                .as_seq()
                .ok_or_else(|| shape(sub(key), format!("`{key}` is not a list")))?;
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                out.push(Node::Str(
                    expect_str(item, &format!("{}[{i}]", sub(key)))?.into(),
                ));
            }
            doc.push((key.into(), Node::Seq(out)));
        }
    }
    if let Some(op) = get("operationType") {
        doc.push((
            "operationType".into(),
            Node::Str(expect_str(op, &sub("operationType"))?.into()),
        ));
    }
    if let Some(dep) = get("deprecated") {
        doc.push((
            "deprecated".into(),
            Node::Bool(expect_bool(dep, &sub("deprecated"))?),
        ));
    }
    if security_notes(&mut cx, get("security"), &sub("security"))? == Security::Anonymous {
        doc.push(("auth".into(), Node::Str("anonymous".into())));
    }
    doc.push(("idempotent".into(), Node::Bool(idempotent_by_metadata(api))));
    if let Some(token) = client_token_param(api) {
        doc.push(("clientToken".into(), Node::Str(token)));
    }
    system_tag_notes(&mut cx, get("systemTags"), &sub("systemTags"))?;
    for key in [
        "requestParamsDescription",
        "responseParamsDescription",
        "extraInfo",
    ] {
        if let Some(text) = get(key) {
            let cleaned = clean_text(expect_str(text, &sub(key))?);
            if !cleaned.is_empty() {
                cx.note(
                    key,
                    format!(
                        "{} characters of documentation the spec format has no key for: {:?}",
                        cleaned.chars().count(),
                        crate::yaml::tree::shorten(&cleaned, 80)
                    ),
                );
            }
        }
    }
    if let Some(info) = get("staticInfo") {
        match info {
            Node::Map(m) if m.is_empty() => {}
            other => cx.note(
                "staticInfo",
                format!("{} (the spec format has no key for it)", brief(other)),
            ),
        }
    }

    // Parameters.
    if let Some(params) = get("parameters") {
        let items = params
            .as_seq()
            .ok_or_else(|| shape(sub("parameters"), "`parameters` is not a list"))?;
        let mut out = Vec::new();
        for (i, p) in items.iter().enumerate() {
            out.push(parameter(
                &mut cx,
                p,
                &format!("{}[{i}]", sub("parameters")),
            )?);
        }
        doc.push(("parameters".into(), Node::Seq(out)));
    }

    // Responses.
    let responses = get("responses").ok_or_else(|| shape(sub("responses"), "missing"))?;
    let entries = responses
        .as_map()
        .ok_or_else(|| shape(sub("responses"), "`responses` is not an object"))?;
    let mut out = Vec::new();
    for (status, response) in entries {
        let r_at = format!("{}.{status}", sub("responses"));
        let spec_at = format!("responses.{status}");
        let r = response
            .as_map()
            .ok_or_else(|| shape(&r_at, "a response is not an object"))?;
        let mut converted = Vec::new();
        for (key, value) in r {
            if key == "schema" {
                let s = schema(
                    &mut cx,
                    value,
                    &format!("{spec_at}.schema"),
                    &format!("{r_at}.schema"),
                    Kind::Response,
                )?;
                converted.push(("schema".to_string(), s));
            } else if key == "headers" && value.as_map().is_some_and(<[_]>::is_empty) {
                // No response headers are documented.
            } else {
                cx.note(
                    &spec_at,
                    format!(
                        "unknown response key `{key}` = {} (the spec format has no such key)",
                        brief(value)
                    ),
                );
            }
        }
        if converted.is_empty() {
            cx.note(
                &spec_at,
                "the response has no schema (imported as `type: object`)",
            );
            converted.push((
                "schema".into(),
                Node::Map(vec![("type".into(), Node::Str("object".into()))]),
            ));
        }
        out.push((status.clone(), Node::Map(converted)));
    }
    doc.push(("responses".into(), Node::Map(out)));

    // Error codes.
    if let Some(codes) = get("errorCodes") {
        let entries = codes
            .as_map()
            .ok_or_else(|| shape(sub("errorCodes"), "`errorCodes` is not an object"))?;
        let mut out = Vec::new();
        for (status, list) in entries {
            let l_at = format!("{}.{status}", sub("errorCodes"));
            let items = list
                .as_seq()
                .ok_or_else(|| shape(&l_at, "an error code list is not a list"))?;
            let mut converted = Vec::new();
            for (i, e) in items.iter().enumerate() {
                converted.push(error_code(&mut cx, e, &format!("{l_at}[{i}]"), status)?);
            }
            out.push((status.clone(), Node::Seq(converted)));
        }
        if !out.is_empty() {
            doc.push(("errorCodes".into(), Node::Map(out)));
        }
    }

    // Samples.
    let samples = match get("responseDemo") {
        Some(demo) => samples(&mut cx, name, expect_str(demo, &sub("responseDemo"))?),
        None => Vec::new(),
    };
    if !samples.is_empty() {
        let list = samples.iter().map(sample_node).collect();
        doc.push(("samples".into(), Node::Seq(list)));
    }
    if !cx.notes.is_empty() {
        doc.push((
            "unsupported".into(),
            Node::Seq(cx.notes.iter().cloned().map(Node::Str).collect()),
        ));
    }
    Ok(Converted {
        name: name.to_string(),
        doc: Node::Map(doc),
        samples,
        unsupported: cx.notes,
    })
}

/// The spec's `samples` entry for a sample file.
pub fn sample_node(sample: &SampleFile) -> Node {
    Node::Map(vec![
        ("name".into(), Node::Str(sample.name.clone())),
        ("format".into(), Node::Str(sample.format.clone())),
        ("httpStatus".into(), Node::Int(200)),
        ("file".into(), Node::Str(sample.rel_path.clone())),
        ("source".into(), Node::Str(SAMPLE_SOURCE.into())),
    ])
}

/// Schemes of an action that authenticates by a token among its parameters and is called
/// unsigned (the official SDKs send it with `authType: Anonymous`).
const ANONYMOUS_SCHEMES: &[&str] = &["ARS_OIDC", "ARS_SAML"];

/// How the metadata's `security` says an action is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// Signed with an AccessKey (also when `security` is absent).
    AccessKey,
    /// Unsigned: only token schemes are listed (spec `auth: anonymous`).
    Anonymous,
}

fn security_notes(
    cx: &mut Cx<'_>,
    security: Option<&Node>,
    at: &str,
) -> Result<Security, ShapeError> {
    let Some(security) = security else {
        return Ok(Security::AccessKey);
    };
    let items = security
        .as_seq()
        .ok_or_else(|| shape(at, "`security` is not a list"))?;
    let mut others = Vec::new();
    let mut access_key = false;
    for item in items {
        for (scheme, _) in item.as_map().unwrap_or_default() {
            if scheme == "AK" {
                access_key = true;
            } else {
                others.push(scheme.clone());
            }
        }
    }
    if !access_key
        && !others.is_empty()
        && others
            .iter()
            .all(|s| ANONYMOUS_SCHEMES.contains(&s.as_str()))
    {
        return Ok(Security::Anonymous);
    }
    if !others.is_empty() {
        cx.note(
            "security",
            format!(
                "the action also accepts {} authentication (the generated client signs with an AccessKey only)",
                others.join(", ")
            ),
        );
    }
    Ok(Security::AccessKey)
}

fn system_tag_notes(cx: &mut Cx<'_>, tags: Option<&Node>, at: &str) -> Result<(), ShapeError> {
    let Some(tags) = tags else {
        return Ok(());
    };
    let entries = tags
        .as_map()
        .ok_or_else(|| shape(at, "`systemTags` is not an object"))?;
    for (key, value) in entries {
        let default = match key.as_str() {
            // Catalogue tags of the documentation portal.
            "abilityTreeCode" | "abilityTreeNodes" | "operationType" => true,
            "riskType" => value.as_str() == Some("none"),
            "chargeType" => value.as_str() == Some("free"),
            _ => false,
        };
        if !default {
            cx.note(
                &format!("systemTags.{key}"),
                format!("{} (the spec format has no key for it)", brief(value)),
            );
        }
    }
    Ok(())
}

fn parameter(cx: &mut Cx<'_>, p: &Node, meta_at: &str) -> Result<Node, ShapeError> {
    let entries = p
        .as_map()
        .ok_or_else(|| shape(meta_at, "a parameter is not an object"))?;
    let name = expect_str(
        p.get("name")
            .ok_or_else(|| shape(meta_at, "a parameter has no `name`"))?,
        &format!("{meta_at}.name"),
    )?;
    let at = format!("parameters[{name}]");
    let location = expect_str(
        p.get("in")
            .ok_or_else(|| shape(meta_at, "a parameter has no `in`"))?,
        &format!("{meta_at}.in"),
    )?;
    let mut out = vec![
        ("name".to_string(), Node::Str(name.to_string())),
        ("in".to_string(), Node::Str(location.to_string())),
    ];
    if let Some(style) = p.get("style") {
        out.push((
            "style".into(),
            Node::Str(expect_str(style, &format!("{meta_at}.style"))?.into()),
        ));
    }
    let schema_node = p
        .get("schema")
        .ok_or_else(|| shape(meta_at, "a parameter has no `schema`"))?;
    out.push((
        "schema".into(),
        schema(
            cx,
            schema_node,
            &format!("{at}.schema"),
            &format!("{meta_at}.schema"),
            Kind::Param,
        )?,
    ));
    for (key, value) in entries {
        match key.as_str() {
            "name" | "in" | "style" | "schema" => {}
            "allowEmptyValue" if *value == Node::Bool(false) => {}
            _ => cx.note(
                &at,
                format!(
                    "{key}: {} (the spec format has no such parameter key)",
                    brief(value)
                ),
            ),
        }
    }
    Ok(Node::Map(out))
}

fn error_code(cx: &mut Cx<'_>, e: &Node, meta_at: &str, status: &str) -> Result<Node, ShapeError> {
    let entries = e
        .as_map()
        .ok_or_else(|| shape(meta_at, "an error code is not an object"))?;
    let code = expect_str(
        e.get("errorCode")
            .ok_or_else(|| shape(meta_at, "an error code has no `errorCode`"))?,
        &format!("{meta_at}.errorCode"),
    )?;
    let mut out = vec![("errorCode".to_string(), Node::Str(code.to_string()))];
    if let Some(m) = e.get("errorMessage") {
        let message = scalar_string(m, &format!("{meta_at}.errorMessage"))?;
        if !message.is_empty() {
            out.push(("errorMessage".into(), Node::Str(message)));
        }
    }
    if let Some(d) = e.get("description") {
        if let Some(t) = text_node(expect_str(d, &format!("{meta_at}.description"))?) {
            out.push(("description".into(), t));
        }
    }
    for (key, value) in entries {
        if !matches!(key.as_str(), "errorCode" | "errorMessage" | "description") {
            cx.note(
                &format!("errorCodes.{status}[{code}]"),
                format!(
                    "{key}: {} (the spec format has no such error code key)",
                    brief(value)
                ),
            );
        }
    }
    Ok(Node::Map(out))
}

/// The sample files of `responseDemo` (a JSON text holding `[{type, example, errorExample}]`).
fn samples(cx: &mut Cx<'_>, name: &str, demo: &str) -> Vec<SampleFile> {
    if demo.trim().is_empty() {
        return Vec::new();
    }
    let parsed: Node = match serde_json::from_str(demo) {
        Ok(n) => n,
        Err(e) => {
            cx.note(
                "responseDemo",
                format!("not valid JSON ({e}); no samples imported"),
            );
            return Vec::new();
        }
    };
    let Some(items) = parsed.as_seq() else {
        cx.note(
            "responseDemo",
            "not a JSON list of demos; no samples imported",
        );
        return Vec::new();
    };
    let mut out: Vec<SampleFile> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("responseDemo[{i}]");
        let ty = item.get("type").and_then(Node::as_str).unwrap_or_default();
        let example = item
            .get("example")
            .and_then(Node::as_str)
            .unwrap_or_default();
        for (key, value) in item.as_map().unwrap_or_default() {
            match key.as_str() {
                "type" | "example" => {}
                "errorExample" if value.as_str().is_some_and(|s| s.trim().is_empty()) => {}
                "errorExample" => cx.note(
                    &at,
                    format!(
                        "an error example ({} characters) without an HTTP status; the spec's samples need one, so it is not imported",
                        value.as_str().map(|s| s.chars().count()).unwrap_or(0)
                    ),
                ),
                _ => cx.note(&at, format!("unknown demo key `{key}` = {}", brief(value))),
            }
        }
        if example.trim().is_empty() {
            continue;
        }
        if !matches!(ty, "json" | "xml") {
            cx.note(
                &at,
                format!("demo of type `{ty}` (samples are json or xml); not imported"),
            );
            continue;
        }
        if ty == "json" {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(example) {
                cx.note(
                    &at,
                    format!("the JSON demo does not parse ({e}); written as it is"),
                );
            }
        }
        let mut body = example.to_string();
        if ty == "xml" && !has_root_element(example) {
            // The service always answers with one root element (`<ActionResponse>`); the
            // documentation often shows only its children.
            let root = format!("{name}Response");
            cx.note(
                &at,
                format!("the XML demo shows the response's children without its root element; written wrapped in <{root}> (as the service answers)"),
            );
            body = format!("<{root}>\n{}\n</{root}>", example.trim_end());
        }
        let same = out.iter().filter(|s| s.format == ty).count();
        let (sample_name, rel_path) = if same == 0 {
            (format!("metadata_{ty}"), format!("samples/{name}.{ty}"))
        } else {
            (
                format!("metadata_{ty}_{}", same + 1),
                format!("samples/{name}.{}.{ty}", same + 1),
            )
        };
        out.push(SampleFile {
            name: sample_name,
            rel_path,
            format: ty.to_string(),
            body,
        });
    }
    out
}

/// Whether an XML text is one element holding elements (a response document), not the
/// response's children shown without it (several top-level elements, or one holding text).
fn has_root_element(xml: &str) -> bool {
    let (mut depth, mut top, mut nested) = (0usize, 0usize, false);
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let tag = &rest[start + 1..];
        let end = tag.find('>').unwrap_or(tag.len());
        let inner = &tag[..end];
        if inner.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !inner.starts_with('?') && !inner.starts_with('!') {
            match depth {
                0 => top += 1,
                1 => nested = true,
                _ => {}
            }
            if !inner.ends_with('/') {
                depth += 1;
            }
        }
        rest = tag.get(end + 1..).unwrap_or_default();
    }
    top == 1 && nested
}

/// The metadata's top-level `directories` (the console's API groups) as the `groups` of
/// `product.yaml`: `id`, `title: {zh}` and `actions` (every action below the directory, in
/// order, once). The Cargo feature names (`name`), English titles and `default: false` are
/// added by hand and kept by `--update`. `None` when the metadata has no directories.
pub fn groups(root: &Node) -> Result<Option<Node>, ShapeError> {
    let Some(directories) = root.get("directories") else {
        return Ok(None);
    };
    let items = directories
        .as_seq()
        .ok_or_else(|| shape("directories", "`directories` is not a list"))?;
    fn collect(node: &Node, at: &str, out: &mut Vec<Node>) -> Result<(), ShapeError> {
        match node {
            Node::Str(name) => {
                if !out.iter().any(|n| n.as_str() == Some(name)) {
                    out.push(Node::Str(name.clone()));
                }
                Ok(())
            }
            Node::Map(_) => {
                for (i, child) in node
                    .get("children")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    collect(child, &format!("{at}.children[{i}]"), out)?;
                }
                Ok(())
            }
            other => Err(shape(
                at,
                format!(
                    "a directory entry is {}, not an action name or a directory",
                    other.summary()
                ),
            )),
        }
    }
    let mut groups = Vec::new();
    for (i, dir) in items.iter().enumerate() {
        let at = format!("directories[{i}]");
        let id = match dir.get("id") {
            Some(Node::Int(id)) => *id,
            Some(other) => {
                return Err(shape(
                    format!("{at}.id"),
                    format!("expected an integer, found {}", other.summary()),
                ))
            }
            None => return Err(shape(&at, "a directory has no `id`")),
        };
        let title = dir
            .get("title")
            .map(|t| expect_str(t, &format!("{at}.title")))
            .transpose()?
            .unwrap_or_default();
        let mut actions = Vec::new();
        collect(dir, &at, &mut actions)?;
        let mut group = vec![("id".to_string(), Node::Int(id))];
        if let Some(t) = text_node(title) {
            group.push(("title".into(), t));
        }
        group.push(("actions".into(), Node::Seq(actions)));
        groups.push(Node::Map(group));
    }
    Ok(Some(Node::Seq(groups)))
}

#[cfg(test)]
mod tests {
    use super::has_root_element;

    #[test]
    fn xml_demos_without_a_root_element_are_found() {
        assert!(has_root_element(
            "<?xml version=\"1.0\"?><R><A>1</A><B/></R>"
        ));
        assert!(has_root_element("<!-- x --><R>\n  <A>1</A>\n</R>"));
        assert!(!has_root_element("<A>1</A>\n<B><C>2</C></B>\n<D/>"));
        assert!(!has_root_element("<RequestId>86d5</RequestId>"));
    }
}
