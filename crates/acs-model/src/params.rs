//! Request parameters: values become wire text one way ([`ParamValue`] through an
//! [`Encoder`]), and go straight into the request through a [`ParamWriter`] whose method names
//! the location and style chosen when the code was generated (`w.query(...)`,
//! `w.form_json(...)`), like `aws_smithy_query::QueryWriter`.
//!
//! Two encodings, as the official SDKs use them:
//!
//! * **flat** (plain and `repeatList` parameters): one pair per scalar; a list item is
//!   `Name.1`, `Name.2`, ...; an object's field is `Name.Field`; nested as deep as it goes
//!   (`Name.1.Sub.2.Field`); unset fields and empty lists send nothing;
//! * **JSON** (`style: json`): one pair whose value is compact JSON text, byte for byte what
//!   the official Python SDK writes (`json.dumps(value, ensure_ascii=False,
//!   separators=(",", ":"))`): an object's fields sorted by the bytes of their wire names, an
//!   unset list of objects as `[]`, strings with non-ASCII characters kept raw, numbers as
//!   Python writes floats (`2.0`, `1e+16`, `1.25e-05`).
//!
//! Scalars are written the same way in both: integers in decimal, booleans `true`/`false`
//! (the official Go SDK's spelling; the Python SDK writes `True`/`False` in flat pairs and the
//! service accepts either), floats as Python's `repr`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A value that can be a request parameter: scalars, enums, lists, maps, request objects and
/// any JSON value. Generated request objects implement it by listing their fields
/// ([`Encoder::object`]).
pub trait ParamValue {
    /// Writes the value to `e` (pairs or JSON text, as the encoder decides).
    fn encode(&self, e: &mut Encoder<'_>);
}

/// Where the pairs of the flat encoding go.
type PairSink<'a> = dyn FnMut(Cow<'static, str>, String) + 'a;

enum Mode<'a> {
    /// Pairs: `name` is the current parameter path.
    Flat {
        name: Cow<'static, str>,
        out: &'a mut PairSink<'a>,
    },
    /// JSON text appended to `out`.
    Json { out: &'a mut String },
}

/// Turns a [`ParamValue`] into pairs (flat) or JSON text.
pub struct Encoder<'a> {
    mode: Mode<'a>,
}

impl<'a> Encoder<'a> {
    /// Flat pairs under `name`, each passed to `out`.
    pub fn flat(name: Cow<'static, str>, out: &'a mut PairSink<'a>) -> Self {
        Encoder {
            mode: Mode::Flat { name, out },
        }
    }

    /// JSON text, appended to `out`.
    pub fn json(out: &'a mut String) -> Self {
        Encoder {
            mode: Mode::Json { out },
        }
    }

    /// A string.
    pub fn text(&mut self, value: &str) {
        match &mut self.mode {
            Mode::Flat { name, out } => out(name.clone(), value.to_owned()),
            Mode::Json { out } => json_string(out, value),
        }
    }

    /// A number or boolean, already as its text (the same in both encodings).
    pub fn literal(&mut self, text: &str) {
        match &mut self.mode {
            Mode::Flat { name, out } => out(name.clone(), text.to_owned()),
            Mode::Json { out } => out.push_str(text),
        }
    }

    /// A float: Python's `repr` (`2.0`, `1e+16`); in JSON, non-finite values as Python's
    /// `json` writes them (`NaN`, `Infinity`).
    pub fn float(&mut self, value: f64) {
        match &mut self.mode {
            Mode::Flat { name, out } => out(name.clone(), python_float(value)),
            Mode::Json { out } => {
                if value.is_nan() {
                    out.push_str("NaN");
                } else if value.is_infinite() {
                    out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
                } else {
                    out.push_str(&python_float(value));
                }
            }
        }
    }

    /// A list: `Name.1`, `Name.2`, ... or a JSON array.
    pub fn list<T: ParamValue>(&mut self, items: &[T]) {
        match &mut self.mode {
            Mode::Flat { name, out } => {
                for (i, item) in items.iter().enumerate() {
                    let mut inner = Encoder::flat(format!("{name}.{}", i + 1).into(), *out);
                    item.encode(&mut inner);
                }
            }
            Mode::Json { out } => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.encode(&mut Encoder::json(out));
                }
                out.push(']');
            }
        }
    }

    /// A map with string keys, in the map's order: `Name.Key` or a JSON object.
    pub fn map<'k, T: ParamValue + 'k>(&mut self, entries: impl Iterator<Item = (&'k str, &'k T)>) {
        match &mut self.mode {
            Mode::Flat { name, out } => {
                for (key, value) in entries {
                    value.encode(&mut Encoder::flat(format!("{name}.{key}").into(), *out));
                }
            }
            Mode::Json { out } => {
                out.push('{');
                for (i, (key, value)) in entries.enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(out, key);
                    out.push(':');
                    value.encode(&mut Encoder::json(out));
                }
                out.push('}');
            }
        }
    }

    /// An object with declared fields (a generated request object): add its fields with
    /// [`ObjectEncoder::field`] and [`ObjectEncoder::objects`], then
    /// [`finish`](ObjectEncoder::finish) it.
    pub fn object(&mut self) -> ObjectEncoder<'_, 'a> {
        ObjectEncoder {
            encoder: self,
            fields: Vec::new(),
        }
    }
}

/// The fields of one object being encoded; see [`Encoder::object`].
pub struct ObjectEncoder<'e, 'a> {
    encoder: &'e mut Encoder<'a>,
    /// JSON only: `(wire name, JSON text)` of each field, sorted when finished.
    fields: Vec<(&'static str, String)>,
}

impl ObjectEncoder<'_, '_> {
    /// A field; nothing when unset.
    pub fn field<T: ParamValue>(&mut self, name: &'static str, value: &Option<T>) {
        let Some(value) = value else { return };
        match &mut self.encoder.mode {
            Mode::Flat { name: path, out } => {
                value.encode(&mut Encoder::flat(format!("{path}.{name}").into(), *out));
            }
            Mode::Json { .. } => {
                let mut text = String::new();
                value.encode(&mut Encoder::json(&mut text));
                self.fields.push((name, text));
            }
        }
    }

    /// A list of objects: like [`field`](Self::field), but written as `[]` in JSON when unset
    /// (as the official SDKs' request models do).
    pub fn objects<T: ParamValue>(&mut self, name: &'static str, value: &Option<Vec<T>>) {
        match (value, &self.encoder.mode) {
            (None, Mode::Json { .. }) => self.fields.push((name, "[]".to_owned())),
            _ => self.field(name, value),
        }
    }

    /// Ends the object (in JSON: its fields in the byte order of their wire names).
    pub fn finish(mut self) {
        if let Mode::Json { out } = &mut self.encoder.mode {
            self.fields
                .sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (name, text)) in self.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, name);
                out.push(':');
                out.push_str(text);
            }
            out.push('}');
        }
    }
}

macro_rules! integer_values {
    ($($t:ty),*) => {
        $(impl ParamValue for $t {
            fn encode(&self, e: &mut Encoder<'_>) {
                e.literal(&self.to_string());
            }
        })*
    };
}

integer_values!(i32, i64, u32, u64);

impl ParamValue for bool {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.literal(if *self { "true" } else { "false" });
    }
}

impl ParamValue for f64 {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.float(*self);
    }
}

impl ParamValue for String {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text(self);
    }
}

impl ParamValue for str {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text(self);
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.list(self);
    }
}

impl<T: ParamValue> ParamValue for BTreeMap<String, T> {
    fn encode(&self, e: &mut Encoder<'_>) {
        e.map(self.iter().map(|(k, v)| (k.as_str(), v)));
    }
}

/// Any JSON value: flat as `Name.Key` / `Name.1` (nulls left out), JSON as written by the
/// official Python SDK (object keys in the value's order).
impl ParamValue for serde_json::Value {
    fn encode(&self, e: &mut Encoder<'_>) {
        use serde_json::Value;
        match self {
            Value::Null => {
                if let Mode::Json { out } = &mut e.mode {
                    out.push_str("null");
                }
            }
            Value::Bool(b) => b.encode(e),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.encode(e),
                (None, Some(u)) => u.encode(e),
                _ => e.float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => e.text(s),
            Value::Array(items) => e.list(items),
            Value::Object(map) => {
                let flat = matches!(e.mode, Mode::Flat { .. });
                e.map(
                    map.iter()
                        .filter(|(_, v)| !(flat && v.is_null()))
                        .map(|(k, v)| (k.as_str(), v)),
                );
            }
        }
    }
}

/// A string as JSON text, escaped as Python's `json.dumps(..., ensure_ascii=False)` does:
/// `"`, `\` and control characters below U+0020 only (`\n`, `\r`, `\t`, `\b`, `\f`, others
/// `\u00xx` in lower-case hex); everything else raw.
pub fn json_string(out: &mut String, value: &str) {
    out.reserve(value.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, c) in value.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&value[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escape);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&value[start..]);
    out.push('"');
}

/// A float as Python's `repr` writes it: the shortest digits that read back to the same
/// value; decimal notation (with `.0` when integral) for decimal exponents from -4 to 15,
/// else `d.ddde+XX` with a sign and at least two exponent digits. `nan`, `inf` and `-inf`
/// for non-finite values.
///
/// ```
/// use acs_model::python_float;
/// assert_eq!(python_float(2.0), "2.0");
/// assert_eq!(python_float(0.0001), "0.0001");
/// assert_eq!(python_float(1.25e-5), "1.25e-05");
/// assert_eq!(python_float(1e16), "1e+16");
/// assert_eq!(python_float(1234567890123456.0), "1234567890123456.0");
/// assert_eq!(python_float(-0.0), "-0.0");
/// ```
pub fn python_float(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    // `{:e}` gives Rust's shortest round-trip digits with an exponent: `-1.25e-5`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let text = if exponent >= 0 {
            let point = exponent as usize + 1;
            if digits.len() > point {
                format!("{}.{}", &digits[..point], &digits[point..])
            } else {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exponent - 1) as usize))
        };
        format!("{sign}{text}")
    } else {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exponent.abs())
    }
}

/// Where a writer puts parameters: the runtime's request, or a list for inspection.
/// Names borrowed from generated code (`&'static str`) are passed on without a copy.
pub trait ParamSink {
    /// A parameter for the URL query string.
    fn query_param(&mut self, name: Cow<'static, str>, value: String);
    /// A parameter for the `application/x-www-form-urlencoded` body.
    fn form_param(&mut self, name: Cow<'static, str>, value: String);
}

/// Writes a request's parameters into a [`ParamSink`]; unset (`None`) parameters are left
/// out. Generated `write_params` calls one method per parameter, in spec order.
///
/// ```
/// use acs_model::{ParamLocation, ParamWriter, WireParam};
///
/// let mut pairs: Vec<WireParam> = Vec::new();
/// let mut w = ParamWriter::new(&mut pairs);
/// w.form("DeploymentId", &Some(3000001_i64));
/// w.query("Ids", &Some(vec![1, 2]));
/// w.form_json("Filter", &Some(serde_json::json!({"a": [1.0, "é"]})));
/// w.form("Comment", &None::<String>);
/// let listed: Vec<(&str, &str, ParamLocation)> =
///     pairs.iter().map(|p| (&*p.name, p.value.as_str(), p.location)).collect();
/// assert_eq!(listed, [
///     ("DeploymentId", "3000001", ParamLocation::Form),
///     ("Ids.1", "1", ParamLocation::Query),
///     ("Ids.2", "2", ParamLocation::Query),
///     ("Filter", r#"{"a":[1.0,"é"]}"#, ParamLocation::Form),
/// ]);
/// ```
pub struct ParamWriter<'a> {
    sink: &'a mut dyn ParamSink,
}

impl<'a> ParamWriter<'a> {
    /// A writer into `sink`.
    pub fn new(sink: &'a mut dyn ParamSink) -> Self {
        ParamWriter { sink }
    }

    /// A parameter of the query string (`in: query`), flat.
    pub fn query<V: ParamValue>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            let sink = &mut *self.sink;
            value.encode(&mut Encoder::flat(Cow::Borrowed(name), &mut |n, v| {
                sink.query_param(n, v)
            }));
        }
    }

    /// A parameter of the form body (`in: formData` or `body`), flat.
    pub fn form<V: ParamValue>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            let sink = &mut *self.sink;
            value.encode(&mut Encoder::flat(Cow::Borrowed(name), &mut |n, v| {
                sink.form_param(n, v)
            }));
        }
    }

    /// A JSON-style parameter (`style: json`) of the query string: the value as JSON text.
    pub fn query_json<V: ParamValue>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            self.sink.query_param(Cow::Borrowed(name), to_json(value));
        }
    }

    /// A JSON-style parameter (`style: json`) of the form body: the value as JSON text.
    pub fn form_json<V: ParamValue>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            self.sink.form_param(Cow::Borrowed(name), to_json(value));
        }
    }
}

/// The JSON text of a parameter value, as a JSON-style parameter carries it.
pub fn to_json<V: ParamValue + ?Sized>(value: &V) -> String {
    let mut text = String::new();
    value.encode(&mut Encoder::json(&mut text));
    text
}

/// Where a listed parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    /// In the URL query string.
    Query,
    /// In the `application/x-www-form-urlencoded` body.
    Form,
}

/// One request parameter as it goes on the wire (before percent-encoding), as listed by
/// [`Request::to_params`](crate::Request::to_params).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireParam {
    /// Wire name, such as `DeploymentId` or `Ids.1`.
    pub name: Cow<'static, str>,
    /// Text of the value.
    pub value: String,
    /// Query or form body.
    pub location: ParamLocation,
}

/// Lists the pairs in the order they are written.
impl ParamSink for Vec<WireParam> {
    fn query_param(&mut self, name: Cow<'static, str>, value: String) {
        self.push(WireParam {
            name,
            value,
            location: ParamLocation::Query,
        });
    }

    fn form_param(&mut self, name: Cow<'static, str>, value: String) {
        self.push(WireParam {
            name,
            value,
            location: ParamLocation::Form,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(value: &impl ParamValue) -> Vec<(String, String)> {
        let mut out = Vec::new();
        value.encode(&mut Encoder::flat(Cow::Borrowed("Req"), &mut |n, v| {
            out.push((n.into_owned(), v))
        }));
        out
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// A request object with declared fields, as generated code writes it.
    #[derive(Default)]
    struct Item {
        name: Option<String>,
        flag: Option<bool>,
        subs: Option<Vec<Item>>,
        tags: Option<Vec<String>>,
    }

    impl ParamValue for Item {
        fn encode(&self, e: &mut Encoder<'_>) {
            let mut o = e.object();
            o.field("name", &self.name);
            o.field("Flag", &self.flag);
            o.objects("Subs", &self.subs);
            o.field("Tags", &self.tags);
            o.finish();
        }
    }

    #[test]
    fn nested_lists_and_objects_flatten_like_the_official_sdks() {
        let v = json!({"Name": "n", "Items": [{"Id": 1, "Sub": ["a", "b"]}, {"Id": 2, "Flag": true, "Skip": null}], "Empty": []});
        assert_eq!(
            flat(&v),
            pairs(&[
                ("Req.Items.1.Id", "1"),
                ("Req.Items.1.Sub.1", "a"),
                ("Req.Items.1.Sub.2", "b"),
                ("Req.Items.2.Flag", "true"),
                ("Req.Items.2.Id", "2"),
                ("Req.Name", "n"),
            ])
        );
        assert_eq!(
            flat(&vec![vec![1.5f64], vec![2.0]]),
            pairs(&[("Req.1.1", "1.5"), ("Req.2.1", "2.0")])
        );
        assert_eq!(flat(&false), pairs(&[("Req", "false")]));
        let item = Item {
            name: Some("a".into()),
            subs: Some(vec![Item {
                tags: Some(vec!["x".into()]),
                ..Item::default()
            }]),
            ..Item::default()
        };
        assert_eq!(
            flat(&vec![item]),
            pairs(&[("Req.1.name", "a"), ("Req.1.Subs.1.Tags.1", "x")])
        );
    }

    #[test]
    fn objects_in_json_sort_their_fields_and_write_unset_object_lists_as_empty() {
        let item = Item {
            name: Some("é\"\n\u{1}".into()),
            flag: Some(true),
            ..Item::default()
        };
        assert_eq!(
            to_json(&vec![item]),
            r#"[{"Flag":true,"Subs":[],"name":"é\"\n\u0001"}]"#
        );
        assert_eq!(to_json(&Vec::<Item>::new()), "[]");
    }

    #[test]
    fn floats_follow_python() {
        for (value, text) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (123456789.125, "123456789.125"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e100, "1e+100"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1e-5, "1e-05"),
            (1.5e-10, "1.5e-10"),
            (5e-324, "5e-324"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
        ] {
            assert_eq!(python_float(value), text, "{value:e}");
        }
        assert_eq!(to_json(&f64::NAN), "NaN");
        assert_eq!(
            to_json(&json!([1, 2.0, -9223372036854775808i64])),
            "[1,2.0,-9223372036854775808]"
        );
    }

    #[test]
    fn static_names_are_not_copied() {
        let mut out: Vec<WireParam> = Vec::new();
        ParamWriter::new(&mut out).form("DeploymentId", &Some(1_i64));
        assert!(matches!(out[0].name, Cow::Borrowed("DeploymentId")));
    }
}
