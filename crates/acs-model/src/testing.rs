//! Test support for generated models crates (feature `testing`): the checks their generated
//! per-action tests run on the documented samples, and the comparison of requests with what
//! the official SDK sends.
//!
//! * [`check_samples`]: the JSON and the XML sample decode; they decode to equal values; and
//!   no field of the JSON sample that the schema declares is lost or changed: the decoded
//!   value, serialized again, is compared with the sample field by field, walking the sample
//!   with the types' own [`Object::field`] (so "declared" means what the generated type reads,
//!   and undeclared fields of the sample are listed apart, not as failures).
//! * [`WireVectors`]: the official SDK's requests (`official_requests.jsonl`: the values by
//!   wire names, the query and form pairs sent) against what a generated request writes for
//!   the same values, with an explained list of expected differences that must be exact.

use crate::object::{FieldSource, Item, Object, Scalar};
use crate::params::{ParamLocation, WireParam};
use crate::serde_impl::ItemKind;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What [`check_samples`] found about the samples of one action.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SampleFindings {
    /// Failures: a sample that does not decode, JSON and XML that decode differently, a
    /// declared field lost or changed.
    pub problems: Vec<String>,
    /// Fields of the JSON sample that no type of the response declares (kept for the record).
    pub undeclared: Vec<String>,
}

/// Checks the documented samples of a response type (either may be absent).
pub fn check_samples<T>(json: Option<&[u8]>, xml: Option<&[u8]>) -> SampleFindings
where
    T: Object + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let mut findings = SampleFindings::default();
    let from_json = json.map(|body| (crate::from_json::<T>(body), body));
    let from_xml = xml.map(crate::from_xml::<T>);
    let mut json_value = None;
    if let Some((decoded, body)) = from_json {
        match decoded {
            Err(e) => findings
                .problems
                .push(format!("the JSON sample does not decode: {e}")),
            Ok(mut value) => {
                let again = serde_json::to_value(&value).unwrap_or(Value::Null);
                check_printed(&mut value, &again, "JSON", &mut findings);
                match serde_json::from_slice::<Value>(crate::strip_bom(body)) {
                    Ok(Value::Object(sample)) => {
                        let mut probe = Probe {
                            findings: &mut findings,
                        };
                        probe.object::<T>(&sample, again.as_object(), "");
                    }
                    Ok(_) => findings
                        .problems
                        .push("the JSON sample is not an object".into()),
                    Err(e) => findings
                        .problems
                        .push(format!("the JSON sample is not JSON: {e}")),
                }
                json_value = Some(again);
            }
        }
    }
    if let Some(decoded) = from_xml {
        match decoded {
            Err(e) => findings
                .problems
                .push(format!("the XML sample does not decode: {e}")),
            Ok(mut value) => {
                let from_xml = serde_json::to_value(&value).unwrap_or(Value::Null);
                check_printed(&mut value, &from_xml, "XML", &mut findings);
                if let Some(from_json) = &json_value {
                    let mut differences = Vec::new();
                    diff(from_json, &from_xml, "", &mut differences);
                    for d in differences {
                        findings.problems.push(format!(
                            "the JSON and XML samples decode differently at {d}"
                        ));
                    }
                }
            }
        }
    }
    findings
}

/// What [`object_to_value`](crate::object_to_value) gives for the decoded sample (what a
/// tool prints) must be what serde gives.
fn check_printed<T: Object>(
    decoded: &mut T,
    serialized: &Value,
    format: &str,
    findings: &mut SampleFindings,
) {
    let printed = crate::object_to_value(decoded);
    let mut differences = Vec::new();
    diff_as(
        serialized,
        &printed,
        "",
        &mut differences,
        ["serde", "Object"],
    );
    // The same values, in another key order (a map that keeps insertion order).
    if differences.is_empty()
        && serde_json::to_string(serialized).ok() != serde_json::to_string(&printed).ok()
    {
        differences.push("the order of the keys".to_owned());
    }
    for d in differences {
        findings.problems.push(format!(
            "the {format} sample prints differently through Object than through serde at {d}"
        ));
    }
}

/// Walks a JSON sample along the types that read it. Not a public API.
#[doc(hidden)]
pub struct Probe<'a> {
    findings: &'a mut SampleFindings,
}

impl Probe<'_> {
    fn object<T: Object>(
        &mut self,
        sample: &Map<String, Value>,
        again: Option<&Map<String, Value>>,
        path: &str,
    ) {
        for (key, value) in sample {
            let path = join(path, key);
            let source = Field {
                probe: self,
                sample: value,
                again: again.and_then(|m| m.get(key)),
                path: &path,
            };
            let mut slot = T::default();
            let _ = slot.field(key, source);
        }
    }

    fn lost(&mut self, path: &str, sample: &Value) {
        self.findings.problems.push(format!(
            "{path}: declared, present in the sample ({}), missing after decoding",
            short(sample)
        ));
    }

    fn value<K: ItemKind<T>, T>(&mut self, sample: &Value, again: Option<&Value>, path: &str) {
        K::probe(self, sample, again, path);
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// Whether a sample value means "absent" to the decoders (null, blank text, empty list).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// Scalars are equal when they read the same: `"1"` and `1`, `"1.50"` and `1.5`, `"true"`
/// and `true`.
fn same_scalar(a: &Value, b: &Value) -> bool {
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match (text(a), text(b)) {
        (Some(x), Some(y)) if x == y => true,
        (Some(x), Some(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(p), Ok(q)) => p == q,
            _ => {
                x.eq_ignore_ascii_case(&y)
                    && (x == "true" || x == "false" || x == "True" || x == "False")
            }
        },
        _ => false,
    }
}

/// The field being probed: the sample's value and the decoded one.
struct Field<'p, 'a> {
    probe: &'p mut Probe<'a>,
    sample: &'p Value,
    again: Option<&'p Value>,
    path: &'p str,
}

impl FieldSource for Field<'_, '_> {
    type Error = ();

    fn scalar<T: Scalar>(self, _slot: &mut Option<T>) -> Result<(), ()> {
        self.probe
            .value::<crate::serde_impl::ScalarItem, T>(self.sample, self.again, self.path);
        Ok(())
    }

    fn object<T: Object>(self, _slot: &mut Option<T>) -> Result<(), ()> {
        probe_object::<T>(self.probe, self.sample, self.again, self.path);
        Ok(())
    }

    fn list<T: Item>(self, _slot: &mut Option<Vec<T>>) -> Result<(), ()> {
        self.probe
            .value::<crate::serde_impl::ListItem, Vec<T>>(self.sample, self.again, self.path);
        Ok(())
    }

    fn map<T: Item>(self, _slot: &mut Option<BTreeMap<String, T>>) -> Result<(), ()> {
        let (Value::Object(sample), again) = (self.sample, self.again) else {
            if !is_empty(self.sample) {
                self.probe.lost(self.path, self.sample);
            }
            return Ok(());
        };
        let again = again.and_then(Value::as_object);
        for (key, value) in sample {
            let path = join(self.path, key);
            self.probe
                .value::<T::Kind, T>(value, again.and_then(|m| m.get(key)), &path);
        }
        Ok(())
    }

    fn any(self, _slot: &mut Option<Value>) -> Result<(), ()> {
        self.probe
            .value::<crate::serde_impl::AnyItem, Value>(self.sample, self.again, self.path);
        Ok(())
    }

    fn skip(self) -> Result<(), ()> {
        self.probe.findings.undeclared.push(self.path.to_owned());
        Ok(())
    }

    fn unknown(self) -> Result<(), ()> {
        self.skip()
    }
}

/// How a value of one kind is compared with the sample.
pub(crate) fn probe_scalar(
    probe: &mut Probe<'_>,
    sample: &Value,
    again: Option<&Value>,
    path: &str,
) {
    if is_empty(sample) {
        return;
    }
    match again {
        None => probe.lost(path, sample),
        Some(decoded) if !same_scalar(sample, decoded) => probe.findings.problems.push(format!(
            "{path}: the sample says {}, decoded as {}",
            short(sample),
            short(decoded)
        )),
        Some(_) => {}
    }
}

pub(crate) fn probe_object<T: Object>(
    probe: &mut Probe<'_>,
    sample: &Value,
    again: Option<&Value>,
    path: &str,
) {
    match sample {
        Value::Object(map) if !map.is_empty() => match again {
            Some(Value::Object(decoded)) => probe.object::<T>(map, Some(decoded), path),
            _ => probe.object::<T>(map, None, path),
        },
        other if is_empty(other) => {}
        other => probe.findings.problems.push(format!(
            "{path}: an object is declared, the sample has {}",
            short(other)
        )),
    }
}

pub(crate) fn probe_list<T: Item>(
    probe: &mut Probe<'_>,
    sample: &Value,
    again: Option<&Value>,
    path: &str,
) {
    let items: Vec<&Value> = match sample {
        Value::Array(items) => items.iter().collect(),
        other if is_empty(other) => return,
        other => vec![other],
    };
    let decoded: Vec<&Value> = match again {
        Some(Value::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    // Empty items are dropped by the decoders: pair the others in order.
    let mut decoded = decoded.into_iter();
    for (i, item) in items.into_iter().enumerate() {
        if is_empty(item) {
            continue;
        }
        let path = format!("{path}[{i}]");
        let again = decoded.next();
        if again.is_none() {
            probe.lost(&path, item);
            continue;
        }
        probe.value::<T::Kind, T>(item, again, &path);
    }
}

pub(crate) fn probe_any(probe: &mut Probe<'_>, sample: &Value, again: Option<&Value>, path: &str) {
    if sample.is_null() {
        return;
    }
    match again {
        None => probe.lost(path, sample),
        Some(decoded) if decoded != sample => probe.findings.problems.push(format!(
            "{path}: the sample says {}, decoded as {}",
            short(sample),
            short(decoded)
        )),
        Some(_) => {}
    }
}

/// Paths where two decoded values differ.
fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    diff_as(a, b, path, out, ["JSON", "XML"]);
}

/// [`diff`], naming the two sides `names` in the messages.
fn diff_as(a: &Value, b: &Value, path: &str, out: &mut Vec<String>, names: [&str; 2]) {
    let [an, bn] = names;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let p = join(path, key);
                match (x.get(key.as_str()), y.get(key.as_str())) {
                    (Some(u), Some(v)) => diff_as(u, v, &p, out, names),
                    (Some(u), None) => out.push(format!("{p} ({an} {}, {bn} none)", short(u))),
                    (None, Some(v)) => out.push(format!("{p} ({an} none, {bn} {})", short(v))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff_as(u, v, &format!("{path}[{i}]"), out, names);
            }
        }
        (x, y) if x == y => {}
        (x, y) => out.push(format!(
            "{} ({an} {}, {bn} {})",
            if path.is_empty() { "the root" } else { path },
            short(x),
            short(y)
        )),
    }
}

/// The official SDK's requests, one JSON object per line (see `tests/data/wire/README.md` of
/// the project): `case`, `action`, `values` (by wire names), `query` and `form` (the decoded
/// pairs the SDK sent; `null` when the SDK does not have the action), `from_map_artifacts`.
pub struct WireVectors {
    lines: Vec<Value>,
}

/// Why a line does not match, expected and explained (the exception list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireException {
    /// The line's `case`.
    pub case: String,
    /// The differences, as [`WireVectors::check`] lists them, sorted.
    pub differences: Vec<String>,
    /// Why.
    pub reason: String,
}

impl WireVectors {
    /// Reads the vectors.
    pub fn parse(jsonl: &str) -> Result<WireVectors, String> {
        let lines = jsonl
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
            .collect::<Result<_, _>>()?;
        Ok(WireVectors { lines })
    }

    /// Builds each line's request with `encode` (`None`: the action is not generated) and
    /// compares its pairs with the SDK's. Booleans are normalised (`True` -> `true`) where the
    /// request wrote `true`/`false` for a value the line gives as a JSON boolean; pairs the
    /// SDK sent only because of `from_map` (`from_map_artifacts`) are left out. Returns each
    /// line's differences (empty: identical), by case.
    pub fn check(
        &self,
        encode: impl Fn(&str, &Value) -> Option<Result<Vec<WireParam>, String>>,
    ) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for line in &self.lines {
            let case = line["case"].as_str().unwrap_or("?").to_owned();
            let action = line["action"].as_str().unwrap_or("?");
            let differences = match encode(action, &line["values"]) {
                None => vec![format!("the action {action} is not generated")],
                Some(Err(e)) => vec![format!("the values do not build a request: {e}")],
                Some(Ok(params)) => compare(line, &params),
            };
            out.push((case, differences));
        }
        out
    }
}

fn compare(line: &Value, params: &[WireParam]) -> Vec<String> {
    let mut differences = Vec::new();
    if line["query"].is_null() && line["form"].is_null() {
        return vec!["the official SDK does not have this action (no expected request)".into()];
    }
    let artifacts: BTreeSet<&str> = line["from_map_artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().or_else(|| a.get("name").and_then(Value::as_str)))
        .collect();
    let booleans = boolean_paths(&line["values"], "");
    for (part, location) in [
        ("query", ParamLocation::Query),
        ("form", ParamLocation::Form),
    ] {
        let expected: BTreeMap<&str, String> = line[part]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !artifacts.contains(k.as_str()))
            .map(|(k, v)| {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                let text = match text.as_str() {
                    "True" if booleans.contains(k.as_str()) => "true".to_owned(),
                    "False" if booleans.contains(k.as_str()) => "false".to_owned(),
                    _ => text,
                };
                (k.as_str(), text)
            })
            .collect();
        let actual: BTreeMap<&str, &str> = params
            .iter()
            .filter(|p| p.location == location)
            .map(|p| (&*p.name, p.value.as_str()))
            .collect();
        for (name, value) in &expected {
            match actual.get(name) {
                None => differences.push(format!(
                    "{part} {name}: the SDK sends {value:?}, we do not send it"
                )),
                Some(ours) if ours != value => differences.push(format!(
                    "{part} {name}: the SDK sends {value:?}, we send {ours:?}"
                )),
                Some(_) => {}
            }
        }
        for (name, value) in &actual {
            if !expected.contains_key(name) {
                differences.push(format!(
                    "{part} {name}: we send {value:?}, the SDK does not"
                ));
            }
        }
    }
    differences.sort();
    differences
}

/// The flat parameter names (`Name`, `Name.1.Field`) whose value is a JSON boolean.
fn boolean_paths(value: &Value, path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match value {
        Value::Bool(_) => {
            out.insert(path.to_owned());
        }
        Value::Object(map) => {
            for (k, v) in map {
                out.extend(boolean_paths(v, &join(path, k)));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                out.extend(boolean_paths(v, &join(path, &(i + 1).to_string())));
            }
        }
        _ => {}
    }
    out
}

/// Compares the findings of [`WireVectors::check`] with the expected exceptions: every line
/// identical but the listed cases, and every listed case differing exactly as listed.
/// Returns a report of what does not hold (empty: all is as expected).
pub fn unexpected(results: &[(String, Vec<String>)], exceptions: &[WireException]) -> String {
    let mut report = String::new();
    for (case, differences) in results {
        match exceptions.iter().find(|e| &e.case == case) {
            None if differences.is_empty() => {}
            None => {
                let _ = writeln!(report, "{case}: differs from the official SDK:");
                for d in differences {
                    let _ = writeln!(report, "    {d}");
                }
            }
            Some(e) if &e.differences != differences => {
                let _ = writeln!(
                    report,
                    "{case}: listed as an exception ({}), but the differences changed:\n    listed: {:?}\n    now:    {:?}",
                    e.reason, e.differences, differences
                );
            }
            Some(_) => {}
        }
    }
    for e in exceptions {
        if !results.iter().any(|(case, _)| case == &e.case) {
            let _ = writeln!(
                report,
                "{}: listed as an exception, but there is no such case",
                e.case
            );
        }
    }
    report
}

/// The generated sample test of one action: panics with every problem [`check_samples`]
/// finds. With a known issue (the spec's reason why the documented samples are wrong):
/// when it names paths (`differsAt`), the JSON and XML samples must decode differently at
/// exactly those paths and have no other problem; without paths, there must be a problem
/// (so that a fixed sample is noticed).
pub fn assert_samples<T>(
    json: Option<&[u8]>,
    xml: Option<&[u8]>,
    known_issue: Option<(&str, &[&str])>,
) where
    T: Object + serde::Serialize + PartialEq + std::fmt::Debug,
{
    const DIFFERS: &str = "the JSON and XML samples decode differently at ";
    let findings = check_samples::<T>(json, xml);
    let name = T::name();
    match known_issue {
        None => assert!(
            findings.problems.is_empty(),
            "the documented samples of {name} do not decode as the schema says:\n  {}",
            findings.problems.join("\n  ")
        ),
        Some((reason, [])) => assert!(
            !findings.problems.is_empty(),
            "the samples of {name} are listed with a known issue ({reason}), but they decode: remove `knownIssue`"
        ),
        Some((reason, paths)) => {
            let mut differing = Vec::new();
            let mut other = Vec::new();
            for problem in &findings.problems {
                match problem.strip_prefix(DIFFERS) {
                    Some(rest) => differing.push(rest.split(" (").next().unwrap_or(rest)),
                    None => other.push(problem.as_str()),
                }
            }
            let mut listed = paths.to_vec();
            listed.sort_unstable();
            differing.sort_unstable();
            assert!(
                other.is_empty() && listed == differing,
                "the samples of {name} are listed as differing ({reason}) at {listed:?}; they differ at {differing:?}{}",
                if other.is_empty() { String::new() } else { format!(", and:\n  {}", other.join("\n  ")) }
            );
        }
    }
}

/// A request of type `R` decoded from wire-name values (its serde `Deserialize`), as wire
/// pairs. The spec's rules are not checked: the pairs are what would be written.
pub fn request_params<R>(values: &Value) -> Result<Vec<WireParam>, String>
where
    R: crate::Request + serde::de::DeserializeOwned,
{
    serde_json::from_value::<R>(values.clone())
        .map(|request| request.to_params())
        .map_err(|e| e.to_string())
}

/// The generated wire test: every line of `vectors` matches, but the `exceptions` (a JSON list
/// of `{"case", "differences", "reason"}`), which must match exactly as listed.
pub fn assert_wire_vectors(
    vectors: &str,
    exceptions: &str,
    encode: impl Fn(&str, &Value) -> Option<Result<Vec<WireParam>, String>>,
) {
    let vectors = WireVectors::parse(vectors).unwrap_or_else(|e| panic!("the wire vectors: {e}"));
    let exceptions: Vec<Value> =
        serde_json::from_str(exceptions).unwrap_or_else(|e| panic!("the exception list: {e}"));
    let exceptions: Vec<WireException> = exceptions
        .iter()
        .map(|e| WireException {
            case: e["case"].as_str().unwrap_or_default().to_owned(),
            differences: e["differences"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            reason: e["reason"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    for e in &exceptions {
        assert!(
            !e.reason.trim().is_empty(),
            "{}: an exception needs a reason",
            e.case
        );
    }
    let results = vectors.check(encode);
    let report = unexpected(&results, &exceptions);
    let identical = results.iter().filter(|(_, d)| d.is_empty()).count();
    println!(
        "{} lines: {identical} identical to the official SDK, {} listed exceptions",
        results.len(),
        exceptions.len()
    );
    assert!(
        report.is_empty(),
        "requests differ from the official SDK:\n{report}"
    );
}
