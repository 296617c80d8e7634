//! What a decoder needs from a generated type, independent of the body's format.
//!
//! A response struct implements [`Object`]: one `match` from wire names to its typed slots.
//! The decoder (JSON or XML) hands each field's value over as a [`FieldSource`], which
//! reads it into the slot with the leniency rules of its kind: [`Scalar`] values, nested
//! objects, lists of any [`Item`], maps and any-JSON values.

use crate::serde_impl::{AnyItem, ItemKind, ListItem, ObjectItem, ScalarItem};
use std::collections::BTreeMap;
use std::fmt;

/// A struct of the response tree, read field by field from JSON or XML.
pub trait Object: Default {
    /// The type's name, for error messages (by default the last segment of its path).
    fn name() -> &'static str {
        let path = std::any::type_name::<Self>();
        path.rsplit("::").next().unwrap_or(path)
    }

    /// Reads the field with wire name `name` from `f` into its slot, or skips it with
    /// [`FieldSource::skip`] when the type has no such field. Mark impls `#[inline]`: the
    /// decoder calls this once per field, and inlined it costs what a hand-written serde
    /// `match` costs.
    fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error>;

    /// The wire names of the type's fields, in declaration order: the fields
    /// [`object_to_value`](crate::object_to_value) writes, in that order. Generated types
    /// list them all; the default lists none.
    const FIELDS: &'static [&'static str] = &[];
}

/// The value of one field in the body being decoded. Each method reads it into a slot of
/// its kind; an error names the field (`at Status: ...`).
pub trait FieldSource {
    /// The decoder's error type.
    type Error;
    /// A scalar: a JSON value or XML element text; blank text and `null` leave `None`.
    fn scalar<T: Scalar>(self, slot: &mut Option<T>) -> Result<(), Self::Error>;
    /// A nested object; an empty element, blank text or an empty array give an empty object.
    fn object<T: Object>(self, slot: &mut Option<T>) -> Result<(), Self::Error>;
    /// A list: an array, one item, or (XML) an element repeated anywhere among its siblings;
    /// each occurrence appends to the slot.
    fn list<T: Item>(self, slot: &mut Option<Vec<T>>) -> Result<(), Self::Error>;
    /// A map from string keys.
    fn map<T: Item>(self, slot: &mut Option<BTreeMap<String, T>>) -> Result<(), Self::Error>;
    /// Any JSON value, kept as is.
    fn any(self, slot: &mut Option<serde_json::Value>) -> Result<(), Self::Error>;
    /// A field the type does not know: skipped (responses: the service may add fields).
    fn skip(self) -> Result<(), Self::Error>;
    /// A field the type does not know, where that is an error (request input, such as the
    /// JSON a command line builds: a misspelt parameter must not be dropped silently).
    fn unknown(self) -> Result<(), Self::Error>;
}

/// Text that is not a valid value of the expected scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidText;

/// A scalar that may arrive as a JSON value or as XML element text.
pub trait Scalar: Sized {
    /// What the decoder expected, for error messages (`a 32-bit integer`).
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result;
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
    /// The value as JSON, as serde would serialize it (see
    /// [`object_to_value`](crate::object_to_value)).
    fn to_json(&self) -> serde_json::Value;
}

fn parse_trimmed<T: std::str::FromStr>(v: &str) -> Result<Option<T>, InvalidText> {
    // Text that starts and ends with a visible ASCII character (XML text is trimmed of XML
    // whitespace already) needs no Unicode trim.
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    let bytes = v.as_bytes();
    let t = if visible(bytes.first()) && visible(bytes.last()) {
        v
    } else {
        v.trim()
    };
    if t.is_empty() {
        return Ok(None);
    }
    t.parse().map(Some).map_err(|_| InvalidText)
}

/// An integer from text. Plain ASCII digits (the usual case: `7`, `507642378`) are read
/// here, without the standard parser's sign handling and overflow checks per digit (18
/// digits cannot overflow a `u64`); anything else, and a value out of `T`'s range, goes
/// through [`parse_trimmed`], which gives the same values and errors as before.
#[inline]
fn parse_integer<T: std::str::FromStr + TryFrom<u64>>(v: &str) -> Result<Option<T>, InvalidText> {
    let bytes = v.as_bytes();
    if !bytes.is_empty() && bytes.len() <= 18 {
        let mut n: u64 = 0;
        let mut digits = true;
        for &b in bytes {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                digits = false;
                break;
            }
            n = n * 10 + u64::from(digit);
        }
        if digits {
            if let Ok(value) = T::try_from(n) {
                return Ok(Some(value));
            }
        }
    }
    parse_trimmed(v)
}

impl Scalar for i64 {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 64-bit integer")
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }
    fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
        parse_integer(v)
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
}

impl Scalar for i32 {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 32-bit integer")
    }
    fn from_i64(v: i64) -> Option<Self> {
        i32::try_from(v).ok()
    }
    fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
        parse_integer(v)
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
}

impl Scalar for f64 {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
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
    /// A number; `null` when not finite (as serde_json writes it).
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
}

impl Scalar for bool {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }
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
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
}

/// Text keeps everything, numbers and booleans as the service wrote them (masked IDs such
/// as `2003****` are strings; an unmasked one sent as a number stays the same text).
impl Scalar for String {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
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
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(self.clone())
    }
}

/// Something a list or a map can hold: a scalar, an object, any JSON value or a list.
/// Objects are items through a blanket impl; enums through [`wire_enum!`](crate::wire_enum).
pub trait Item: Sized {
    /// How an item of this type is read. Not a public API.
    #[doc(hidden)]
    type Kind: ItemKind<Self>;
}

impl<T: Object + PartialEq> Item for T {
    type Kind = ObjectItem;
}

impl<T: Item> Item for Vec<T> {
    type Kind = ListItem;
}

impl Item for serde_json::Value {
    type Kind = AnyItem;
}

macro_rules! scalar_items {
    ($($t:ty),*) => {
        $(impl Item for $t {
            type Kind = ScalarItem;
        })*
    };
}

scalar_items!(i32, i64, f64, bool, String);

#[cfg(test)]
mod tests {
    use super::Scalar;
    use std::str::FromStr;

    /// What the standard parser gives for `text`: blank is no value.
    fn standard<T: FromStr>(text: &str) -> Option<Option<T>> {
        match text.trim() {
            "" => Some(None),
            t => t.parse().ok().map(Some),
        }
    }

    /// The digits-only fast path gives what the standard parser gives, and leaves everything
    /// else (signs, blanks, overflow, 19 digits and more, other text) to it.
    #[test]
    fn integers_from_text_match_the_standard_parser() {
        for text in [
            "0",
            "7",
            "007",
            "507642378",
            "+7",
            "-7",
            " 7 ",
            "",
            "   ",
            "1e3",
            "7a",
            "\u{663}",
            "2147483647",
            "2147483648",
            "-2147483648",
            "999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "99999999999999999999",
        ] {
            assert_eq!(
                i64::from_text(text).ok(),
                standard::<i64>(text),
                "i64 from {text:?}"
            );
            assert_eq!(
                i32::from_text(text).ok(),
                standard::<i32>(text),
                "i32 from {text:?}"
            );
        }
    }
}
