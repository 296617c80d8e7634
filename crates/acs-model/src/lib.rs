//! What every generated models crate shares, so that a generated crate holds only what its
//! spec decides: the request and response types, their wire names, enums and rules.
//!
//! Generated code calls these small helpers the way progenitor's output calls
//! `progenitor-client`: a response struct implements [`Object`] (one `match` from wire
//! names to typed slots), a request implements [`Request`] (its action, rules and one
//! [`ParamWriter`] call per parameter), an enum is declared with [`wire_enum!`].
//! Everything else lives here once:
//!
//! * decoding ([`from_json`], [`from_xml`]) with the service's quirks: numbers and booleans
//!   as text, a list given as one object, one element or repeated elements (adjacent or
//!   not), empty elements and `null` as absent, unknown fields skipped, enum values the spec
//!   does not list kept, and errors that name the field path (`at Data.Deployment.Status`);
//! * the XML safety rules (no DTD, at most [`MAX_XML_DEPTH`] levels; [`check_xml_shape`] for
//!   other parsers) and byte-order marks ([`strip_bom`]);
//! * request parameters: one way to turn a value into wire text ([`ParamValue`]), lists as
//!   `Name.1`, `Name.2`, objects as `Name.Key`, JSON-style parameters as JSON text;
//! * [`BuildError`] (a request that breaks the spec's rules) and [`DecodeError`];
//! * how an action is signed ([`Signing`]) and what `Debug` shows of a secret ([`redacted`]).
//!
//! JSON is read with serde_json; XML in one pass over quick-xml's pull reader, straight into
//! the same types. It depends on serde, serde_json and quick-xml only, so models pull in no
//! HTTP stack.
//!
//! ```
//! use acs_model::{FieldSource, Object};
//!
//! #[derive(Debug, Default, PartialEq)]
//! struct Deployment {
//!     status: Option<i32>,
//!     items: Option<Vec<String>>,
//! }
//!
//! impl Object for Deployment {
//!     fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
//!         match name {
//!             "Status" => f.scalar(&mut self.status),
//!             "Items" => f.list(&mut self.items),
//!             _ => f.skip(),
//!         }
//!     }
//! }
//!
//! let json: Deployment = acs_model::from_json(br#"{"Status": "1", "Items": "a"}"#)?;
//! let xml: Deployment = acs_model::from_xml(b"<R><Status>1</Status><Items>a</Items></R>")?;
//! assert_eq!(json, xml);
//! assert_eq!(json.items, Some(vec!["a".to_string()]));
//! # Ok::<(), acs_model::DecodeError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
mod decode;
mod enums;
mod object;
mod object_value;
mod params;
mod pattern;
mod request;
mod secret;
mod serde_impl;
#[cfg(feature = "testing")]
pub mod testing;
mod value;
mod xml;
mod xml_pull;
mod xml_tokens;

pub use check::{BuildError, ConstraintError};
pub use decode::{decode_tree, from_json, from_xml, DecodeError, Format};
pub use enums::{EnumValue, WireEnum};
pub use object::{FieldSource, InvalidText, Item, Object, Scalar};
pub use object_value::object_to_value;
pub use params::{
    json_string, python_float, to_json, Encoder, ObjectEncoder, ParamLocation, ParamSink,
    ParamValue, ParamWriter, WireParam,
};
pub use pattern::{Pattern, PatternError};
pub use request::{BusinessStatus, Idempotency, Paginated, Request, Signing};
pub use secret::redacted;
pub use value::{from_value, xml_to_value, ValueError};
pub use xml::{check_xml_shape, strip_bom, MAX_XML_DEPTH};

/// Implements `serde::Deserialize` for [`Object`] types (generated requests) with the
/// decoders' rules: wire names, numbers and booleans also as text, lists also as one item.
/// A field the type does not know is an error when its `field` says so
/// ([`FieldSource::unknown`]).
///
/// ```
/// use acs_model::{FieldSource, Object};
///
/// #[derive(Debug, Default, PartialEq)]
/// struct GetThing {
///     id: Option<i64>,
/// }
///
/// impl Object for GetThing {
///     fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
///         match name {
///             "Id" => f.scalar(&mut self.id),
///             _ => f.unknown(),
///         }
///     }
/// }
///
/// acs_model::deserialize_object!(GetThing);
///
/// let thing: GetThing = serde_json::from_value(serde_json::json!({"Id": "7"})).unwrap();
/// assert_eq!(thing, GetThing { id: Some(7) });
/// let err = serde_json::from_value::<GetThing>(serde_json::json!({"Idd": 7})).unwrap_err();
/// assert!(err.to_string().contains("unknown field `Idd`"));
/// ```
#[macro_export]
macro_rules! deserialize_object {
    ($name:ty) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $crate::__private::deserialize_object(deserializer)
            }
        }
    };
}

/// Used by [`wire_enum!`] and the [`Item`] trait. Not a public API: names may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::serde_impl::{
        deserialize_object, AnyItem, ItemKind, ListItem, ObjectItem, ScalarItem,
    };
    pub use crate::xml_pull::{Element, XmlError, XmlItem};
    pub use serde;
}
