//! The `__private` module of the generated models crate: decoding helpers shared by every
//! generated type. They make JSON and XML decode to the same values: XML carries every
//! value as element text, and a list arrives as one object, an array, one element or
//! repeated elements.

use proc_macro2::TokenStream;
use quote::quote;

/// Tokens of `src/__private.rs`.
pub fn private_module() -> TokenStream {
    quote! {
        //! Decoding helpers used by the generated types. Not a public API: names and
        //! signatures may change in any release.

        use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
        use std::borrow::Cow;
        use std::fmt;
        use std::marker::PhantomData;

        /// A map key, borrowed from the input when the format allows.
        pub struct Key<'de>(Cow<'de, str>);

        impl Key<'_> {
            /// The key text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

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

        /// Text that is not a valid value of the expected scalar type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct InvalidText;

        /// A scalar that may arrive as a JSON value or as XML element text.
        pub trait ScalarValue: Sized {
            /// What the decoder expected, for error messages.
            const EXPECTING: &'static str;
            /// From a JSON integer.
            fn from_i64(v: i64) -> Option<Self>;
            /// From a JSON integer above `i64::MAX`.
            fn from_u64(v: u64) -> Option<Self> {
                i64::try_from(v).ok().and_then(Self::from_i64)
            }
            /// From a JSON floating-point number.
            fn from_f64(_v: f64) -> Option<Self> {
                None
            }
            /// From a JSON boolean.
            fn from_bool(_v: bool) -> Option<Self> {
                None
            }
            /// From text; `Ok(None)` for blank text where blank means absent.
            fn from_text(v: &str) -> Result<Option<Self>, InvalidText>;
        }

        impl ScalarValue for i64 {
            const EXPECTING: &'static str = "a 64-bit integer";
            fn from_i64(v: i64) -> Option<Self> {
                Some(v)
            }
            fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
                parse_trimmed(v)
            }
        }

        impl ScalarValue for i32 {
            const EXPECTING: &'static str = "a 32-bit integer";
            fn from_i64(v: i64) -> Option<Self> {
                i32::try_from(v).ok()
            }
            fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
                parse_trimmed(v)
            }
        }

        impl ScalarValue for f64 {
            const EXPECTING: &'static str = "a number";
            fn from_i64(v: i64) -> Option<Self> {
                Some(v as f64)
            }
            fn from_u64(v: u64) -> Option<Self> {
                Some(v as f64)
            }
            fn from_f64(v: f64) -> Option<Self> {
                Some(v)
            }
            fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
                parse_trimmed(v)
            }
        }

        impl ScalarValue for bool {
            const EXPECTING: &'static str = "a boolean";
            fn from_i64(_v: i64) -> Option<Self> {
                None
            }
            fn from_bool(v: bool) -> Option<Self> {
                Some(v)
            }
            fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
                match v.trim() {
                    "" => Ok(None),
                    t if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
                    t if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
                    _ => Err(InvalidText),
                }
            }
        }

        impl ScalarValue for String {
            const EXPECTING: &'static str = "a string";
            fn from_i64(v: i64) -> Option<Self> {
                Some(v.to_string())
            }
            fn from_u64(v: u64) -> Option<Self> {
                Some(v.to_string())
            }
            fn from_f64(v: f64) -> Option<Self> {
                Some(v.to_string())
            }
            fn from_bool(v: bool) -> Option<Self> {
                Some(v.to_string())
            }
            fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
                Ok(Some(v.to_owned()))
            }
        }

        fn parse_trimmed<T: std::str::FromStr>(v: &str) -> Result<Option<T>, InvalidText> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse().map(Some).map_err(|_| InvalidText)
        }

        /// An optional scalar field.
        pub struct Scalar<T>(pub Option<T>);

        impl<'de, T: ScalarValue> Deserialize<'de> for Scalar<T> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(ScalarVisitor(PhantomData)).map(Scalar)
            }
        }

        struct ScalarVisitor<T>(PhantomData<T>);

        impl<T: ScalarValue> ScalarVisitor<T> {
            fn out_of_range<E: de::Error>(unexpected: de::Unexpected<'_>) -> E {
                E::invalid_value(unexpected, &T::EXPECTING)
            }
        }

        impl<'de, T: ScalarValue> Visitor<'de> for ScalarVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::EXPECTING)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::from_bool(v).map(Some).ok_or_else(|| E::invalid_type(de::Unexpected::Bool(v), &T::EXPECTING))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::from_i64(v).map(Some).ok_or_else(|| Self::out_of_range(de::Unexpected::Signed(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::from_u64(v).map(Some).ok_or_else(|| Self::out_of_range(de::Unexpected::Unsigned(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::from_f64(v).map(Some).ok_or_else(|| Self::out_of_range(de::Unexpected::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::from_text(v).map_err(|InvalidText| E::invalid_value(de::Unexpected::Str(v), &T::EXPECTING))
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
                    if key.as_str() == "$text" || key.as_str() == "$value" {
                        value = map.next_value::<Scalar<T>>()?.0;
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                Ok(value)
            }
        }

        /// A response struct built from a map of its wire fields.
        pub trait FromMap: Default {
            /// The type's name, for error messages.
            const NAME: &'static str;
            /// Reads the fields from `map`, ignoring unknown ones.
            fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
        }

        /// Visits a struct: a map of fields; an empty array or blank text means no fields.
        pub struct StructVisitor<T>(PhantomData<T>);

        impl<T> StructVisitor<T> {
            /// A visitor for `T`.
            pub fn new() -> Self {
                StructVisitor(PhantomData)
            }
        }

        impl<T> Default for StructVisitor<T> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<'de, T: FromMap> Visitor<'de> for StructVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a {} object", T::NAME)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::from_map(map)
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

        /// Something a list can hold.
        pub trait ListItem: Sized {
            /// One item, from any value; `None` for an empty one.
            fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error>;
            /// One item given as a map (a JSON object or an XML element).
            fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error>;
            /// One item given as text.
            fn item_from_text<E: de::Error>(text: &str) -> Result<Option<Self>, E>;
        }

        impl<T: ScalarValue> ListItem for T {
            fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
                Scalar::<T>::deserialize(deserializer).map(|s| s.0)
            }
            fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                ScalarVisitor::<T>(PhantomData).visit_map(map)
            }
            fn item_from_text<E: de::Error>(text: &str) -> Result<Option<Self>, E> {
                ScalarVisitor::<T>(PhantomData).visit_str(text)
            }
        }

        impl ListItem for serde_json::Value {
            fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
                Option::<serde_json::Value>::deserialize(deserializer)
            }
            fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
            }
            fn item_from_text<E: de::Error>(text: &str) -> Result<Option<Self>, E> {
                Ok(Some(serde_json::Value::String(text.to_owned())))
            }
        }

        impl<T: ListItem> ListItem for Vec<T> {
            fn deserialize_item<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
                Many::<T>::deserialize(deserializer).map(|m| Some(m.0))
            }
            fn item_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                Ok(T::item_from_map(map)?.map(|one| vec![one]))
            }
            fn item_from_text<E: de::Error>(text: &str) -> Result<Option<Self>, E> {
                Ok(T::item_from_text(text)?.map(|one| vec![one]))
            }
        }

        /// `ListItem::deserialize_item` for a generated struct.
        pub fn struct_item<'de, T: FromMap + PartialEq, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
            deserializer.deserialize_any(StructVisitor::<T>::new()).map(Some)
        }

        /// `ListItem::item_from_map` for a generated struct: an XML element with no known
        /// fields (such as `<Items/>`) is no item.
        pub fn struct_item_from_map<'de, T: FromMap + PartialEq, A: MapAccess<'de>>(map: A) -> Result<Option<T>, A::Error> {
            let item = T::from_map(map)?;
            Ok(if item == T::default() { None } else { Some(item) })
        }

        /// `ListItem::item_from_text` for a generated struct: only blank text is accepted.
        pub fn struct_item_from_text<T: FromMap, E: de::Error>(text: &str) -> Result<Option<T>, E> {
            StructVisitor::<T>::new().visit_str(text).map(|_| None)
        }

        /// Items of a list field: an array, one object, one XML element, or blank.
        /// Repeated XML elements arrive as repeated keys; the struct visitor extends the list.
        pub struct Many<T>(pub Vec<T>);

        impl<'de, T: ListItem> Deserialize<'de> for Many<T> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(ManyVisitor(PhantomData)).map(Many)
            }
        }

        struct ManyVisitor<T>(PhantomData<T>);

        struct ItemSeed<T>(PhantomData<T>);

        impl<'de, T: ListItem> de::DeserializeSeed<'de> for ItemSeed<T> {
            type Value = Option<T>;
            fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
                T::deserialize_item(deserializer)
            }
        }

        impl<'de, T: ListItem> Visitor<'de> for ManyVisitor<T> {
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
                Ok(T::item_from_map(map)?.into_iter().collect())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
                Ok(T::item_from_text(v)?.into_iter().collect())
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

        /// Adds the field's wire name to a decoding error, so that nested errors read
        /// `at Data.Deployment.Status: invalid value ...`.
        #[cold]
        pub fn in_field<E: de::Error>(field: &str, error: E) -> E {
            let text = error.to_string();
            // serde_json appends the position; the outer error gets it again.
            let text = match text.rfind(" at line ") {
                Some(i) if text[i..].contains(" column ") => &text[..i],
                _ => text.as_str(),
            };
            match text.strip_prefix("at ").and_then(|rest| rest.split_once(": ")) {
                Some((path, message)) => E::custom(format_args!("at {field}.{path}: {message}")),
                None => E::custom(format_args!("at {field}: {text}")),
            }
        }

        /// Appends decoded items to an optional list field.
        pub fn extend<T>(field: &mut Option<Vec<T>>, items: Vec<T>) {
            match field {
                Some(existing) => existing.extend(items),
                None => *field = Some(items),
            }
        }

        /// A map field with string keys.
        pub struct MapOf<T>(pub std::collections::BTreeMap<String, T>);

        impl<'de, T: ListItem> Deserialize<'de> for MapOf<T> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct MapVisitor<T>(PhantomData<T>);
                impl<'de, T: ListItem> Visitor<'de> for MapVisitor<T> {
                    type Value = std::collections::BTreeMap<String, T>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a map")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = std::collections::BTreeMap::new();
                        while let Some(key) = map.next_key::<Key<'de>>()? {
                            if let Some(value) = map.next_value_seed(ItemSeed::<T>(PhantomData))? {
                                out.insert(key.as_str().to_owned(), value);
                            }
                        }
                        Ok(out)
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                        Ok(std::collections::BTreeMap::new())
                    }
                }
                deserializer.deserialize_any(MapVisitor(PhantomData)).map(MapOf)
            }
        }

        /// Text of a scalar parameter as the service expects it.
        pub trait ToParam {
            /// The wire text.
            fn to_param(&self) -> String;
        }

        impl ToParam for i64 {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }

        impl ToParam for i32 {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }

        impl ToParam for f64 {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }

        impl ToParam for bool {
            fn to_param(&self) -> String {
                if *self { "true".to_owned() } else { "false".to_owned() }
            }
        }

        impl ToParam for String {
            fn to_param(&self) -> String {
                self.clone()
            }
        }

        /// Flattens a JSON value the way the official SDKs do: objects as `Name.Key`,
        /// arrays as `Name.1`, `Name.2`, scalars as text; `null` is left out.
        pub fn flatten_json(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
            match value {
                serde_json::Value::Null => {}
                serde_json::Value::Bool(b) => out.push((prefix.to_owned(), b.to_param())),
                serde_json::Value::Number(n) => out.push((prefix.to_owned(), n.to_string())),
                serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
                serde_json::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        flatten_json(&format!("{prefix}.{}", i + 1), item, out);
                    }
                }
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        flatten_json(&format!("{prefix}.{k}"), v, out);
                    }
                }
            }
        }
    }
}
