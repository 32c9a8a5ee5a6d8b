//! Property types: how a Rust field becomes a Neo4j property and back.
//!
//! Temporal and spatial values stay native (`Date`, `DateTime`, `Duration`,
//! `Point2D`, ...), never strings, so Cypher compares and indexes them as
//! what they are.

use boltline::boltline_bolt::packstream::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Point2D, Point3D, Time,
    TypeMismatch,
};
use boltline::Value;

/// A type a node or relationship property can have.
///
/// [`Filter`](PropertyType::Filter) is the type filters compare the property
/// with: the type itself, or `T` for `Option<T>` (so `Person::age().gt(30)`
/// works for an optional age too).
pub trait PropertyType: Sized {
    /// The type filter values take.
    type Filter: PropertyType;

    /// Whether a missing or `null` property is this type's `None`.
    const OPTIONAL: bool = false;

    /// The property value.
    fn to_value(&self) -> Value;

    /// Back from a property value (`Null` for a missing property).
    fn from_value(v: Value) -> Result<Self, TypeMismatch>;
}

/// Property types with an order, offering `lt`/`gt`/`lte`/`gte` filters.
pub trait Ordered: PropertyType {}

/// Property types with text, offering `contains`/`startswith`/`regex` and
/// their case-insensitive forms.
pub trait Textual: PropertyType {}

fn mismatch(expected: &'static str, v: &Value) -> TypeMismatch {
    TypeMismatch {
        expected,
        found: v.type_name(),
    }
}

macro_rules! via_value {
    ($($t:ty),* $(,)?) => {$(
        impl PropertyType for $t {
            type Filter = $t;
            fn to_value(&self) -> Value {
                Value::from(self.clone())
            }
            fn from_value(v: Value) -> Result<Self, TypeMismatch> {
                <$t>::try_from(v)
            }
        }
    )*};
}

via_value!(
    bool,
    i64,
    i32,
    i16,
    i8,
    u32,
    u16,
    u8,
    String,
    Date,
    Time,
    LocalTime,
    DateTime,
    DateTimeZoneId,
    LocalDateTime,
    Duration,
    Point2D,
    Point3D
);

impl PropertyType for f64 {
    type Filter = f64;
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    /// Integers are accepted too: Cypher arithmetic may store `1` for `1.0`.
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::Float(f) => Ok(f),
            // Exact for every integer of magnitude up to 2^53; beyond that
            // the nearest float is what a float property can hold anyway.
            #[allow(clippy::cast_precision_loss)]
            Value::Integer(i) => Ok(i as f64),
            other => Err(mismatch("FLOAT", &other)),
        }
    }
}

impl<T: PropertyType> PropertyType for Option<T> {
    type Filter = T::Filter;
    const OPTIONAL: bool = true;
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_value)
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// Lists of a property type (Neo4j stores homogeneous lists of scalars).
impl<T: PropertyType> PropertyType for Vec<T> {
    type Filter = Vec<T>;
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(T::to_value).collect())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::List(items) => items.into_iter().map(T::from_value).collect(),
            other => Err(mismatch("LIST", &other)),
        }
    }
}

impl Ordered for i64 {}
impl Ordered for i32 {}
impl Ordered for i16 {}
impl Ordered for i8 {}
impl Ordered for u32 {}
impl Ordered for u16 {}
impl Ordered for u8 {}
impl Ordered for f64 {}
impl Ordered for String {}
impl Ordered for Date {}
impl Ordered for LocalTime {}
impl Ordered for DateTime {}
impl Ordered for LocalDateTime {}

impl Textual for String {}

/// An e-mail address: checked when made and when read back.
///
/// The check is deliberately plain (one `@`, something before it, a dotted
/// domain after it, no whitespace); stricter rules belong in a
/// `validate = ...` function. Filters on an `Email` property take strings
/// and offer the text operators.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

/// Text that is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an e-mail address: {0:?}")]
pub struct InvalidEmail(pub String);

impl Email {
    /// The address, if `s` looks like one.
    pub fn new(s: impl Into<String>) -> Result<Self, InvalidEmail> {
        let s = s.into();
        if Self::looks_valid(&s) {
            Ok(Email(s))
        } else {
            Err(InvalidEmail(s))
        }
    }

    fn looks_valid(s: &str) -> bool {
        let Some((local, domain)) = s.split_once('@') else {
            return false;
        };
        !local.is_empty()
            && !domain.contains('@')
            && !s.chars().any(char::is_whitespace)
            && domain.split('.').all(|part| !part.is_empty())
            && domain.contains('.')
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PropertyType for Email {
    type Filter = String;
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) if Email::looks_valid(&s) => Ok(Email(s)),
            Value::String(_) => Err(TypeMismatch {
                expected: "an e-mail address",
                found: "another STRING",
            }),
            other => Err(mismatch("STRING", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(i32::from_value(7i32.to_value()), Ok(7));
        assert_eq!(
            Option::<String>::from_value(Value::Null),
            Ok(None::<String>)
        );
        assert_eq!(Some(3i64).to_value(), Value::Integer(3));
        assert_eq!(f64::from_value(Value::Integer(2)), Ok(2.0));
        let d = Date { days: 19000 };
        assert_eq!(d.to_value(), Value::Date(d));
        assert_eq!(
            Vec::<String>::from_value(vec!["a".to_owned()].to_value()),
            Ok(vec!["a".to_owned()])
        );
        assert!(i64::from_value(Value::Null).is_err());
        assert!(u8::from_value(Value::Integer(300)).is_err());
    }

    #[test]
    fn emails() {
        assert!(Email::new("a@b.org").is_ok());
        for bad in [
            "",
            "a",
            "@b.org",
            "a@b",
            "a@b.",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
        ] {
            assert!(Email::new(bad).is_err(), "{bad}");
        }
        let e = Email::new("x@y.z").unwrap();
        assert_eq!(Email::from_value(e.to_value()), Ok(e));
        assert!(Email::from_value(Value::from("nope")).is_err());
    }
}
