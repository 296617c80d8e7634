//! Enums of the spec: documented values plus an `Unknown` variant that keeps any other value
//! the service sends, so a new value on the server never breaks a client.

use crate::object::{InvalidText, Scalar};
use std::fmt;

/// An enum declared with [`wire_enum!`](crate::wire_enum): its wire values and what the spec
/// says about them. The macro also gives every such enum inherent `KNOWN`, `from_value`,
/// `value`, `name` and `is_final`, so users need not import this trait.
pub trait WireEnum: Sized + 'static {
    /// The type's name, for error messages.
    const NAME: &'static str;
    /// Every value the spec documents, in spec order.
    const KNOWN: &'static [Self];
    /// The wire type: `i32`, `i64` or `str`.
    type Value: ?Sized + EnumValue;
    /// The variant for a wire value; values the spec does not list become `Unknown`.
    fn from_wire(value: &Self::Value) -> Self;
    /// The wire value.
    fn wire(&self) -> &Self::Value;
    /// The documented name of the value (such as `DEPLOY_ERROR`); `None` when unknown.
    fn label(&self) -> Option<&'static str>;
    /// Whether the value ends the process it describes, as the spec says; `None` for values
    /// it does not classify and for unknown ones.
    fn is_final(&self) -> Option<bool>;
}

/// The wire type behind an enum: `i32`, `i64` or `str`.
pub trait EnumValue: fmt::Display + PartialEq {
    /// `number` or `string`, for error messages.
    const KIND: &'static str;
    /// The enum value for a JSON integer.
    fn enum_from_i64<E: WireEnum<Value = Self>>(v: i64) -> Option<E>;
    /// The enum value for text (XML, or a JSON string); `Ok(None)` where blank means absent.
    fn enum_from_text<E: WireEnum<Value = Self>>(v: &str) -> Result<Option<E>, InvalidText>;
    /// The wire value as JSON: a number or a string.
    fn enum_to_json(&self) -> serde_json::Value;
}

macro_rules! integer_values {
    ($($t:ty),*) => {
        $(impl EnumValue for $t {
            const KIND: &'static str = "number";
            fn enum_from_i64<E: WireEnum<Value = Self>>(v: i64) -> Option<E> {
                <$t>::try_from(v).ok().map(|v| E::from_wire(&v))
            }
            fn enum_from_text<E: WireEnum<Value = Self>>(v: &str) -> Result<Option<E>, InvalidText> {
                <$t as Scalar>::from_text(v).map(|o| o.map(|v| E::from_wire(&v)))
            }
            fn enum_to_json(&self) -> serde_json::Value {
                serde_json::Value::from(*self)
            }
        })*
    };
}

integer_values!(i32, i64);

impl EnumValue for str {
    const KIND: &'static str = "string";
    fn enum_from_i64<E: WireEnum<Value = Self>>(v: i64) -> Option<E> {
        Some(E::from_wire(&v.to_string()))
    }
    fn enum_from_text<E: WireEnum<Value = Self>>(v: &str) -> Result<Option<E>, InvalidText> {
        Ok(Some(E::from_wire(v)))
    }
    fn enum_to_json(&self) -> serde_json::Value {
        serde_json::Value::from(self)
    }
}

impl<E: WireEnum> Scalar for E {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} {}", E::NAME, E::Value::KIND)
    }
    fn from_i64(v: i64) -> Option<Self> {
        E::Value::enum_from_i64(v)
    }
    fn from_text(v: &str) -> Result<Option<Self>, InvalidText> {
        E::Value::enum_from_text(v)
    }
    /// The wire value, as the enum's `Serialize` writes it.
    fn to_json(&self) -> serde_json::Value {
        self.wire().enum_to_json()
    }
}

/// Declares what an enum of the spec needs beyond its definition: its wire type (`i32`,
/// `i64` or `str`) and the table of its documented values, one
/// `(variant, wire value, documented name, is_final)` row each.
///
/// The enum itself (with its docs and an `Unknown(i32)`, `Unknown(i64)` or
/// `Unknown(String)` variant) is written out; the macro implements [`WireEnum`], decoding
/// (unknown values kept), `Serialize` (as the wire value), `Display`, `From` the wire
/// value (and into it, for integers), parameter text, and the inherent `KNOWN`,
/// `from_value`, `value`, `name` and `is_final`.
///
/// ```
/// /// Where a deployment is.
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// #[non_exhaustive]
/// pub enum Stage {
///     /// `0`.
///     Ready,
///     /// `1`.
///     Done,
///     /// A value this version of the SDK does not know; kept as received.
///     Unknown(i32),
/// }
///
/// acs_model::wire_enum!(
///     Stage as i32,
///     (Ready, 0, "Ready", Some(false)),
///     (Done, 1, "DONE", Some(true)),
/// );
///
/// assert_eq!(Stage::from_value(1), Stage::Done);
/// assert_eq!(Stage::from_value(7), Stage::Unknown(7));
/// assert_eq!(Stage::Done.name(), Some("DONE"));
/// assert_eq!(Stage::Unknown(7).value(), 7);
/// assert_eq!(serde_json::to_string(&Stage::Done).unwrap(), "1");
/// ```
#[macro_export]
macro_rules! wire_enum {
    ($name:ident as str, $(($variant:ident, $value:literal, $label:literal, $final:expr)),* $(,)?) => {
        impl $name {
            /// Every value the spec documents, in spec order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The value for a wire string; strings the spec does not list are kept in `Unknown`.
            #[inline]
            pub fn from_value(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The wire string, as sent in a request parameter.
            #[inline]
            pub fn value(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other,
                }
            }

            $crate::__enum_helpers!($(($variant, $label, $final)),*);
        }

        impl $crate::WireEnum for $name {
            const NAME: &'static str = stringify!($name);
            const KNOWN: &'static [Self] = Self::KNOWN;
            type Value = str;
            #[inline]
            fn from_wire(value: &str) -> Self {
                Self::from_value(value)
            }
            #[inline]
            fn wire(&self) -> &str {
                self.value()
            }
            fn label(&self) -> Option<&'static str> {
                self.name()
            }
            fn is_final(&self) -> Option<bool> {
                self.is_final()
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_value(value)
            }
        }

        $crate::__enum_traits!($name);
    };

    ($name:ident as $repr:ty, $(($variant:ident, $value:literal, $label:literal, $final:expr)),* $(,)?) => {
        impl $name {
            /// Every value the spec documents, in spec order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The value for a wire number; numbers the spec does not list are kept in `Unknown`.
            #[inline]
            pub const fn from_value(value: $repr) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }

            /// The wire number, as sent in a request parameter.
            #[inline]
            pub const fn value(&self) -> $repr {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => *other,
                }
            }

            $crate::__enum_helpers!($(($variant, $label, $final)),*);
        }

        impl $crate::WireEnum for $name {
            const NAME: &'static str = stringify!($name);
            const KNOWN: &'static [Self] = Self::KNOWN;
            type Value = $repr;
            #[inline]
            fn from_wire(value: &$repr) -> Self {
                Self::from_value(*value)
            }
            #[inline]
            fn wire(&self) -> &$repr {
                match self {
                    $(Self::$variant => &$value,)*
                    Self::Unknown(other) => other,
                }
            }
            fn label(&self) -> Option<&'static str> {
                self.name()
            }
            fn is_final(&self) -> Option<bool> {
                self.is_final()
            }
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self::from_value(value)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.value()
            }
        }

        $crate::__enum_traits!($name);
    };
}

/// The inherent `name` and `is_final` of a [`wire_enum!`]. Not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __enum_helpers {
    ($(($variant:ident, $label:literal, $final:expr)),*) => {
        /// The documented name of the value (such as `DEPLOY_ERROR` or the variant name);
        /// `None` for an unknown value.
        pub fn name(&self) -> Option<&'static str> {
            match self {
                $(Self::$variant => Some($label),)*
                Self::Unknown(_) => None,
            }
        }

        /// Whether this value is final (the process it describes has ended), as the
        /// documentation says; `None` for values it does not classify, and for unknown ones.
        pub fn is_final(&self) -> Option<bool> {
            match self {
                $(Self::$variant => $final,)*
                Self::Unknown(_) => None,
            }
        }
    };
}

/// The trait impls every [`wire_enum!`] shares. Not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __enum_traits {
    ($name:ident) => {
        impl $crate::Item for $name {
            type Kind = $crate::__private::ScalarItem;
        }

        impl $crate::ParamValue for $name {
            fn encode(&self, e: &mut $crate::Encoder<'_>) {
                $crate::ParamValue::encode($crate::WireEnum::wire(self), e)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                $crate::__private::serde::Serialize::serialize(&self.value(), serializer)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    enum Color {
        Red,
        BlueIsh,
        Unknown(String),
    }

    crate::wire_enum!(
        Color as str,
        (Red, "red", "Red", None),
        (BlueIsh, "BLUE_ISH", "BlueIsh", Some(true)),
    );

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    enum Size {
        Small,
        Large,
        Unknown(i64),
    }

    crate::wire_enum!(
        Size as i64,
        (Small, -1, "SMALL", None),
        (Large, 9, "Large", None)
    );

    #[derive(Debug, Default, PartialEq)]
    struct Holder {
        color: Option<Color>,
        sizes: Option<Vec<Size>>,
    }

    impl crate::Object for Holder {
        fn field<F: crate::FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
            match name {
                "Color" => f.scalar(&mut self.color),
                "Sizes" => f.list(&mut self.sizes),
                _ => f.skip(),
            }
        }
    }

    #[test]
    fn values_names_and_unknowns() {
        use crate::WireEnum;
        assert_eq!(Color::from_value("BLUE_ISH"), Color::BlueIsh);
        assert_eq!(Color::from("purple"), Color::Unknown("purple".into()));
        assert_eq!(Color::Unknown("purple".into()).value(), "purple");
        assert_eq!(Color::BlueIsh.is_final(), Some(true));
        assert_eq!(Color::Red.name(), Some("Red"));
        assert_eq!(Color::KNOWN.len(), 2);
        assert_eq!(Size::from_value(-1), Size::Small);
        assert_eq!(i64::from(Size::Large), 9);
        assert_eq!(*Size::Unknown(4).wire(), 4);
        assert_eq!(crate::to_json(&Size::Small), "-1");
        assert_eq!(crate::to_json(&Color::BlueIsh), "\"BLUE_ISH\"");
        assert_eq!(Color::BlueIsh.to_string(), "BLUE_ISH");
        assert_eq!(<Size as WireEnum>::label(&Size::Small), Some("SMALL"));
    }

    #[test]
    fn decode_keeps_unknown_values_in_both_formats() {
        let json: Holder =
            crate::from_json(br#"{"Color":"purple","Sizes":[9,"-1",77]}"#).expect("json");
        let xml: Holder = crate::from_xml(
            b"<H><Color>purple</Color><Sizes>9</Sizes><Sizes>-1</Sizes><Sizes>77</Sizes></H>",
        )
        .expect("xml");
        assert_eq!(json, xml);
        assert_eq!(json.color, Some(Color::Unknown("purple".into())));
        assert_eq!(
            json.sizes,
            Some(vec![Size::Large, Size::Small, Size::Unknown(77)])
        );
        let err = crate::from_json::<Holder>(br#"{"Sizes":[1.5]}"#).unwrap_err();
        assert!(err.message().contains("a Size number"), "{err}");
        assert!(err.message().starts_with("at Sizes: "), "{err}");
    }
}
