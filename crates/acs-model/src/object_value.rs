//! A decoded object as a JSON value with wire names (what a command-line tool prints), read
//! through [`Object`]: one small function per type and a handful of shared ones, where a
//! serde `Serialize` per type instantiates a serializer per type and per field type.

use crate::object::{FieldSource, Item, Object, Scalar};
use crate::serde_impl::ItemKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::convert::Infallible;

/// The object as a JSON object: each field that has a value, under its wire name, in the
/// order of [`Object::FIELDS`]; for a generated type, what serializing it with serde gives
/// (numbers that are not finite become `null`, enums their wire value, maps keep their
/// key order). `object` is mutable only because [`Object::field`] lends its slots mutably;
/// nothing is changed.
///
/// ```
/// use acs_model::{FieldSource, Object};
///
/// #[derive(Default)]
/// struct Page {
///     total: Option<i64>,
///     next: Option<String>,
/// }
///
/// impl Object for Page {
///     const FIELDS: &'static [&'static str] = &["TotalCount", "NextToken"];
///     fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
///         match name {
///             "TotalCount" => f.scalar(&mut self.total),
///             "NextToken" => f.scalar(&mut self.next),
///             _ => f.skip(),
///         }
///     }
/// }
///
/// let mut page = Page { total: Some(3), next: None };
/// assert_eq!(acs_model::object_to_value(&mut page), serde_json::json!({"TotalCount": 3}));
/// ```
pub fn object_to_value<T: Object>(object: &mut T) -> Value {
    let mut out = Map::new();
    for name in T::FIELDS {
        let field = Field {
            name,
            out: &mut out,
        };
        // Infallible: a field only writes its value.
        let Ok(()) = object.field(name, field);
    }
    Value::Object(out)
}

/// The items of a list as a JSON array.
pub(crate) fn list_to_value<T: Item>(items: &mut [T]) -> Value {
    Value::Array(items.iter_mut().map(item_to_value).collect())
}

fn item_to_value<T: Item>(item: &mut T) -> Value {
    <T::Kind as ItemKind<T>>::item_to_value(item)
}

/// One field of the object being written: its value goes into `out` under `name`.
struct Field<'a> {
    name: &'static str,
    out: &'a mut Map<String, Value>,
}

impl Field<'_> {
    fn put(self, value: Value) -> Result<(), Infallible> {
        self.out.insert(self.name.to_owned(), value);
        Ok(())
    }
}

impl FieldSource for Field<'_> {
    type Error = Infallible;

    fn scalar<T: Scalar>(self, slot: &mut Option<T>) -> Result<(), Infallible> {
        match slot {
            Some(value) => self.put(value.to_json()),
            None => Ok(()),
        }
    }

    fn object<T: Object>(self, slot: &mut Option<T>) -> Result<(), Infallible> {
        match slot {
            Some(value) => self.put(object_to_value(value)),
            None => Ok(()),
        }
    }

    fn list<T: Item>(self, slot: &mut Option<Vec<T>>) -> Result<(), Infallible> {
        match slot {
            Some(items) => self.put(list_to_value(items)),
            None => Ok(()),
        }
    }

    fn map<T: Item>(self, slot: &mut Option<BTreeMap<String, T>>) -> Result<(), Infallible> {
        match slot {
            Some(entries) => {
                let map = entries
                    .iter_mut()
                    .map(|(key, item)| (key.clone(), item_to_value(item)))
                    .collect();
                self.put(Value::Object(map))
            }
            None => Ok(()),
        }
    }

    fn any(self, slot: &mut Option<Value>) -> Result<(), Infallible> {
        match slot {
            Some(value) => self.put(value.clone()),
            None => Ok(()),
        }
    }

    fn skip(self) -> Result<(), Infallible> {
        Ok(())
    }

    fn unknown(self) -> Result<(), Infallible> {
        Ok(())
    }
}
