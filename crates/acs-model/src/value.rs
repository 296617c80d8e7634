//! Decoding from a JSON value tree: [`from_value`] reads an [`Object`] from a
//! `serde_json::Value` with the same leniency as the serde decoders (numbers and booleans as
//! text, a list given as one item, blank text and `null` as absent, unknown fields skipped
//! or, for request input, refused), and [`xml_to_value`] turns an XML body into such a tree
//! (elements with children become objects, repeated elements arrays, other elements their
//! text). XML is decoded this way ([`from_xml`](crate::from_xml)): one small walk per type
//! instead of a serde visitor per type and per parser, and values of any type (JSON text
//! fields, free-form objects) keep their content.

use crate::object::{FieldSource, Item, Object, Scalar};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Why a value tree does not fit the type, with the path of the field
/// (`at Data.Deployment.Status: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError(String);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

impl ValueError {
    fn at(self, key: &str) -> ValueError {
        match self.0.strip_prefix("at ").and_then(|r| r.split_once(": ")) {
            Some((path, message)) => ValueError(format!("at {key}.{path}: {message}")),
            None => ValueError(format!("at {key}: {}", self.0)),
        }
    }
}

/// Reads `T` from a value tree (an object; `null`, an empty array or blank text give a `T`
/// with nothing set).
///
/// ```
/// use acs_model::{FieldSource, Object};
///
/// #[derive(Debug, Default, PartialEq)]
/// struct Page {
///     total: Option<i64>,
///     names: Option<Vec<String>>,
/// }
///
/// impl Object for Page {
///     fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
///         match name {
///             "Total" => f.scalar(&mut self.total),
///             "Names" => f.list(&mut self.names),
///             _ => f.skip(),
///         }
///     }
/// }
///
/// let page: Page = acs_model::from_value(&serde_json::json!({"Total": "2", "Names": "a"}))?;
/// assert_eq!(page, Page { total: Some(2), names: Some(vec!["a".into()]) });
/// # Ok::<(), acs_model::ValueError>(())
/// ```
pub fn from_value<T: Object>(value: &Value) -> Result<T, ValueError> {
    object_from(value, &format!("a {} object", T::name()))
}

fn object_from<T: Object>(value: &Value, expected: &str) -> Result<T, ValueError> {
    let mut out = T::default();
    match value {
        Value::Object(map) => fill(&mut out, map)?,
        Value::Null => {}
        Value::Array(items) if items.is_empty() => {}
        Value::String(s) if s.trim().is_empty() => {}
        other => return Err(invalid(other, expected)),
    }
    Ok(out)
}

fn fill<T: Object>(out: &mut T, map: &Map<String, Value>) -> Result<(), ValueError> {
    for (key, value) in map {
        out.field(key, Field { key, value })
            .map_err(|e| e.at(key))?;
    }
    Ok(())
}

fn unexpected(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn invalid(value: &Value, expected: &str) -> ValueError {
    ValueError(format!(
        "invalid value: {}, expected {expected}",
        unexpected(value)
    ))
}

/// A scalar of type `T` from a value (`None`: null or blank text where blank means absent).
pub(crate) fn scalar_from<T: Scalar>(value: &Value) -> Result<Option<T>, ValueError> {
    struct Expecting<T>(std::marker::PhantomData<T>);
    impl<T: Scalar> fmt::Display for Expecting<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            T::expecting(f)
        }
    }
    let expected = || Expecting::<T>(std::marker::PhantomData).to_string();
    let found = match value {
        Value::Null => return Ok(None),
        Value::Bool(b) => T::from_bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => T::from_i64(i),
            (None, Some(u), _) => T::from_u64(u),
            (_, _, Some(f)) => T::from_f64(f),
            _ => None,
        },
        Value::String(s) => return T::from_text(s).map_err(|_| invalid(value, &expected())),
        _ => None,
    };
    found.map(Some).ok_or_else(|| invalid(value, &expected()))
}

/// One field's value.
struct Field<'v> {
    key: &'v str,
    value: &'v Value,
}

impl FieldSource for Field<'_> {
    type Error = ValueError;

    fn scalar<T: Scalar>(self, slot: &mut Option<T>) -> Result<(), ValueError> {
        *slot = scalar_from(self.value)?;
        Ok(())
    }

    fn object<T: Object>(self, slot: &mut Option<T>) -> Result<(), ValueError> {
        *slot = match self.value {
            Value::Null => None,
            value => Some(object_from(value, &format!("a {} object", T::name()))?),
        };
        Ok(())
    }

    fn list<T: Item>(self, slot: &mut Option<Vec<T>>) -> Result<(), ValueError> {
        let items = list_from::<T>(self.value)?;
        match slot {
            Some(existing) => existing.extend(items),
            None => *slot = Some(items),
        }
        Ok(())
    }

    fn map<T: Item>(self, slot: &mut Option<BTreeMap<String, T>>) -> Result<(), ValueError> {
        let mut out = BTreeMap::new();
        match self.value {
            Value::Null => {}
            Value::Object(map) => {
                for (key, value) in map {
                    let item = <T::Kind as crate::serde_impl::ItemKind<T>>::item_from_value(value)
                        .map_err(|e| e.at(key))?;
                    if let Some(item) = item {
                        out.insert(key.clone(), item);
                    }
                }
            }
            other => return Err(invalid(other, "a map")),
        }
        *slot = Some(out);
        Ok(())
    }

    fn any(self, slot: &mut Option<Value>) -> Result<(), ValueError> {
        *slot = (!self.value.is_null()).then(|| self.value.clone());
        Ok(())
    }

    fn skip(self) -> Result<(), ValueError> {
        Ok(())
    }

    #[cold]
    fn unknown(self) -> Result<(), ValueError> {
        Err(ValueError(format!("unknown field `{}`", self.key)))
    }
}

/// The items of a list field: an array, one item, or nothing.
fn list_from<T: Item>(value: &Value) -> Result<Vec<T>, ValueError> {
    use crate::serde_impl::ItemKind;
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let item = <T::Kind as ItemKind<T>>::item_from_value(item)
                    .map_err(|e| e.at(&(i + 1).to_string()))?;
                out.extend(item);
            }
            Ok(out)
        }
        Value::Object(_) => Ok(<T::Kind as ItemKind<T>>::single_from_value(value)?
            .into_iter()
            .collect()),
        other => Ok(<T::Kind as ItemKind<T>>::item_from_value(other)?
            .into_iter()
            .collect()),
    }
}

/// How each kind of item is read from a value tree (see [`ItemKind`](crate::serde_impl::ItemKind)).
pub(crate) fn scalar_item<T: Scalar>(value: &Value) -> Result<Option<T>, ValueError> {
    scalar_from(value)
}

pub(crate) fn object_item<T: Object>(value: &Value) -> Result<Option<T>, ValueError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        value => object_from(value, &format!("a {} object", T::name())).map(Some),
    }
}

/// A list item given alone as an object: an object with no known field (such as `<Items/>`
/// with unknown children) is no item.
pub(crate) fn single_object_item<T: Object + PartialEq>(
    value: &Value,
) -> Result<Option<T>, ValueError> {
    let item: T = object_from(value, &format!("a {} object", T::name()))?;
    Ok((item != T::default()).then_some(item))
}

pub(crate) fn list_item<T: Item>(value: &Value) -> Result<Option<Vec<T>>, ValueError> {
    list_from::<T>(value).map(Some)
}

pub(crate) fn any_item(value: &Value) -> Result<Option<Value>, ValueError> {
    Ok((!value.is_null()).then(|| value.clone()))
}

/// An XML body as a value tree: the root element's content. An element with child elements
/// becomes an object of them (a name that repeats becomes an array, wherever its elements
/// are); any other element becomes its text (trimmed; `""` when empty). Attributes,
/// comments and processing instructions are left out. Call [`check_xml_shape`]
/// (crate::check_xml_shape) first: this function assumes no DTD and a bounded depth.
pub fn xml_to_value(text: &str) -> Result<Value, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().check_end_names = true;
    /// An element being read: its name, children and text so far.
    struct Open {
        name: String,
        children: Vec<(String, Value)>,
        text: String,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} (at byte {})", reader.error_position()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err("content after the root element".into());
                }
                let name = std::str::from_utf8(start.name().as_ref())
                    .map_err(|_| "an element name is not UTF-8".to_string())?
                    .to_owned();
                stack.push(Open {
                    name,
                    children: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err("an end tag without a start tag".into());
                };
                let value = if done.children.is_empty() {
                    Value::String(done.text.trim().to_owned())
                } else {
                    let mut map = Map::new();
                    for (name, value) in done.children {
                        match map.get_mut(&name) {
                            Some(Value::Array(items)) => items.push(value),
                            Some(existing) => {
                                let first = existing.take();
                                *existing = Value::Array(vec![first, value]);
                            }
                            None => {
                                map.insert(name, value);
                            }
                        }
                    }
                    Value::Object(map)
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push((done.name, value)),
                    None => root = Some(value),
                }
            }
            Event::Text(t) => {
                let unescaped = t.unescape().map_err(|e| e.to_string())?;
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&unescaped),
                    None if unescaped.trim().is_empty() => {}
                    None => return Err("text outside the root element".into()),
                }
            }
            Event::CData(c) => {
                let data = std::str::from_utf8(&c)
                    .map_err(|_| "a CDATA section is not UTF-8".to_string())?;
                match stack.last_mut() {
                    Some(open) => open.text.push_str(data),
                    None => return Err("CDATA outside the root element".into()),
                }
            }
            Event::Eof => break,
            Event::DocType(_) => {
                return Err("a document type declaration (DTDs are not accepted)".into())
            }
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("the element <{}> is not closed", open.name));
    }
    root.ok_or_else(|| "there is no root element".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_becomes_a_tree_with_repeated_elements_as_arrays() {
        let v = xml_to_value(
            "<?xml version='1.0'?><R a='1'><A>1</A><B><C> x </C></B><A>2</A><E/><F><![CDATA[<y>]]></F><!-- c --></R>",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"A": ["1", "2"], "B": {"C": "x"}, "E": "", "F": "<y>"})
        );
        assert!(xml_to_value("<R><A></R>").is_err());
        assert!(xml_to_value("<R>&unknown;</R>").is_err());
        assert_eq!(xml_to_value("<R>&lt;&#233;</R>").unwrap(), json!("<é"));
    }
}
