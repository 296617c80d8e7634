//! The decoders behind [`from_json`](crate::from_json) and [`from_xml`](crate::from_xml),
//! over serde (serde_json and quick-xml's deserializer). They make JSON and XML decode to the
//! same values: XML carries every value as element text, and a list arrives as one object,
//! an array, one element or repeated elements. Generated code never names anything here.

use crate::object::{FieldSource, Item, Object, Scalar};
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

/// A whole object: the root of a body, or an object-valued field. `XML` tells which decoder
/// reads it: the two get differently tuned code (see [`MapValue`]).
pub(crate) struct Root<T, const XML: bool>(pub T);

impl<'de, T: Object, const XML: bool> Deserialize<'de> for Root<T, XML> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(ObjectVisitor::<T, XML>(PhantomData))
            .map(Root)
    }
}

/// Visits an object: a map of fields; an empty array or blank text means no fields.
struct ObjectVisitor<T, const XML: bool>(PhantomData<T>);

impl<'de, T: Object, const XML: bool> Visitor<'de> for ObjectVisitor<T, XML> {
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
                MapValue::<A, XML> {
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
/// [`ObjectVisitor::visit_map`] as hand-written serde code would. With serde_json the readers
/// below are inlined into it too; behind quick-xml's deserializer that made the loop large
/// enough to slow XML decoding by a fifth (measured with the decode bench), so there they are
/// called out of line.
struct MapValue<'a, 'de, A, const XML: bool> {
    map: &'a mut A,
    key: &'a str,
    input: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>, const XML: bool> MapValue<'_, 'de, A, XML> {
    fn read<V: Deserialize<'de>>(self) -> Result<V, A::Error> {
        if XML {
            read_out_of_line(self.map, self.key)
        } else {
            self.map
                .next_value::<V>()
                .map_err(|e| in_field(self.key, e))
        }
    }
}

#[inline(never)]
fn read_out_of_line<'de, A: MapAccess<'de>, V: Deserialize<'de>>(
    map: &mut A,
    key: &str,
) -> Result<V, A::Error> {
    map.next_value::<V>().map_err(|e| in_field(key, e))
}

impl<'de, A: MapAccess<'de>, const XML: bool> FieldSource for MapValue<'_, 'de, A, XML> {
    type Error = A::Error;

    fn scalar<T: Scalar>(self, slot: &mut Option<T>) -> Result<(), A::Error> {
        *slot = self.read::<ScalarValue<T>>()?.0;
        Ok(())
    }

    fn object<T: Object>(self, slot: &mut Option<T>) -> Result<(), A::Error> {
        *slot = self.read::<Option<Root<T, XML>>>()?.map(|root| root.0);
        Ok(())
    }

    fn list<T: Item>(self, slot: &mut Option<Vec<T>>) -> Result<(), A::Error> {
        let items = self.read::<Many<T, XML>>()?.0;
        // Repeated XML elements arrive as repeated keys: each occurrence extends the list.
        match slot {
            Some(existing) => existing.extend(items),
            None => *slot = Some(items),
        }
        Ok(())
    }

    fn map<T: Item>(self, slot: &mut Option<BTreeMap<String, T>>) -> Result<(), A::Error> {
        *slot = Some(self.read::<MapOf<T, XML>>()?.0);
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
    match text
        .strip_prefix("at ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((path, message)) => E::custom(format_args!("at {field}.{path}: {message}")),
        None => E::custom(format_args!("at {field}: {text}")),
    }
}

/// [`Scalar::expecting`] as serde's `Expected`.
struct Expecting<T>(PhantomData<T>);

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
    // An XML element arrives as a map: its text under `$text`, attributes under `@name`.
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

/// How the items of one kind are read from serde. Not a public API.
pub trait ItemKind<T> {
    /// One item, from any value; `None` for an empty one.
    fn deserialize_item<'de, D: Deserializer<'de>, const XML: bool>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error>;
    /// One item given as a map (a JSON object or an XML element).
    fn item_from_map<'de, A: MapAccess<'de>, const XML: bool>(
        map: A,
    ) -> Result<Option<T>, A::Error>;
    /// One item given as text.
    fn item_from_text<E: de::Error, const XML: bool>(text: &str) -> Result<Option<T>, E>;
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
    fn deserialize_item<'de, D: Deserializer<'de>, const XML: bool>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        ScalarValue::<T>::deserialize(deserializer).map(|s| s.0)
    }
    fn item_from_map<'de, A: MapAccess<'de>, const XML: bool>(
        map: A,
    ) -> Result<Option<T>, A::Error> {
        ScalarVisitor::<T>(PhantomData).visit_map(map)
    }
    fn item_from_text<E: de::Error, const XML: bool>(text: &str) -> Result<Option<T>, E> {
        ScalarVisitor::<T>(PhantomData).visit_str(text)
    }
}

impl<T: Object + PartialEq> ItemKind<T> for ObjectItem {
    fn deserialize_item<'de, D: Deserializer<'de>, const XML: bool>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        deserializer
            .deserialize_any(ObjectVisitor::<T, XML>(PhantomData))
            .map(Some)
    }
    /// An XML element with no known fields (such as `<Items/>`) is no item.
    fn item_from_map<'de, A: MapAccess<'de>, const XML: bool>(
        map: A,
    ) -> Result<Option<T>, A::Error> {
        let item = ObjectVisitor::<T, XML>(PhantomData).visit_map(map)?;
        Ok(if item == T::default() {
            None
        } else {
            Some(item)
        })
    }
    /// Only blank text is accepted, as no item.
    fn item_from_text<E: de::Error, const XML: bool>(text: &str) -> Result<Option<T>, E> {
        ObjectVisitor::<T, XML>(PhantomData)
            .visit_str(text)
            .map(|_| None)
    }
}

impl<T: Item> ItemKind<Vec<T>> for ListItem {
    fn deserialize_item<'de, D: Deserializer<'de>, const XML: bool>(
        deserializer: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        Many::<T, XML>::deserialize(deserializer).map(|m| Some(m.0))
    }
    fn item_from_map<'de, A: MapAccess<'de>, const XML: bool>(
        map: A,
    ) -> Result<Option<Vec<T>>, A::Error> {
        Ok(<T::Kind as ItemKind<T>>::item_from_map::<A, XML>(map)?.map(|one| vec![one]))
    }
    fn item_from_text<E: de::Error, const XML: bool>(text: &str) -> Result<Option<Vec<T>>, E> {
        Ok(<T::Kind as ItemKind<T>>::item_from_text::<E, XML>(text)?.map(|one| vec![one]))
    }
}

impl ItemKind<serde_json::Value> for AnyItem {
    fn deserialize_item<'de, D: Deserializer<'de>, const XML: bool>(
        deserializer: D,
    ) -> Result<Option<serde_json::Value>, D::Error> {
        Option::<serde_json::Value>::deserialize(deserializer)
    }
    fn item_from_map<'de, A: MapAccess<'de>, const XML: bool>(
        map: A,
    ) -> Result<Option<serde_json::Value>, A::Error> {
        serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn item_from_text<E: de::Error, const XML: bool>(
        text: &str,
    ) -> Result<Option<serde_json::Value>, E> {
        Ok(Some(serde_json::Value::String(text.to_owned())))
    }
}

/// Reads one item of type `T` as a seed.
struct ItemSeed<T, const XML: bool>(PhantomData<T>);

impl<'de, T: Item, const XML: bool> DeserializeSeed<'de> for ItemSeed<T, XML> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        <T::Kind as ItemKind<T>>::deserialize_item::<D, XML>(deserializer)
    }
}

/// Items of a list field: an array, one object, one XML element, or blank.
struct Many<T, const XML: bool>(Vec<T>);

impl<'de, T: Item, const XML: bool> Deserialize<'de> for Many<T, XML> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ManyVisitor::<T, XML>(PhantomData))
            .map(Many)
    }
}

struct ManyVisitor<T, const XML: bool>(PhantomData<T>);

impl<'de, T: Item, const XML: bool> Visitor<'de> for ManyVisitor<T, XML> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, or a single item")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(ItemSeed::<T, XML>(PhantomData))? {
            items.extend(item);
        }
        Ok(items)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
        Ok(<T::Kind as ItemKind<T>>::item_from_map::<A, XML>(map)?
            .into_iter()
            .collect())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        Ok(<T::Kind as ItemKind<T>>::item_from_text::<E, XML>(v)?
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
struct MapOf<T, const XML: bool>(BTreeMap<String, T>);

impl<'de, T: Item, const XML: bool> Deserialize<'de> for MapOf<T, XML> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<T, const XML: bool>(PhantomData<T>);
        impl<'de, T: Item, const XML: bool> Visitor<'de> for MapVisitor<T, XML> {
            type Value = BTreeMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    if let Some(value) = map.next_value_seed(ItemSeed::<T, XML>(PhantomData))? {
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
            .deserialize_any(MapVisitor::<T, XML>(PhantomData))
            .map(MapOf)
    }
}
