//! Request parameters: values become wire text one way, and go straight into the request
//! through a [`ParamWriter`] whose method names the location chosen when the code was
//! generated (`w.query(...)`, `w.form(...)`), like `aws_smithy_query::QueryWriter`.

use std::borrow::Cow;

/// The wire text of a scalar: the one way any value (numbers, booleans, strings, enums)
/// becomes parameter text.
pub trait ParamText {
    /// The text as the service expects it.
    fn param_text(&self) -> String;
}

macro_rules! display_text {
    ($($t:ty),*) => {
        $(impl ParamText for $t {
            fn param_text(&self) -> String {
                self.to_string()
            }
        })*
    };
}

display_text!(i32, i64, f64, bool, String);

/// A parameter value, spread into wire pairs the way the official SDKs do: a scalar is one
/// pair, a list is `Name.1`, `Name.2`, ..., an object (a JSON value) is `Name.Key`, nested
/// as deep as it goes; `null` is left out.
pub trait ParamValue {
    /// Writes the pairs of this value under `name` to `out`.
    fn write_param(&self, name: Cow<'static, str>, out: &mut dyn FnMut(Cow<'static, str>, String));
}

impl<T: ParamText> ParamValue for T {
    fn write_param(&self, name: Cow<'static, str>, out: &mut dyn FnMut(Cow<'static, str>, String)) {
        out(name, self.param_text());
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    fn write_param(&self, name: Cow<'static, str>, out: &mut dyn FnMut(Cow<'static, str>, String)) {
        for (i, item) in self.iter().enumerate() {
            item.write_param(format!("{name}.{}", i + 1).into(), out);
        }
    }
}

impl ParamValue for serde_json::Value {
    fn write_param(&self, name: Cow<'static, str>, out: &mut dyn FnMut(Cow<'static, str>, String)) {
        use serde_json::Value;
        match self {
            Value::Null => {}
            Value::Bool(b) => out(name, b.param_text()),
            Value::Number(n) => out(name, n.to_string()),
            Value::String(s) => out(name, s.clone()),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.write_param(format!("{name}.{}", i + 1).into(), out);
                }
            }
            Value::Object(map) => {
                for (key, value) in map {
                    value.write_param(format!("{name}.{key}").into(), out);
                }
            }
        }
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
/// w.form_json("Filter", &Some(serde_json::json!({"a": [1]})));
/// w.form("Comment", &None::<String>);
/// let listed: Vec<(&str, &str, ParamLocation)> =
///     pairs.iter().map(|p| (&*p.name, p.value.as_str(), p.location)).collect();
/// assert_eq!(listed, [
///     ("DeploymentId", "3000001", ParamLocation::Form),
///     ("Ids.1", "1", ParamLocation::Query),
///     ("Ids.2", "2", ParamLocation::Query),
///     ("Filter", r#"{"a":[1]}"#, ParamLocation::Form),
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

    /// A parameter of the query string (`in: query`).
    pub fn query<V: ParamValue>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            let sink = &mut *self.sink;
            value.write_param(Cow::Borrowed(name), &mut |n, v| sink.query_param(n, v));
        }
    }

    /// A parameter of the form body (`in: formData` or `body`).
    pub fn form<V: ParamValue>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            let sink = &mut *self.sink;
            value.write_param(Cow::Borrowed(name), &mut |n, v| sink.form_param(n, v));
        }
    }

    /// A JSON-style parameter (`style: json`) of the query string: the value as JSON text.
    pub fn query_json(&mut self, name: &'static str, value: &Option<serde_json::Value>) {
        if let Some(value) = value {
            self.sink
                .query_param(Cow::Borrowed(name), value.to_string());
        }
    }

    /// A JSON-style parameter (`style: json`) of the form body: the value as JSON text.
    pub fn form_json(&mut self, name: &'static str, value: &Option<serde_json::Value>) {
        if let Some(value) = value {
            self.sink.form_param(Cow::Borrowed(name), value.to_string());
        }
    }
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
        value.write_param(Cow::Borrowed("Req"), &mut |n, v| {
            out.push((n.into_owned(), v))
        });
        out
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
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
            pairs(&[("Req.1.1", "1.5"), ("Req.2.1", "2")])
        );
        assert_eq!(flat(&false), pairs(&[("Req", "false")]));
    }

    #[test]
    fn static_names_are_not_copied() {
        let mut out: Vec<WireParam> = Vec::new();
        ParamWriter::new(&mut out).form("DeploymentId", &Some(1_i64));
        assert!(matches!(out[0].name, Cow::Borrowed("DeploymentId")));
    }
}
