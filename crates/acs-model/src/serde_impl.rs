//! The JSON decoder behind [`from_json`](crate::from_json), over serde_json: the generated
//! `Object::field` match is called from one generic visitor, and each field's value is read
//! with the leniency rules of its kind (numbers and booleans as text, a list given as one
//! object, `null` as absent, enum values kept). Generated code never names anything here.
//! The XML decoder ([`xml_pull`](crate::xml_pull)) reads the same types to the same values.

use crate::object::{FieldSource, Item, Object, Scalar};
use crate::xml_pull::XmlItem;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A map key, borrowed from the input when the format allows.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A whole object: the root of a body, or an object-valued field.
pub(crate) struct Root<T>(pub T);

impl<'de, T: Object> Deserialize<'de> for Root<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(ObjectVisitor::<T>(PhantomData))
            .map(Root)
    }
}

/// Visits an object: a map of fields; an empty array or blank text means no fields.
struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::name())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0;
            out.field(
                &key,
                MapValue::<A> {
                    map: &mut map,
                    key: &key,
                    input: PhantomData,
                },
            )?;
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(T::default()),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        if v.trim().is_empty() {
            Ok(T::default())
        } else {
            Err(E::invalid_type(de::Unexpected::Str(v), &self))
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

/// The value of the map entry whose key was just read.
///
/// Generated `Object::field` impls are `#[inline]`, so a struct's `match` sits in the loop of
/// [`ObjectVisitor::visit_map`] as hand-written serde code would, with the readers below.
struct MapValue<'a, 'de, A> {
    map: &'a mut A,
    key: &'a str,
    input: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> MapValue<'_, 'de, A> {
    fn read<V: Deserialize<'de>>(self) -> Result<V, A::Error> {
        self.map
            .next_value::<V>()
            .map_err(|e| in_field(self.key, e))
    }
}

impl<'de, A: MapAccess<'de>> FieldSource for MapValue<'_, 'de, A> {
    type Error = A::Error;

    fn scalar<T: Scalar>(self, slot: &mut Option<T>) -> Result<(), A::Error> {
        *slot = self.read::<ScalarValue<T>>()?.0;
        Ok(())
    }

    fn object<T: Object>(self, slot: &mut Option<T>) -> Result<(), A::Error> {
        *slot = self.read::<Option<Root<T>>>()?.map(|root| root.0);
        Ok(())
    }

    fn list<T: Item>(self, slot: &mut Option<Vec<T>>) -> Result<(), A::Error> {
        let items = self.read::<Many<T>>()?.0;
        // A repeated key extends the list, as a repeated XML element does.
        match slot {
            Some(existing) => existing.extend(items),
            None => *slot = Some(items),
        }
        Ok(())
    }

    fn map<T: Item>(self, slot: &mut Option<BTreeMap<String, T>>) -> Result<(), A::Error> {
        *slot = Some(self.read::<MapOf<T>>()?.0);
        Ok(())
    }

    fn any(self, slot: &mut Option<serde_json::Value>) -> Result<(), A::Error> {
        *slot = self.read::<Option<serde_json::Value>>()?;
        Ok(())
    }

    fn skip(self) -> Result<(), A::Error> {
        self.map.next_value::<de::IgnoredAny>()?;
        Ok(())
    }

    #[cold]
    fn unknown(self) -> Result<(), A::Error> {
        Err(de::Error::custom(format_args!(
            "unknown field `{}`",
            self.key
        )))
    }
}

/// Deserializes an [`Object`] with the lenient rules of the decoders (the serde
/// `Deserialize` of generated requests; see [`deserialize_object!`](crate::deserialize_object)).
pub fn deserialize_object<'de, D: Deserializer<'de>, T: Object>(
    deserializer: D,
) -> Result<T, D::Error> {
    Root::<T>::deserialize(deserializer).map(|root| root.0)
}

/// Adds the field's wire name to a decoding error, so that nested errors read
/// `at Data.Deployment.Status: invalid value ...`.
#[cold]
fn in_field<E: de::Error>(field: &str, error: E) -> E {
    let text = error.to_string();
    // serde_json appends the position; the outer error gets it again.
    let text = match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => &text[..i],
        _ => text.as_str(),
    };
    E::custom(prefix_path(field, text))
}

/// `at {field}: {message}`, or `at {field}.{path}: ...` when the message already names a path.
#[cold]
pub(crate) fn prefix_path(field: &str, message: &str) -> String {
    match message
        .strip_prefix("at ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((path, message)) => format!("at {field}.{path}: {message}"),
        None => format!("at {field}: {message}"),
    }
}

/// [`Scalar::expecting`] as serde's `Expected`.
pub(crate) struct Expecting<T>(pub(crate) PhantomData<T>);

impl<T: Scalar> de::Expected for Expecting<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        T::expecting(f)
    }
}

/// An optional scalar.
struct ScalarValue<T>(Option<T>);

impl<'de, T: Scalar> Deserialize<'de> for ScalarValue<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ScalarVisitor::<T>(PhantomData))
            .map(ScalarValue)
    }
}

struct ScalarVisitor<T>(PhantomData<T>);

impl<T: Scalar> ScalarVisitor<T> {
    fn out_of_range<E: de::Error>(unexpected: de::Unexpected<'_>) -> E {
        E::invalid_value(unexpected, &Expecting::<T>(PhantomData))
    }
}

impl<'de, T: Scalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        T::expecting(f)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::from_bool(v)
            .map(Some)
            .ok_or_else(|| E::invalid_type(de::Unexpected::Bool(v), &Expecting::<T>(PhantomData)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i64(v)
            .map(Some)
            .ok_or_else(|| Self::out_of_range(de::Unexpected::Signed(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_u64(v)
            .map(Some)
            .ok_or_else(|| Self::out_of_range(de::Unexpected::Unsigned(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::from_f64(v)
            .map(Some)
            .ok_or_else(|| Self::out_of_range(de::Unexpected::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        T::from_text(v).map_err(|_| Self::out_of_range(de::Unexpected::Str(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    // An object with `$text` (or `$value`) is that text: how converters from XML write an
    // element with attributes.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut value = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.0 == "$text" || key.0 == "$value" {
                value = map.next_value::<ScalarValue<T>>()?.0;
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(value)
    }
}

/// How the items of one kind are read from serde (and, through [`XmlItem`], from XML). Not a
/// public API.
pub trait ItemKind<T>: XmlItem<T> {
    /// One item, from any value; `None` for an empty one.
    fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error>;
    /// One item given as a map (a JSON object where a list was expected).
    fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<T>, A::Error>;
    /// One item given as text.
    fn item_from_text<E: de::Error>(text: &str) -> Result<Option<T>, E>;
    /// The item as JSON (see [`object_to_value`](crate::object_to_value)).
    fn item_to_value(item: &mut T) -> serde_json::Value;
    /// One item of a list in a value tree.
    fn item_from_value(value: &serde_json::Value) -> Result<Option<T>, crate::value::ValueError>;
    /// A list given as this one item (an object) in a value tree.
    fn single_from_value(value: &serde_json::Value) -> Result<Option<T>, crate::value::ValueError>;
    /// Compares a documented sample's value with the decoded one (see `testing`).
    #[cfg(feature = "testing")]
    fn probe(
        probe: &mut crate::testing::Probe<'_>,
        sample: &serde_json::Value,
        again: Option<&serde_json::Value>,
        path: &str,
    );
}

/// Items that are [`Scalar`]s.
pub struct ScalarItem;
/// Items that are [`Object`]s.
pub struct ObjectItem;
/// Items that are lists themselves.
pub struct ListItem;
/// Items that are any JSON value.
pub struct AnyItem;

impl<T: Scalar> ItemKind<T> for ScalarItem {
    fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        ScalarValue::<T>::deserialize(deserializer).map(|s| s.0)
    }
    fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<T>, A::Error> {
        ScalarVisitor::<T>(PhantomData).visit_map(map)
    }
    fn item_from_text<E: de::Error>(text: &str) -> Result<Option<T>, E> {
        ScalarVisitor::<T>(PhantomData).visit_str(text)
    }
    fn item_to_value(item: &mut T) -> serde_json::Value {
        item.to_json()
    }
    fn item_from_value(value: &serde_json::Value) -> Result<Option<T>, crate::value::ValueError> {
        crate::value::scalar_item(value)
    }
    fn single_from_value(value: &serde_json::Value) -> Result<Option<T>, crate::value::ValueError> {
        crate::value::scalar_item(value)
    }
    #[cfg(feature = "testing")]
    fn probe(
        probe: &mut crate::testing::Probe<'_>,
        sample: &serde_json::Value,
        again: Option<&serde_json::Value>,
        path: &str,
    ) {
        crate::testing::probe_scalar(probe, sample, again, path);
    }
}

impl<T: Object + PartialEq> ItemKind<T> for ObjectItem {
    fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer
            .deserialize_any(ObjectVisitor::<T>(PhantomData))
            .map(Some)
    }
    /// An object with no known fields (such as `{}`) is no item.
    fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<T>, A::Error> {
        let item = ObjectVisitor::<T>(PhantomData).visit_map(map)?;
        Ok(if item == T::default() {
            None
        } else {
            Some(item)
        })
    }
    /// Only blank text is accepted, as no item.
    fn item_from_text<E: de::Error>(text: &str) -> Result<Option<T>, E> {
        ObjectVisitor::<T>(PhantomData)
            .visit_str(text)
            .map(|_| None)
    }
    fn item_to_value(item: &mut T) -> serde_json::Value {
        crate::object_to_value(item)
    }
    fn item_from_value(value: &serde_json::Value) -> Result<Option<T>, crate::value::ValueError> {
        crate::value::object_item(value)
    }
    fn single_from_value(value: &serde_json::Value) -> Result<Option<T>, crate::value::ValueError> {
        crate::value::single_object_item(value)
    }
    #[cfg(feature = "testing")]
    fn probe(
        probe: &mut crate::testing::Probe<'_>,
        sample: &serde_json::Value,
        again: Option<&serde_json::Value>,
        path: &str,
    ) {
        crate::testing::probe_object::<T>(probe, sample, again, path);
    }
}

impl<T: Item> ItemKind<Vec<T>> for ListItem {
    fn deserialize_item<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        Many::<T>::deserialize(deserializer).map(|m| Some(m.0))
    }
    fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<Vec<T>>, A::Error> {
        Ok(<T::Kind as ItemKind<T>>::item_from_map::<A>(map)?.map(|one| vec![one]))
    }
    fn item_from_text<E: de::Error>(text: &str) -> Result<Option<Vec<T>>, E> {
        Ok(<T::Kind as ItemKind<T>>::item_from_text::<E>(text)?.map(|one| vec![one]))
    }
    fn item_to_value(item: &mut Vec<T>) -> serde_json::Value {
        crate::object_value::list_to_value(item)
    }
    fn item_from_value(
        value: &serde_json::Value,
    ) -> Result<Option<Vec<T>>, crate::value::ValueError> {
        crate::value::list_item(value)
    }
    fn single_from_value(
        value: &serde_json::Value,
    ) -> Result<Option<Vec<T>>, crate::value::ValueError> {
        crate::value::list_item(value)
    }
    #[cfg(feature = "testing")]
    fn probe(
        probe: &mut crate::testing::Probe<'_>,
        sample: &serde_json::Value,
        again: Option<&serde_json::Value>,
        path: &str,
    ) {
        crate::testing::probe_list::<T>(probe, sample, again, path);
    }
}

impl ItemKind<serde_json::Value> for AnyItem {
    fn deserialize_item<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<serde_json::Value>, D::Error> {
        Option::<serde_json::Value>::deserialize(deserializer)
    }
    fn item_from_map<'de, A: MapAccess<'de>>(
        map: A,
    ) -> Result<Option<serde_json::Value>, A::Error> {
        serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn item_from_text<E: de::Error>(text: &str) -> Result<Option<serde_json::Value>, E> {
        Ok(Some(serde_json::Value::String(text.to_owned())))
    }
    fn item_to_value(item: &mut serde_json::Value) -> serde_json::Value {
        item.clone()
    }
    fn item_from_value(
        value: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>, crate::value::ValueError> {
        crate::value::any_item(value)
    }
    fn single_from_value(
        value: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>, crate::value::ValueError> {
        crate::value::any_item(value)
    }
    #[cfg(feature = "testing")]
    fn probe(
        probe: &mut crate::testing::Probe<'_>,
        sample: &serde_json::Value,
        again: Option<&serde_json::Value>,
        path: &str,
    ) {
        crate::testing::probe_any(probe, sample, again, path);
    }
}

/// Reads one item of type `T` as a seed.
struct ItemSeed<T>(PhantomData<T>);

impl<'de, T: Item> DeserializeSeed<'de> for ItemSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        <T::Kind as ItemKind<T>>::deserialize_item::<D>(deserializer)
    }
}

/// Items of a list field: an array, one object, one XML element, or blank.
struct Many<T>(Vec<T>);

impl<'de, T: Item> Deserialize<'de> for Many<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ManyVisitor::<T>(PhantomData))
            .map(Many)
    }
}

struct ManyVisitor<T>(PhantomData<T>);

impl<'de, T: Item> Visitor<'de> for ManyVisitor<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, or a single item")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(ItemSeed::<T>(PhantomData))? {
            items.extend(item);
        }
        Ok(items)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
        Ok(<T::Kind as ItemKind<T>>::item_from_map::<A>(map)?
            .into_iter()
            .collect())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        Ok(<T::Kind as ItemKind<T>>::item_from_text::<E>(v)?
            .into_iter()
            .collect())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<T>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<T>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<T>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<T>, E> {
        self.visit_str(if v { "true" } else { "false" })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A map field with string keys.
struct MapOf<T>(BTreeMap<String, T>);

impl<'de, T: Item> Deserialize<'de> for MapOf<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<T>(PhantomData<T>);
        impl<'de, T: Item> Visitor<'de> for MapVisitor<T> {
            type Value = BTreeMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    if let Some(value) = map.next_value_seed(ItemSeed::<T>(PhantomData))? {
                        out.insert(key.0.into_owned(), value);
                    }
                }
                Ok(out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BTreeMap::new())
            }
        }
        deserializer
            .deserialize_any(MapVisitor::<T>(PhantomData))
            .map(MapOf)
    }
}
