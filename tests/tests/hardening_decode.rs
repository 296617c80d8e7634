//! Hardening of the response decoders against bad input: the generated `from_json` /
//! `from_xml` of the models, the runtime's `decode_body` (what the client calls), its
//! error-body parser `parse_error_body`, `detect_format` and `excerpt`.
//!
//! Inputs: the documented `GetDeployment` samples and the real error bodies (the copy in
//! `crates/acs-runtime/tests/data/error_samples`, identical to the oracle's), truncated at
//! every byte offset, mutated byte by byte and by proptest, with wrong types, huge numbers,
//! invalid UTF-8, byte-order marks, XML entities and DOCTYPEs, and deep nesting.
//!
//! The rule everywhere: never a panic, always a typed error or a value; the generated
//! decoder and the runtime's agree; an error names the field it is about. Every test prints
//! how many cases it ran (`eprintln`, shown with `--nocapture`). `HARDENING_SCALE=<n>`
//! multiplies the proptest case counts for longer runs (see the README).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use acs_runtime::decode::{
    decode_body, detect_format, excerpt, parse_error_body, BodyFormat, ErrorFields,
};
use dataworks_public_models::{from_json, from_xml, Format, GetDeploymentResponse};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::Value;
use widgets_fixture_models::list_widgets::ListWidgetsResponse;
use workspace_tests::{hardening_scale, read_workspace_file, workspace_root};

const JSON_SAMPLE: &str = "spec/dataworks-public/samples/GetDeployment.json";
const XML_SAMPLE: &str = "spec/dataworks-public/samples/GetDeployment.xml";
const ERROR_SAMPLES: &str = "crates/acs-runtime/tests/data/error_samples";

// ---------------------------------------------------------------------------------------
// helpers

/// Counts the cases of one test and prints the count and the time at the end.
struct Tally {
    name: &'static str,
    cases: usize,
    ok: usize,
    err: usize,
    started: Instant,
}

impl Tally {
    fn new(name: &'static str) -> Tally {
        Tally {
            name,
            cases: 0,
            ok: 0,
            err: 0,
            started: Instant::now(),
        }
    }

    fn record<T, E>(&mut self, outcome: &Result<T, E>) {
        self.cases += 1;
        match outcome {
            Ok(_) => self.ok += 1,
            Err(_) => self.err += 1,
        }
    }

    fn finish(self) -> usize {
        let skipped = KNOWN_BUG_SKIPS.with(|n| n.replace(0));
        eprintln!(
            "[hardening] {}: {} cases ({} decoded, {} typed errors) in {} ms{}",
            self.name,
            self.cases,
            self.ok,
            self.err,
            self.started.elapsed().as_millis(),
            if skipped > 0 {
                format!("; {skipped} inputs kept from parse_error_body (known quick-xml panic)")
            } else {
                String::new()
            }
        );
        assert!(self.cases > 0, "{} ran no case", self.name);
        self.cases
    }
}

/// A printable, bounded rendering of an input, for failure messages.
fn show(body: &[u8]) -> String {
    let head = &body[..body.len().min(600)];
    let mut text = head.escape_ascii().to_string();
    if head.len() < body.len() {
        text.push_str(&format!("... ({} bytes in all)", body.len()));
    }
    text
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string())
}

fn model_format(format: BodyFormat) -> Format {
    match format {
        BodyFormat::Json => Format::Json,
        BodyFormat::Xml => Format::Xml,
    }
}

/// Decodes `body` with every decoder of `format` that sees response bodies and checks they
/// behave: no panic, the generated decoder and the runtime's agree, errors are typed and
/// say what they are about. Returns the generated decoder's result (errors as text).
fn decode_all(body: &[u8], format: BodyFormat) -> Result<GetDeploymentResponse, String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let model = match format {
            BodyFormat::Json => from_json::<GetDeploymentResponse>(body),
            BodyFormat::Xml => from_xml::<GetDeploymentResponse>(body),
        };
        let runtime = decode_body::<GetDeploymentResponse>(body, format);
        for content_type in [
            None,
            Some("application/json;charset=utf-8"),
            Some("text/xml;charset=utf-8"),
        ] {
            let _ = detect_format(content_type, body);
        }
        let ex = excerpt(body);
        (model, runtime, ex)
    }));
    let (model, runtime, ex) = match outcome {
        Ok(v) => v,
        Err(p) => panic!(
            "a decoder panicked ({}) on the {format:?} body {}",
            panic_text(&*p),
            show(body)
        ),
    };
    assert!(ex.chars().count() <= 203, "excerpt too long: {ex:?}");
    match (&model, &runtime) {
        (Ok(a), Ok(b)) => assert_eq!(
            a,
            b,
            "generated and runtime decoders differ on {}",
            show(body)
        ),
        (Err(e), Err(r)) => {
            assert_eq!(e.format(), model_format(format));
            let text = e.to_string();
            let prefix = format!("invalid {} response body: ", e.format());
            assert!(
                text.starts_with(&prefix) && text.len() > prefix.len(),
                "untyped or empty message {text:?}"
            );
            assert!(!r.to_string().is_empty());
        }
        _ => panic!(
            "the generated decoder and the runtime's disagree on {}: {:?} vs {:?}",
            show(body),
            model.as_ref().map(|_| "Ok").map_err(|e| e.to_string()),
            runtime.as_ref().map(|_| "Ok").map_err(|e| e.to_string()),
        ),
    }
    parse_error_checked(body, format);
    model.map_err(|e| e.to_string())
}

/// The runtime's error-body parser, checked: no panic, and a result always carries a code or
/// a message, every text trimmed and non-empty.
fn parse_error_checked(body: &[u8], format: BodyFormat) -> Option<ErrorFields> {
    if format == BodyFormat::Xml && doctype_inside_an_element(body) {
        // Known bug (see `xml_error_body_with_a_doctype_inside_text_is_not_a_panic`):
        // quick-xml 0.37 panics on such bodies in `parse_error_body`. Counted, not run, so
        // that the random tests keep exercising everything else.
        KNOWN_BUG_SKIPS.with(|n| n.set(n.get() + 1));
        return None;
    }
    let fields =
        catch_unwind(AssertUnwindSafe(|| parse_error_body(body, format))).unwrap_or_else(|p| {
            panic!(
                "parse_error_body panicked ({}) on the {format:?} body {}",
                panic_text(&*p),
                show(body)
            )
        });
    if let Some(f) = &fields {
        assert!(
            f.code.is_some() || f.message.is_some(),
            "{f:?} from {}",
            show(body)
        );
        for text in [&f.code, &f.message, &f.request_id, &f.host_id, &f.recommend]
            .into_iter()
            .flatten()
        {
            assert!(
                !text.is_empty() && text.trim() == text,
                "untrimmed {text:?} in {f:?}"
            );
        }
    }
    fields
}

thread_local! {
    /// Inputs of this test thread not given to `parse_error_body` because of the known
    /// quick-xml panic.
    static KNOWN_BUG_SKIPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether a `<!DOCTYPE` (any case) comes after the start of an element: the input that
/// makes quick-xml 0.37 panic when it deserializes a `String` (upstream
/// tafia/quick-xml#964, fixed after 0.37).
fn doctype_inside_an_element(body: &[u8]) -> bool {
    let lower = body.to_ascii_lowercase();
    let element_start =
        |w: &[u8]| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'_' || w[1] >= 0x80);
    let Some(first_element) = lower.windows(2).position(element_start) else {
        return false;
    };
    // Any `<!DOCTYPE` after the first element start.
    lower[first_element..].windows(9).any(|w| w == b"<!doctype")
}

fn json_sample() -> Vec<u8> {
    static SAMPLE: OnceLock<Vec<u8>> = OnceLock::new();
    SAMPLE
        .get_or_init(|| read_workspace_file(JSON_SAMPLE))
        .clone()
}

fn xml_sample() -> Vec<u8> {
    static SAMPLE: OnceLock<Vec<u8>> = OnceLock::new();
    SAMPLE
        .get_or_init(|| read_workspace_file(XML_SAMPLE))
        .clone()
}

fn expected() -> &'static GetDeploymentResponse {
    static EXPECTED: OnceLock<GetDeploymentResponse> = OnceLock::new();
    EXPECTED.get_or_init(|| from_json(&json_sample()).expect("the documented JSON sample decodes"))
}

/// Every error sample (`*.json`, `*.xml`, not the index) with its format, sorted by name.
fn error_samples() -> Vec<(String, BodyFormat, Vec<u8>)> {
    let dir = workspace_root().join(ERROR_SAMPLES);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the error samples folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") if name != "index.json" => BodyFormat::Json,
            Some("xml") => BodyFormat::Xml,
            _ => continue,
        };
        out.push((name, format, std::fs::read(&path).expect("sample")));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        out.len() >= 20,
        "expected the 22 error samples, found {}",
        out.len()
    );
    out
}

/// The wire form of a decoded response, for comparisons that ignore one field.
fn wire(out: &GetDeploymentResponse) -> Value {
    serde_json::to_value(out).expect("responses serialize")
}

/// Removes `path` from `value`; arrays on the way apply it to every item.
fn remove_path(value: &mut Value, path: &[String]) {
    match value {
        Value::Object(map) => match path {
            [] => {}
            [last] => {
                map.remove(last);
            }
            [first, rest @ ..] => {
                if let Some(inner) = map.get_mut(first) {
                    remove_path(inner, rest);
                }
            }
        },
        Value::Array(items) => items.iter_mut().for_each(|i| remove_path(i, path)),
        _ => {}
    }
}

fn set_path(value: &mut Value, path: &[String], new: Value) {
    let mut cur = value;
    for (i, key) in path.iter().enumerate() {
        let obj = cur.as_object_mut().expect("the path goes through objects");
        if i + 1 == path.len() {
            obj.insert(key.clone(), new);
            return;
        }
        cur = obj.get_mut(key).expect("the path exists");
    }
}

/// Every key path of a JSON document (interior and leaf), in document order.
fn paths(value: &Value) -> Vec<Vec<String>> {
    fn walk(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if let Value::Object(map) = value {
            for (k, v) in map {
                prefix.push(k.clone());
                out.push(prefix.clone());
                walk(v, prefix, out);
                prefix.pop();
            }
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn sample_value() -> Value {
    static VALUE: OnceLock<Value> = OnceLock::new();
    VALUE
        .get_or_init(|| serde_json::from_slice(&json_sample()).expect("the sample is JSON"))
        .clone()
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An XML document with the same content as a JSON value (the way the service renders
/// one: objects as elements, arrays as repeated elements, scalars as text).
fn to_xml(root: &str, value: &Value) -> String {
    fn element(name: &str, value: &Value, out: &mut String) {
        match value {
            Value::Array(items) => items.iter().for_each(|i| element(name, i, out)),
            Value::Object(map) => {
                out.push_str(&format!("<{name}>"));
                for (k, v) in map {
                    element(k, v, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            Value::Null => out.push_str(&format!("<{name}></{name}>")),
            Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape_xml(s))),
            other => out.push_str(&format!("<{name}>{other}</{name}>")),
        }
    }
    let mut out = String::new();
    element(root, value, &mut out);
    out
}

const RAW: &str = "@@RAW-VALUE@@";

/// The sample as JSON text with the value at `path` replaced by raw JSON text.
fn json_with_raw(path: &[String], raw: &str) -> Vec<u8> {
    let mut doc = sample_value();
    set_path(&mut doc, path, Value::String(RAW.into()));
    doc.to_string()
        .replace(&format!("\"{RAW}\""), raw)
        .into_bytes()
}

/// The sample as XML with the content of the element at `path` replaced by raw XML text.
fn xml_with_raw(path: &[String], raw: &str) -> Vec<u8> {
    let mut doc = sample_value();
    set_path(&mut doc, path, Value::String(RAW.into()));
    to_xml("GetDeploymentResponse", &doc)
        .replace(RAW, raw)
        .into_bytes()
}

/// The sample's wire form without `path`.
fn expected_without(path: &[String]) -> Value {
    let mut v = wire(expected());
    remove_path(&mut v, path);
    v
}

/// The oracle for a document whose field at `path` was replaced: either an error that names
/// the field (`at Data.Deployment.Status: ...`), or a value whose other fields are intact.
fn check_replaced(path: &[String], result: &Result<GetDeploymentResponse, String>, input: &[u8]) {
    let dotted = path.join(".");
    match result {
        Err(message) => assert!(
            message.contains(&format!("at {dotted}")),
            "the error does not name the field {dotted}: {message}\ninput: {}",
            show(input)
        ),
        Ok(out) => {
            let mut got = wire(out);
            remove_path(&mut got, path);
            assert_eq!(
                got,
                expected_without(path),
                "replacing {dotted} changed other fields; input: {}",
                show(input)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// the documented samples, and the XML rendering used by the structured tests

#[test]
fn samples_and_their_xml_rendering_decode_to_the_same_value() {
    let mut tally = Tally::new("samples_and_their_xml_rendering_decode_to_the_same_value");
    let want = expected();
    for (body, format) in [
        (json_sample(), BodyFormat::Json),
        (xml_sample(), BodyFormat::Xml),
        (
            to_xml("GetDeploymentResponse", &sample_value()).into_bytes(),
            BodyFormat::Xml,
        ),
    ] {
        let got = decode_all(&body, format);
        tally.record(&got);
        assert_eq!(got.as_ref(), Ok(want));
    }
    for (name, format, body) in error_samples() {
        let fields = parse_error_checked(&body, format);
        tally.record(&fields.as_ref().ok_or(()));
        if name.starts_with("success") {
            continue;
        }
        let fields = fields.unwrap_or_else(|| panic!("{name} parses"));
        assert!(fields.code.is_some(), "{name}");
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// truncation

#[test]
fn truncated_bodies_at_every_byte_offset_are_typed_errors() {
    let mut tally = Tally::new("truncated_bodies_at_every_byte_offset_are_typed_errors");
    for (body, format) in [
        (json_sample(), BodyFormat::Json),
        (xml_sample(), BodyFormat::Xml),
    ] {
        let end = body.trim_ascii_end().len();
        for cut in 0..end {
            let got = decode_all(&body[..cut], format);
            tally.record(&got);
            assert!(
                got.is_err(),
                "a {format:?} body cut at byte {cut} of {} decoded: {}",
                body.len(),
                show(&body[..cut])
            );
        }
    }
    // Error bodies: a cut one is never taken for the whole (it parses to nothing, or to a
    // subset of the fields when the cut happens to leave a well-formed document).
    for (name, format, body) in error_samples() {
        let full = parse_error_checked(&body, format);
        let end = body.trim_ascii_end().len();
        for cut in 0..end {
            let got = parse_error_checked(&body[..cut], format);
            tally.record(&got.as_ref().ok_or(()));
            if let (Some(got), BodyFormat::Json) = (&got, format) {
                panic!("{name} cut at {cut} parsed as JSON: {got:?} (full: {full:?})");
            }
        }
        // And through the response decoder (a 2xx whose body was cut).
        for cut in (0..end).step_by(7) {
            let got = decode_all(&body[..cut], format);
            tally.record(&got);
            assert!(got.is_err(), "{name} cut at {cut} decoded as a response");
        }
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// deterministic byte mutations

const REPLACEMENTS: &[u8] = &[
    0x00, b' ', b'"', b'\'', b'{', b'}', b'[', b']', b'<', b'>', b'/', b'&', b'\\', b':', b',',
    b'0', b'9', b'-', b'e', b'.', b'!', b'?', 0x7f, 0x80, 0xC3, 0xFF,
];

/// Each byte deleted, doubled, and replaced by `per_byte` of `replacements` (taken in turn,
/// so that every replacement lands on every kind of byte across the body).
fn byte_mutations<'a>(
    body: &'a [u8],
    replacements: &[u8],
    per_byte: usize,
) -> impl Iterator<Item = Vec<u8>> + 'a {
    let replacements = replacements.to_vec();
    let per_byte = per_byte.clamp(1, replacements.len());
    (0..body.len()).flat_map(move |i| {
        let mut out = Vec::new();
        for k in 0..per_byte {
            let r = replacements[(i * per_byte + k) % replacements.len()];
            if body[i] != r {
                let mut m = body.to_vec();
                m[i] = r;
                out.push(m);
            }
        }
        let mut deleted = body.to_vec();
        deleted.remove(i);
        out.push(deleted);
        let mut doubled = body.to_vec();
        doubled.insert(i, body[i]);
        out.push(doubled);
        out
    })
}

#[test]
fn every_byte_of_the_success_samples_mutated() {
    let mut tally = Tally::new("every_byte_of_the_success_samples_mutated");
    for (body, format) in [
        (json_sample(), BodyFormat::Json),
        (xml_sample(), BodyFormat::Xml),
    ] {
        for mutated in byte_mutations(&body, REPLACEMENTS, 3 * hardening_scale() as usize) {
            tally.record(&decode_all(&mutated, format));
        }
    }
    tally.finish();
}

#[test]
fn every_byte_of_the_error_samples_mutated() {
    let mut tally = Tally::new("every_byte_of_the_error_samples_mutated");
    let some = &[0x00, b'"', b'{', b'}', b'<', b'>', b'/', b'&', b':', 0xFF];
    for (_, format, body) in error_samples() {
        for mutated in byte_mutations(&body, some, 3 * hardening_scale() as usize) {
            tally.record(&parse_error_checked(&mutated, format).ok_or(()));
        }
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// proptest: random edits of every sample

/// Fragments that tend to break JSON and XML parsers in interesting ways.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"null",
    b"true",
    b"-0",
    b"1e400",
    b"-1e400",
    b"99999999999999999999999",
    b"\\u0000",
    b"\\ud800",
    b"\\",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xEF\xBB\xBF",
    b"<",
    b"</",
    b">",
    b"/>",
    b"<a>",
    b"</a>",
    b"&",
    b"&lt;",
    b"&x;",
    b"&#0;",
    b"&#xD800;",
    b"&#99999999999;",
    b"<!DOCTYPE a [<!ENTITY x \"yyyy\">]>",
    b"<!DOCTYPE a SYSTEM \"file:///etc/passwd\">",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version=\"1.0\"?>",
    b"<!--",
    b"-->",
    b"=",
    b"'",
    b" a=\"1\"",
    b"$text",
    b"\"Data\":",
    b"<Data>",
    b"<DeployedItems>",
    b"\"DeployedItems\":[",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Overwrite(Index, u8),
    Duplicate(Index, usize),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let token = prop_oneof![
        3 => prop::sample::select(TOKENS).prop_map(|t| t.to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..6),
    ];
    prop_oneof![
        4 => (any::<Index>(), token).prop_map(|(i, t)| Edit::Insert(i, t)),
        2 => (any::<Index>(), 1usize..48).prop_map(|(i, n)| Edit::Delete(i, n)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Overwrite(i, b)),
        1 => (any::<Index>(), 1usize..48).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(body: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = body.to_vec();
    for e in edits {
        let len = out.len();
        match e {
            Edit::Insert(at, bytes) => {
                let at = at.index(len + 1);
                out.splice(at..at, bytes.iter().copied());
            }
            _ if len == 0 => {}
            Edit::Delete(at, n) => {
                let at = at.index(len);
                out.drain(at..(at + n).min(len));
            }
            Edit::Overwrite(at, b) => {
                let at = at.index(len);
                out[at] = *b;
            }
            Edit::Duplicate(at, n) => {
                let at = at.index(len);
                let piece: Vec<u8> = out[at..(at + n).min(len)].to_vec();
                out.splice(at..at, piece);
            }
            Edit::Truncate(at) => out.truncate(at.index(len)),
        }
    }
    out
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases: cases * hardening_scale(),
        // Nothing is written into the repository; a failure prints the minimal input.
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    })
}

#[test]
fn proptest_random_edits_of_every_sample() {
    let mut tally = Tally::new("proptest_random_edits_of_every_sample");
    let mut docs: Vec<(BodyFormat, Vec<u8>)> = vec![
        (BodyFormat::Json, json_sample()),
        (BodyFormat::Xml, xml_sample()),
    ];
    docs.extend(error_samples().into_iter().map(|(_, f, b)| (f, b)));
    let counter = std::cell::Cell::new((0usize, 0usize));
    let strategy = (0..docs.len(), prop::collection::vec(edit(), 1..8));
    runner(3000)
        .run(&strategy, |(doc, edits)| {
            let (format, body) = &docs[doc];
            let mutated = apply(body, &edits);
            let decoded = decode_all(&mutated, *format);
            let (ok, err) = counter.get();
            counter.set(if decoded.is_ok() {
                (ok + 1, err)
            } else {
                (ok, err + 1)
            });
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (ok, err) = counter.get();
    tally.cases = ok + err;
    tally.ok = ok;
    tally.err = err;
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// proptest: any JSON value, or any XML content, in place of any field

const FIELD_NAMES: &[&str] = &[
    "RequestId",
    "Success",
    "HttpStatusCode",
    "Data",
    "Deployment",
    "DeployedItems",
    "Status",
    "FileId",
    "CreateTime",
    "Name",
    "$text",
    "$value",
    "@attr",
    "",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(&["", " ", "1", "-1", "true", "0x1F", "1e3", "NaN"][..])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(FIELD_NAMES).prop_map(str::to_string),
                        "[A-Za-z]{1,8}"
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Well-formed XML content for an element (text is escaped, names are valid).
fn any_xml_content() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        "\\PC{0,12}".prop_map(|s| escape_xml(&s)),
        prop::sample::select(
            &[
                "",
                " ",
                "1",
                " 7 ",
                "-1",
                "1.5",
                "true",
                "TRUE",
                "1e400",
                "NaN",
                "inf",
                "99999999999999999999",
                "&amp;",
                "&#x31;",
                "<![CDATA[7]]>",
                "<!-- c -->7",
                "<?pi x?>",
                "成功",
            ][..]
        )
        .prop_map(str::to_string),
    ];
    let names = prop_oneof![
        prop::sample::select(&FIELD_NAMES[..10]).prop_map(str::to_string),
        "[A-Za-z][A-Za-z0-9]{0,6}",
    ];
    text.prop_recursive(4, 24, 4, move |inner| {
        prop::collection::vec((names.clone(), inner, any::<bool>()), 0..4).prop_map(|children| {
            children
                .into_iter()
                .map(|(name, content, attr)| {
                    let attr = if attr { " a=\"1\"" } else { "" };
                    format!("<{name}{attr}>{content}</{name}>")
                })
                .collect::<String>()
        })
    })
}

#[test]
fn proptest_any_value_in_place_of_any_field() {
    let mut tally = Tally::new("proptest_any_value_in_place_of_any_field");
    let all_paths = paths(&sample_value());
    let counter = std::cell::Cell::new((0usize, 0usize));
    let bump = |ok: bool| {
        let (o, e) = counter.get();
        counter.set(if ok { (o + 1, e) } else { (o, e + 1) });
    };
    runner(800)
        .run(&(0..all_paths.len(), any_json()), |(p, value)| {
            let path = &all_paths[p];
            let mut doc = sample_value();
            set_path(&mut doc, path, value);
            let body = doc.to_string().into_bytes();
            let got = decode_all(&body, BodyFormat::Json);
            check_replaced(path, &got, &body);
            bump(got.is_ok());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    runner(800)
        .run(&(0..all_paths.len(), any_xml_content()), |(p, content)| {
            let path = &all_paths[p];
            let body = xml_with_raw(path, &content);
            let got = decode_all(&body, BodyFormat::Xml);
            check_replaced(path, &got, &body);
            bump(got.is_ok());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (ok, err) = counter.get();
    (tally.cases, tally.ok, tally.err) = (ok + err, ok, err);
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// wrong types for every field

/// JSON text of values of every type, several of them wrong for any given field.
const WRONG_JSON: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1.5",
    "-0",
    "1E2",
    "\"\"",
    "\" \"",
    "\"x\"",
    "\"1\"",
    "\" 1 \"",
    "\"true\"",
    "\"1.5\"",
    "[]",
    "[1]",
    "[[]]",
    "[{}]",
    "[null]",
    "{}",
    "{\"a\":1}",
    "{\"$text\":\"1\"}",
    "{\"$value\":[1]}",
    "\"成功\"",
    "\"\\u0000\"",
];

/// XML content of every kind, several of them wrong for any given element.
const WRONG_XML: &[&str] = &[
    "",
    " ",
    "x",
    "1",
    " 1 ",
    "-1",
    "1.5",
    "true",
    "TRUE",
    "yes",
    "0x10",
    "+1",
    "<a>1</a>",
    "<a/>",
    "x<a>1</a>y",
    "<![CDATA[1]]>",
    "<![CDATA[<a>]]>",
    "<!-- c -->1",
    "&amp;",
    "&#x31;",
    "<Status>1</Status>",
    "<FileId>1</FileId><FileId>2</FileId>",
    "<Deployment><Status>x</Status></Deployment>",
    "<?pi x?>1",
    "成功",
];

#[test]
fn wrong_types_for_every_field_name_the_field_or_leave_the_rest_intact() {
    let mut tally = Tally::new("wrong_types_for_every_field");
    let all_paths = paths(&sample_value());
    assert!(all_paths.len() >= 18, "{all_paths:?}");
    for path in &all_paths {
        for raw in WRONG_JSON {
            let body = json_with_raw(path, raw);
            let got = decode_all(&body, BodyFormat::Json);
            check_replaced(path, &got, &body);
            tally.record(&got);
        }
        for raw in WRONG_XML {
            let body = xml_with_raw(path, raw);
            let got = decode_all(&body, BodyFormat::Xml);
            check_replaced(path, &got, &body);
            tally.record(&got);
        }
        // The element repeated, once empty and once with text; with attributes.
        let last = path.last().expect("non-empty path");
        for raw in [
            format!("1</{last}><{last}>"),
            format!("</{last}><{last} a=\"1\">x"),
        ] {
            let body = xml_with_raw(path, &raw);
            let got = decode_all(&body, BodyFormat::Xml);
            check_replaced(path, &got, &body);
            tally.record(&got);
        }
    }
    // Wrong types for the whole document.
    for raw in WRONG_JSON {
        let got = decode_all(raw.as_bytes(), BodyFormat::Json);
        tally.record(&got);
    }
    tally.finish();
}

#[test]
fn error_bodies_with_wrong_types_never_panic() {
    let mut tally = Tally::new("error_bodies_with_wrong_types_never_panic");
    for (name, format, body) in error_samples() {
        if format == BodyFormat::Json {
            let doc: Value = serde_json::from_slice(&body).expect("sample is JSON");
            for path in paths(&doc) {
                for raw in WRONG_JSON {
                    let mut d = doc.clone();
                    set_path(&mut d, &path, Value::String(RAW.into()));
                    let text = d.to_string().replace(&format!("\"{RAW}\""), raw);
                    let got = parse_error_checked(text.as_bytes(), format);
                    tally.record(&got.as_ref().ok_or(()));
                    if path == ["Code"] {
                        // A code given as a number or a boolean is kept as its text; as a
                        // string, trimmed; as anything else, dropped.
                        let code = got.and_then(|f| f.code);
                        let want = match serde_json::from_str::<Value>(raw).expect("valid JSON") {
                            v @ (Value::Number(_) | Value::Bool(_)) => Some(v.to_string()),
                            Value::String(s) => {
                                Some(s.trim().to_string()).filter(|s| !s.is_empty())
                            }
                            _ => None,
                        };
                        assert_eq!(code, want, "{name}: Code {raw}");
                    }
                }
            }
        } else {
            let text = String::from_utf8(body.clone()).expect("sample is UTF-8");
            for element in [
                "Code",
                "Message",
                "RequestId",
                "HostId",
                "Recommend",
                "ErrorCode",
                "HttpStatusCode",
            ] {
                let open = format!("<{element}>");
                let close = format!("</{element}>");
                let (Some(start), Some(end)) = (text.find(&open), text.find(&close)) else {
                    continue;
                };
                for raw in WRONG_XML {
                    let mutated = format!("{}{raw}{}", &text[..start + open.len()], &text[end..]);
                    let got = parse_error_checked(mutated.as_bytes(), format);
                    tally.record(&got.as_ref().ok_or(()));
                }
            }
        }
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// huge numbers

#[test]
fn huge_numbers_are_typed_errors_or_exact_values() {
    let mut tally = Tally::new("huge_numbers_are_typed_errors_or_exact_values");
    let ten_thousand_digits = "9".repeat(10_000);
    let huge: Vec<&str> = vec![
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "2147483647",
        "2147483648",
        "-2147483649",
        "99999999999999999999999999999999999999",
        "1e400",
        "-1e400",
        "1e-400",
        "1.7976931348623157e308",
        "4.9e-324",
        "123456789012345678901234567890e-10",
        "0.000000000000000000000000000001",
        &ten_thousand_digits,
    ];
    let all_paths = paths(&sample_value());
    let numeric: Vec<&Vec<String>> = all_paths
        .iter()
        .filter(|p| {
            let mut v = sample_value();
            for k in p.iter() {
                v = v[k].clone();
            }
            v.is_number() || v.is_string() || v.is_boolean()
        })
        .collect();
    for path in numeric {
        for raw in &huge {
            for (body, format) in [
                (json_with_raw(path, raw), BodyFormat::Json),
                (xml_with_raw(path, raw), BodyFormat::Xml),
            ] {
                let started = Instant::now();
                let got = decode_all(&body, format);
                assert!(started.elapsed() < Duration::from_secs(2));
                check_replaced(path, &got, &body);
                tally.record(&got);
            }
        }
    }
    // Exact values at the edges of the types.
    let create_time = |v: &Result<GetDeploymentResponse, String>| {
        v.as_ref()
            .ok()
            .and_then(|o| o.data.as_ref()?.deployment.as_ref()?.create_time)
    };
    let path: Vec<String> = ["Data", "Deployment", "CreateTime"]
        .map(String::from)
        .to_vec();
    for (raw, want) in [
        ("9223372036854775807", Some(i64::MAX)),
        ("-9223372036854775808", Some(i64::MIN)),
        ("9223372036854775808", None),
        ("1e400", None),
    ] {
        for format in [BodyFormat::Json, BodyFormat::Xml] {
            let body = match format {
                BodyFormat::Json => json_with_raw(&path, raw),
                BodyFormat::Xml => xml_with_raw(&path, raw),
            };
            let got = decode_all(&body, format);
            tally.record(&got);
            assert_eq!(create_time(&got), want, "{raw} as {format:?}: {got:?}");
            if want.is_none() {
                assert!(got.is_err(), "{raw} as {format:?} must be an error");
            }
        }
    }
    let path = vec!["HttpStatusCode".to_string()];
    for (raw, ok) in [
        ("2147483647", true),
        ("2147483648", false),
        ("-2147483649", false),
    ] {
        let got = decode_all(&json_with_raw(&path, raw), BodyFormat::Json);
        tally.record(&got);
        assert_eq!(got.is_ok(), ok, "{raw}: {got:?}");
        let got = decode_all(&xml_with_raw(&path, raw), BodyFormat::Xml);
        tally.record(&got);
        assert_eq!(got.is_ok(), ok, "{raw}: {got:?}");
    }
    // Error bodies: a huge HttpStatusCode is no status, and never a panic.
    for raw in &huge {
        for (body, format) in [
            (
                format!(r#"{{"Code":"X","Message":"m","HttpStatusCode":{raw}}}"#),
                BodyFormat::Json,
            ),
            (
                format!("<Error><Code>X</Code><HttpStatusCode>{raw}</HttpStatusCode></Error>"),
                BodyFormat::Xml,
            ),
        ] {
            let got = parse_error_checked(body.as_bytes(), format);
            tally.record(&got.as_ref().ok_or(()));
            if let Some(f) = got {
                assert!(
                    f.http_status_code.is_none()
                        || f.http_status_code.map(|s| s.to_string()).as_deref() == Some(*raw),
                    "{raw}: {f:?}"
                );
            }
        }
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// invalid UTF-8 and byte-order marks

const BAD_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe6\x88",
    b"\x80",
    b"a\xc3",
];

#[test]
fn invalid_utf8_is_a_typed_error_in_xml_and_in_json_values_that_are_read() {
    let mut tally = Tally::new("invalid_utf8");
    let all_paths = paths(&sample_value());
    for path in &all_paths {
        for bad in BAD_UTF8 {
            // Inside a JSON string value: read fields reject it; the document is otherwise fine.
            let mut doc = sample_value();
            set_path(&mut doc, path, Value::String(RAW.into()));
            let text = doc.to_string();
            let mut body = Vec::new();
            let (head, tail) = text.split_at(text.find(RAW).expect("marker"));
            body.extend_from_slice(head.as_bytes());
            body.extend_from_slice(bad);
            body.extend_from_slice(&tail.as_bytes()[RAW.len()..]);
            let got = decode_all(&body, BodyFormat::Json);
            check_replaced(path, &got, &body);
            tally.record(&got);

            // Anywhere in an XML body: the whole body is rejected, and says so.
            let xml = xml_with_raw(path, RAW);
            let at = xml.windows(RAW.len()).position(|w| w == RAW.as_bytes());
            let at = at.expect("marker");
            let mut body = xml[..at].to_vec();
            body.extend_from_slice(bad);
            body.extend_from_slice(&xml[at + RAW.len()..]);
            let got = decode_all(&body, BodyFormat::Xml);
            tally.record(&got);
            let message = got.expect_err("invalid UTF-8 in XML");
            assert!(message.contains("UTF-8"), "{message}");
        }
    }
    // In a key, in an unknown field, in a tag name, in a comment.
    for bad in BAD_UTF8 {
        let mut cases: Vec<(Vec<u8>, BodyFormat)> = Vec::new();
        for template in [
            &b"{\"Request@Id\":\"r\"}"[..],
            b"{\"Unknown\":\"@\",\"RequestId\":\"r\"}",
            b"{\"RequestId\":\"r\"}@",
            b"@{\"RequestId\":\"r\"}",
        ] {
            cases.push((splice_at(template, bad), BodyFormat::Json));
        }
        for template in [
            &b"<R><Request@Id>r</Request@Id></R>"[..],
            b"<R><!-- @ --><RequestId>r</RequestId></R>",
            b"<R a=\"@\"><RequestId>r</RequestId></R>",
            b"<R><RequestId><![CDATA[@]]></RequestId></R>",
        ] {
            cases.push((splice_at(template, bad), BodyFormat::Xml));
        }
        for (body, format) in cases {
            let got = decode_all(&body, format);
            tally.record(&got);
            if format == BodyFormat::Xml {
                assert!(got.is_err(), "{}", show(&body));
            }
            let fields = parse_error_checked(&body, format);
            tally.record(&fields.as_ref().ok_or(()));
        }
    }
    // Error bodies with invalid UTF-8 in the code: no panic, and no garbage code.
    for (_, format, body) in error_samples() {
        let text = String::from_utf8(body).expect("samples are UTF-8");
        for bad in BAD_UTF8 {
            let mutated = match format {
                BodyFormat::Json => text.replacen("\"Code\":\"", "\"Code\":\"@", 1),
                BodyFormat::Xml => text.replacen("<Code>", "<Code>@", 1),
            };
            let body = splice_at(mutated.as_bytes(), bad);
            let got = parse_error_checked(&body, format);
            tally.record(&got.as_ref().ok_or(()));
            if let Some(code) = got.and_then(|f| f.code) {
                assert!(!code.contains('\u{fffd}'), "{code:?}");
            }
        }
    }
    tally.finish();
}

/// `template` with its first `@` replaced by `bytes`.
fn splice_at(template: &[u8], bytes: &[u8]) -> Vec<u8> {
    match template.iter().position(|&b| b == b'@') {
        Some(i) => {
            let mut out = template[..i].to_vec();
            out.extend_from_slice(bytes);
            out.extend_from_slice(&template[i + 1..]);
            out
        }
        None => template.to_vec(),
    }
}

#[test]
fn byte_order_marks() {
    let mut tally = Tally::new("byte_order_marks");
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let want = expected();
    let mut docs: Vec<(Vec<u8>, BodyFormat)> = vec![
        (json_sample(), BodyFormat::Json),
        (xml_sample(), BodyFormat::Xml),
    ];
    let errors: Vec<(Vec<u8>, BodyFormat)> = error_samples()
        .into_iter()
        .map(|(_, f, b)| (b, f))
        .collect();
    docs.extend(errors.iter().cloned());
    for (body, format) in &docs {
        let plain = decode_all(body, *format);
        let plain_fields = parse_error_checked(body, *format);
        // One BOM, optionally followed by whitespace: the same result as without.
        for prefix in [BOM.to_vec(), [BOM, b" \r\n\t"].concat()] {
            let with = [prefix.as_slice(), body].concat();
            let got = decode_all(&with, *format);
            tally.record(&got);
            assert_eq!(got.is_ok(), plain.is_ok());
            if let (Ok(a), Ok(b)) = (&got, &plain) {
                assert_eq!(a, b);
            }
            assert_eq!(parse_error_checked(&with, *format), plain_fields);
            assert_eq!(detect_format(None, &with), Some(*format));
        }
        // Two BOMs, a UTF-16 BOM, a BOM in the middle: typed errors (or, for the error
        // parser, nothing), never a panic.
        let middle = body.len() / 2;
        for bad in [
            [BOM, BOM, body].concat(),
            [b"\xFF\xFE".as_slice(), body].concat(),
            [b"\xFE\xFF".as_slice(), body].concat(),
            [&body[..middle], BOM, &body[middle..]].concat(),
        ] {
            let got = decode_all(&bad, *format);
            tally.record(&got);
            let _ = parse_error_checked(&bad, *format);
        }
        if *format == BodyFormat::Json {
            // (quick-xml skips a second BOM by itself, so XML with two decodes.)
            assert!(decode_all(&[BOM, BOM, body].concat(), *format).is_err());
        }
    }
    assert_eq!(
        decode_all(&[BOM, &json_sample()].concat(), BodyFormat::Json).as_ref(),
        Ok(want)
    );
    assert_eq!(
        decode_all(&[BOM, &xml_sample()].concat(), BodyFormat::Xml).as_ref(),
        Ok(want)
    );
    // A body that is UTF-16 throughout (what a misconfigured proxy might send).
    let utf16: Vec<u8> = "\u{feff}<R><RequestId>r</RequestId></R>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let got = decode_all(&utf16, BodyFormat::Xml);
    tally.record(&got);
    assert!(got.is_err());
    // Only a BOM.
    for format in [BodyFormat::Json, BodyFormat::Xml] {
        let got = decode_all(BOM, format);
        tally.record(&got);
        assert!(got.is_err());
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// XML entities and DOCTYPEs

/// Peak resident memory of this process (`VmHWM`), when the platform tells.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn billion_laughs(levels: usize, reference: &str) -> String {
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..levels {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
    }
    format!(
        "<?xml version=\"1.0\"?><!DOCTYPE R [{dtd}]><R><RequestId>{reference}</RequestId><Success>true</Success></R>"
    )
}

#[test]
fn xml_entities_and_doctypes_are_never_expanded_or_fetched() {
    let mut tally = Tally::new("xml_entities_and_doctypes");
    let tmp = workspace_tests::TempDir::new("hardening-xxe");
    let secret_file = tmp.path().join("secret.txt");
    const MARKER: &str = "XXE-MARKER-4f1d9c";
    std::fs::write(&secret_file, MARKER).expect("write the marker file");
    let file_url = format!("file://{}", secret_file.display());
    // Anything fetched over the network would connect here.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let http_url = format!("http://{}/evil", listener.local_addr().expect("addr"));

    let rss_before = peak_rss_kib();
    let cases: Vec<(String, &str)> = vec![
        (
            "<!DOCTYPE R [<!ENTITY x \"EXPANDED\">]><R><RequestId>&x;</RequestId></R>".into(),
            "internal entity",
        ),
        (
            "<!DOCTYPE R [<!ENTITY x \"EXPANDED\">]><R><Unknown>&x;</Unknown><RequestId>r</RequestId></R>".into(),
            "internal entity in an unknown field",
        ),
        (
            "<!DOCTYPE R [<!ENTITY x \"<RequestId>EXPANDED</RequestId>\">]><R>&x;</R>".into(),
            "entity holding markup",
        ),
        (
            format!("<!DOCTYPE R [<!ENTITY x SYSTEM \"{file_url}\">]><R><RequestId>&x;</RequestId></R>"),
            "external file entity",
        ),
        (
            format!("<!DOCTYPE R [<!ENTITY x SYSTEM \"{http_url}\">]><R><RequestId>&x;</RequestId></R>"),
            "external http entity",
        ),
        (
            format!("<!DOCTYPE R [<!ENTITY % p SYSTEM \"{http_url}\"> %p;]><R><RequestId>r</RequestId></R>"),
            "external parameter entity",
        ),
        (
            format!("<!DOCTYPE R SYSTEM \"{http_url}\"><R><RequestId>r</RequestId></R>"),
            "external DTD",
        ),
        (
            format!("<!DOCTYPE R PUBLIC \"-//X//Y\" \"{file_url}\"><R><RequestId>r</RequestId></R>"),
            "public DTD",
        ),
        (billion_laughs(10, "&lol9;"), "billion laughs"),
        (billion_laughs(10, "r"), "billion laughs, unused"),
        (billion_laughs(30, "&lol29;"), "billion laughs, 30 levels"),
        (
            format!(
                "<!DOCTYPE R [<!ENTITY big \"{}\">]><R><RequestId>{}</RequestId></R>",
                "A".repeat(100_000),
                "&big;".repeat(10_000)
            ),
            "quadratic blow-up",
        ),
        (
            "<!DOCTYPE R [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]><R><RequestId>&a;</RequestId></R>".into(),
            "recursive entities",
        ),
        (
            "<!DOCTYPE R [<!ENTITY x \"y\"".into(),
            "unterminated DOCTYPE",
        ),
        (
            format!("<!DOCTYPE R [{}]><R/>", "<!ENTITY x \"y\">".repeat(10_000)),
            "many entity declarations",
        ),
        (
            "<R><RequestId>&#x41;&#66;&lt;&gt;&amp;&apos;&quot;</RequestId></R>".into(),
            "predefined and character references",
        ),
        ("<R><RequestId>&#0;</RequestId></R>".into(), "NUL reference"),
        ("<R><RequestId>&#xD800;</RequestId></R>".into(), "surrogate reference"),
        ("<R><RequestId>&#x110000;</RequestId></R>".into(), "reference beyond Unicode"),
        (
            "<R><RequestId>&#99999999999999999999999;</RequestId></R>".into(),
            "huge reference",
        ),
        ("<R><RequestId>&#;&#x;&;</RequestId></R>".into(), "empty references"),
        ("<R><RequestId>&lt</RequestId></R>".into(), "unterminated reference"),
    ];
    for (body, what) in &cases {
        for format in [BodyFormat::Xml] {
            let started = Instant::now();
            let got = decode_all(body.as_bytes(), format);
            let fields = parse_error_checked(body.as_bytes(), format);
            let elapsed = started.elapsed();
            tally.record(&got);
            assert!(elapsed < Duration::from_secs(2), "{what}: took {elapsed:?}");
            let shown = format!("{got:?} {fields:?}");
            for leaked in [MARKER, "EXPANDED", "lollol", "AAAAAAAAAA"] {
                assert!(!shown.contains(leaked), "{what}: expanded: {shown}");
            }
            if let Ok(out) = &got {
                if let Some(id) = &out.request_id {
                    assert!(id.len() < 64, "{what}: {id:?}");
                }
            }
            if body.contains("&x;") || body.contains("&lol9;") || body.contains("&big;") {
                assert!(got.is_err(), "{what}: an entity reference must be rejected");
            }
        }
    }
    // The predefined entities and character references are still decoded.
    let got = decode_all(cases[15].0.as_bytes(), BodyFormat::Xml).expect("predefined");
    assert_eq!(got.request_id.as_deref(), Some("AB<>&'\""));
    // Nothing connected to the listener.
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a decoder fetched something over the network: {other:?}"),
    }
    if let (Some(before), Some(after)) = (rss_before, peak_rss_kib()) {
        eprintln!("[hardening] xml entities: peak RSS {before} KiB -> {after} KiB");
        assert!(
            after.saturating_sub(before) < 256 * 1024,
            "peak memory grew by {} KiB",
            after - before
        );
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// deep nesting: each case runs in a child process (a stack overflow aborts a process, so it
// must not take the whole test binary down), on a thread with a 2 MiB stack like tokio's
// worker threads.

const DEEP_ENV: &str = "HARDENING_DEEP_CASE";
const DEPTH: usize = 10_000;

/// `before`, `depth` times `open`, `depth` times `close`, `after`; when `open` ends with a
/// JSON key (`{"a":`), the innermost value is `1` so that the document is well-formed.
fn nest(depth: usize, open: &str, close: &str, before: &str, after: &str) -> Vec<u8> {
    let mut s =
        String::with_capacity(before.len() + after.len() + depth * (open.len() + close.len()));
    s.push_str(before);
    for _ in 0..depth {
        s.push_str(open);
    }
    if open.ends_with(':') {
        s.push('1');
    }
    for _ in 0..depth {
        s.push_str(close);
    }
    s.push_str(after);
    s.into_bytes()
}

#[derive(Clone, Copy, Debug)]
enum Target {
    /// `GetDeploymentResponse` through every decoder, and the error-body parser.
    Deployment(BodyFormat),
    /// `ListWidgetsResponse` of the fixture (lists of lists, maps, any-JSON fields).
    Widgets(BodyFormat),
}

/// The deep-nesting cases: name, target, body.
fn deep_case(name: &str) -> Option<(Target, Vec<u8>)> {
    use BodyFormat::{Json, Xml};
    let d = DEPTH;
    let case = match name {
        "json-root-arrays" => (Target::Deployment(Json), nest(d, "[", "]", "", "")),
        "json-root-objects" => (Target::Deployment(Json), nest(d, "{\"a\":", "}", "", "")),
        "json-unknown-field" => (
            Target::Deployment(Json),
            nest(d, "[", "]", "{\"RequestId\":\"r\",\"Unknown\":", "}"),
        ),
        "json-in-data" => (
            Target::Deployment(Json),
            nest(d, "{\"Data\":", "}", "{\"Data\":", "}"),
        ),
        "json-in-deployment" => (
            Target::Deployment(Json),
            nest(
                d,
                "{\"Deployment\":",
                "}",
                "{\"Data\":{\"Deployment\":",
                "}}",
            ),
        ),
        "json-in-items" => (
            Target::Deployment(Json),
            nest(d, "[", "]", "{\"Data\":{\"DeployedItems\":", "}}"),
        ),
        "json-scalar-text-objects" => (
            Target::Deployment(Json),
            nest(d, "{\"$text\":", "}", "{\"RequestId\":", "}"),
        ),
        "xml-root-unknown" => (
            Target::Deployment(Xml),
            nest(d, "<a>", "</a>", "<R>", "</R>"),
        ),
        "xml-root-unknown-50k" => (
            Target::Deployment(Xml),
            nest(50_000, "<a>", "</a>", "<R>", "</R>"),
        ),
        "xml-bare" => (Target::Deployment(Xml), nest(d, "<a>", "</a>", "", "")),
        "xml-in-request-id" => (
            Target::Deployment(Xml),
            nest(d, "<a>", "</a>", "<R><RequestId>", "</RequestId></R>"),
        ),
        "xml-data-in-data" => (
            Target::Deployment(Xml),
            nest(d, "<Data>", "</Data>", "<R>", "</R>"),
        ),
        "xml-in-deployment" => (
            Target::Deployment(Xml),
            nest(
                d,
                "<Deployment>",
                "</Deployment>",
                "<R><Data>",
                "</Data></R>",
            ),
        ),
        "xml-in-items" => (
            Target::Deployment(Xml),
            nest(
                d,
                "<DeployedItems>",
                "</DeployedItems>",
                "<R><Data>",
                "</Data></R>",
            ),
        ),
        "xml-in-item-field" => (
            Target::Deployment(Xml),
            nest(
                d,
                "<FileId>",
                "</FileId>",
                "<R><Data><DeployedItems>",
                "</DeployedItems></Data></R>",
            ),
        ),
        "xml-unclosed" => (Target::Deployment(Xml), nest(d, "<a>", "", "<R>", "")),
        "xml-in-error-code" => (
            Target::Deployment(Xml),
            nest(d, "<Code>", "</Code>", "<Error>", "</Error>"),
        ),
        "widgets-json-extra" => (
            Target::Widgets(Json),
            nest(d, "[", "]", "{\"Widgets\":[{\"Extra\":", "}]}"),
        ),
        "widgets-json-extra-objects" => (
            Target::Widgets(Json),
            nest(d, "{\"a\":", "}", "{\"Widgets\":[{\"Extra\":", "}]}"),
        ),
        "widgets-json-grid" => (
            Target::Widgets(Json),
            nest(d, "[", "]", "{\"Widgets\":[{\"Grid\":", "}]}"),
        ),
        "widgets-json-labels" => (
            Target::Widgets(Json),
            nest(d, "{\"a\":", "}", "{\"Widgets\":[{\"Labels\":", "}]}"),
        ),
        "widgets-json-widgets" => (
            Target::Widgets(Json),
            nest(d, "[", "]", "{\"Widgets\":", "}"),
        ),
        "widgets-xml-grid" => (
            Target::Widgets(Xml),
            nest(d, "<Grid>", "</Grid>", "<R><Widgets>", "</Widgets></R>"),
        ),
        "widgets-xml-labels" => (
            Target::Widgets(Xml),
            nest(
                d,
                "<a>",
                "</a>",
                "<R><Widgets><Labels>",
                "</Labels></Widgets></R>",
            ),
        ),
        "widgets-xml-widgets" => (
            Target::Widgets(Xml),
            nest(d, "<Widgets>", "</Widgets>", "<R>", "</R>"),
        ),
        // The any-JSON field of the fixture, given as XML: see the ignored test below.
        "widgets-xml-extra" => (
            Target::Widgets(Xml),
            nest(
                d,
                "<a>",
                "</a>",
                "<R><Widgets><Extra>",
                "</Extra></Widgets></R>",
            ),
        ),
        "widgets-xml-extra-1000" => (
            Target::Widgets(Xml),
            nest(
                1000,
                "<a>",
                "</a>",
                "<R><Widgets><Extra>",
                "</Extra></Widgets></R>",
            ),
        ),
        _ => return None,
    };
    Some(case)
}

const DEEP_CASES: &[&str] = &[
    "json-root-arrays",
    "json-root-objects",
    "json-unknown-field",
    "json-in-data",
    "json-in-deployment",
    "json-in-items",
    "json-scalar-text-objects",
    "xml-root-unknown",
    "xml-root-unknown-50k",
    "xml-bare",
    "xml-in-request-id",
    "xml-data-in-data",
    "xml-in-deployment",
    "xml-in-items",
    "xml-in-item-field",
    "xml-unclosed",
    "xml-in-error-code",
    "widgets-json-extra",
    "widgets-json-extra-objects",
    "widgets-json-grid",
    "widgets-json-labels",
    "widgets-json-widgets",
    "widgets-xml-grid",
    "widgets-xml-labels",
    "widgets-xml-widgets",
];

/// Runs one deep case in this process (the child side) and prints its outcome.
fn run_deep_case(name: &str) {
    let (target, body) = deep_case(name).unwrap_or_else(|| panic!("unknown deep case {name}"));
    let outcome = std::thread::Builder::new()
        .name(format!("deep-{name}"))
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let started = Instant::now();
            let text = match target {
                Target::Deployment(format) => {
                    let got = decode_all(&body, format);
                    let fields = parse_error_checked(&body, format);
                    format!("{:?} / error parser: {fields:?}", got.map(|_| "a value"))
                }
                Target::Widgets(format) => {
                    let got = match format {
                        BodyFormat::Json => {
                            widgets_fixture_models::from_json::<ListWidgetsResponse>(&body)
                                .map(drop)
                                .map_err(|e| e.to_string())
                        }
                        BodyFormat::Xml => {
                            widgets_fixture_models::from_xml::<ListWidgetsResponse>(&body)
                                .map(drop)
                                .map_err(|e| e.to_string())
                        }
                    };
                    let runtime = decode_body::<ListWidgetsResponse>(&body, format);
                    assert_eq!(got.is_ok(), runtime.is_ok(), "{got:?} vs {runtime:?}");
                    format!("{:?}", got.map(|()| "a value"))
                }
            };
            (text, started.elapsed())
        })
        .expect("spawn")
        .join();
    match outcome {
        Ok((text, elapsed)) => {
            let short: String = text.chars().take(240).collect();
            println!("DEEP-CASE-DONE {name} in {elapsed:?}: {short}");
        }
        Err(p) => panic!("deep case {name} panicked: {}", panic_text(&*p)),
    }
}

/// Runs `case` in a child copy of this test binary (test `test_name`), returning whether it
/// finished and what it printed.
fn run_deep_child(test_name: &str, case: &str, ignored: bool) -> (bool, String) {
    let exe = std::env::current_exe().expect("the test binary");
    let mut cmd = Command::new(exe);
    cmd.args([test_name, "--exact", "--nocapture", "--test-threads=1"]);
    if ignored {
        cmd.arg("--include-ignored");
    }
    let started = Instant::now();
    let out = cmd.env(DEEP_ENV, case).output().expect("run the child");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let done = out.status.success() && text.contains(&format!("DEEP-CASE-DONE {case} "));
    let line = text
        .lines()
        .find_map(|l| l.find("DEEP-CASE-DONE").map(|i| l[i..].to_string()))
        .unwrap_or_else(|| {
            format!(
                "child {:?} after {:?}: {}",
                out.status,
                started.elapsed(),
                text.lines()
                    .filter(|l| l.contains("overflow") || l.contains("panicked"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        });
    (done, line)
}

#[test]
fn deep_nesting_is_a_typed_error_or_a_value_never_a_stack_overflow() {
    if let Ok(case) = std::env::var(DEEP_ENV) {
        run_deep_case(&case);
        return;
    }
    let mut tally = Tally::new("deep_nesting");
    let mut failures = Vec::new();
    for case in DEEP_CASES {
        let (done, line) = run_deep_child(
            "deep_nesting_is_a_typed_error_or_a_value_never_a_stack_overflow",
            case,
            false,
        );
        eprintln!("[hardening] deep nesting {case}: {line}");
        tally.record(&if done { Ok(()) } else { Err(()) });
        if !done {
            failures.push(format!("{case}: {line}"));
        }
    }
    // The JSON recursion limit shows as a typed error.
    let got = decode_all(
        &deep_case("json-scalar-text-objects").expect("case").1,
        BodyFormat::Json,
    );
    assert!(
        got.as_ref().is_err_and(|e| e.contains("recursion limit")),
        "{got:?}"
    );
    tally.ok = tally.cases - failures.len();
    tally.err = failures.len();
    tally.finish();
    assert!(failures.is_empty(), "crashed: {failures:#?}");
}

/// A generated field that holds any JSON value (`serde_json::Value`, the fixture's
/// `Widget.Extra`) decoded from XML has no depth limit: quick-xml has no recursion limit and
/// `serde_json::Value` recurses once per element, so ~1,000 nested elements (a 7 KB body)
/// overflow a 2 MiB stack in a debug build and abort the process. JSON stops at
/// serde_json's limit of 128. Reported to the generator's owner; un-ignore once fixed.
#[test]
fn deep_xml_in_an_any_json_field_is_a_typed_error() {
    if let Ok(case) = std::env::var(DEEP_ENV) {
        run_deep_case(&case);
        return;
    }
    let mut failures = Vec::new();
    for case in ["widgets-xml-extra-1000", "widgets-xml-extra"] {
        let (done, line) =
            run_deep_child("deep_xml_in_an_any_json_field_is_a_typed_error", case, true);
        eprintln!("[hardening] deep nesting {case}: {line}");
        if !done {
            failures.push(format!("{case}: {line}"));
        }
    }
    assert!(failures.is_empty(), "crashed: {failures:#?}");
}

/// quick-xml 0.37 panics (`internal error: entered unreachable code`, de/mod.rs:2787) when
/// an element whose text a serde `String` is read from holds a `<!DOCTYPE ...>` between two
/// runs of text: the runtime's `parse_error_body` (which the client calls on every non-2xx
/// XML body) decodes into `Option<String>` fields and so panics the calling task. The
/// generated models read scalars through `deserialize_any` and are not affected (they keep
/// only part of the text). Upstream: tafia/quick-xml#964 (merged after 0.37.5).
/// Un-ignore once acs-runtime avoids it or quick-xml is upgraded.
#[test]
fn xml_error_body_with_a_doctype_inside_text_is_not_a_panic() {
    for body in [
        &b"<Error><Code>a<!DOCTYPE x>b</Code></Error>"[..],
        b"<Error><Code>X</Code><Message>a<!DOCTYPE x>b</Message></Error>",
    ] {
        let got = catch_unwind(|| parse_error_body(body, BodyFormat::Xml));
        assert!(got.is_ok(), "parse_error_body panicked on {}", show(body));
    }
}

#[test]
fn generated_models_survive_a_doctype_inside_text() {
    let mut tally = Tally::new("generated_models_survive_a_doctype_inside_text");
    for inner in [
        "a<!DOCTYPE x>b",
        "<!DOCTYPE x>b",
        "a<!DOCTYPE x>",
        "a<!doctype x [<!ENTITY y \"z\">]>b",
    ] {
        let body = format!("<R><RequestId>{inner}</RequestId><Success>true</Success></R>");
        let model = catch_unwind(|| from_xml::<GetDeploymentResponse>(body.as_bytes()));
        let runtime =
            catch_unwind(|| decode_body::<GetDeploymentResponse>(body.as_bytes(), BodyFormat::Xml));
        let (Ok(model), Ok(runtime)) = (model, runtime) else {
            panic!("a decoder panicked on {body}");
        };
        tally.record(&model);
        assert_eq!(model.is_ok(), runtime.is_ok());
        if let Ok(out) = &model {
            assert_eq!(out.success, Some(true), "{body}");
        }
        eprintln!(
            "[hardening] {inner:?} in RequestId: {:?}",
            model.map(|o| o.request_id)
        );
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// a sanity check of the helpers, so that the oracles above test what they claim

#[test]
fn the_oracles_detect_what_they_should() {
    let path = vec![
        "Data".to_string(),
        "Deployment".to_string(),
        "Status".to_string(),
    ];
    let got = decode_all(&json_with_raw(&path, "\"x\""), BodyFormat::Json);
    assert!(
        got.as_ref()
            .is_err_and(|e| e.contains("at Data.Deployment.Status")),
        "{got:?}"
    );
    let got = decode_all(&xml_with_raw(&path, "x"), BodyFormat::Xml);
    assert!(
        got.as_ref()
            .is_err_and(|e| e.contains("at Data.Deployment.Status")),
        "{got:?}"
    );
    let mut changed = expected().clone();
    changed.request_id = Some("other".into());
    let mut a = wire(&changed);
    remove_path(&mut a, &path);
    assert_ne!(a, expected_without(&path));
    assert!(paths(&sample_value()).contains(&path));
    assert!(doctype_inside_an_element(b"<a>x<!DOCTYPE y>z</a>"));
    assert!(!doctype_inside_an_element(
        b"<?xml version='1.0'?><!DOCTYPE a><a/>"
    ));
}
