//! Property types: how a Rust field becomes a Neo4j property and back.
//!
//! Temporal and spatial values stay native (`Date`, `DateTime`, `Duration`,
//! `Point2D`, ...), never strings, so Cypher compares and indexes them as
//! what they are.

use boltline::packstream::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Point2D, Point3D, Time,
    TypeMismatch, Vector,
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

    /// The property value, or why there is none: types whose conversion
    /// can fail ([`Json`]) override it; writes use it, so such a failure
    /// is an [`Error::Validation`](crate::Error::Validation), never a
    /// wrong value stored.
    fn try_to_value(&self) -> Result<Value, String> {
        Ok(self.to_value())
    }

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
    Point3D,
    // A native vector (Bolt 6.0, Neo4j 2025.x): what vector indexes are
    // built for; a `Vec<f64>` is stored as a list instead.
    Vector
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
    fn try_to_value(&self) -> Result<Value, String> {
        self.as_ref().map_or(Ok(Value::Null), T::try_to_value)
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
    fn try_to_value(&self) -> Result<Value, String> {
        self.iter()
            .map(T::try_to_value)
            .collect::<Result<_, _>>()
            .map(Value::List)
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

/// Any serde type as a JSON property, stored as JSON text (a string), as
/// neomodel's `JSONProperty` stores it: Neo4j properties cannot hold maps
/// or nested lists, and text keeps every shape. Equality filters compare
/// the text, which is canonical for structs and `serde_json` maps (their
/// keys are sorted); a value that does not serialize (a map with non-text
/// keys) is an [`Error::Validation`](crate::Error::Validation) on write
/// and matches nothing in a filter.
///
/// `serde_json::Value` is a property type too, stored the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Json<T>(pub T);

impl<T> From<T> for Json<T> {
    fn from(v: T) -> Self {
        Json(v)
    }
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> PropertyType for Json<T> {
    type Filter = Json<T>;
    fn to_value(&self) -> Value {
        self.try_to_value().unwrap_or(Value::Null)
    }
    fn try_to_value(&self) -> Result<Value, String> {
        serde_json::to_string(&self.0)
            .map(Value::String)
            .map_err(|e| format!("not representable as JSON: {e}"))
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) => serde_json::from_str(&s)
                .map(Json)
                .map_err(|_| TypeMismatch {
                    expected: "JSON text of the field's type",
                    found: "STRING that does not parse as it",
                }),
            other => Err(mismatch("STRING (JSON text)", &other)),
        }
    }
}

impl PropertyType for serde_json::Value {
    type Filter = serde_json::Value;
    fn to_value(&self) -> Value {
        // A `serde_json::Value` always serializes (its map keys are text).
        Value::String(self.to_string())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        Json::<serde_json::Value>::from_value(v).map(|j| j.0)
    }
}

/// A UUID, stored as its canonical text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
/// lowercase: what Cypher's `randomUUID()` makes), checked when read.
///
/// The crate has its own type rather than depending on the `uuid` crate:
/// the OGM only needs to store, compare, check and generate identifiers,
/// which takes a few lines; convert from a `uuid::Uuid` with
/// `Uuid::from_bytes(u.into_bytes())`. [`Uuid::new_v4`] makes random ids
/// for `#[ogm(default = boltline_ogm::Uuid::new_v4)]` (neomodel's
/// `UniqueIdProperty`); its randomness comes from the standard library's
/// randomly keyed hasher, fine for identifiers, not for secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid([u8; 16]);

/// Text that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a UUID: {0:?}")]
pub struct InvalidUuid(pub String);

impl Uuid {
    /// The UUID with these 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Uuid(bytes)
    }

    /// Its 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A random (version 4) UUID.
    pub fn new_v4() -> Self {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut bytes = [0u8; 16];
        for (i, half) in bytes.chunks_mut(8).enumerate() {
            // A fresh randomly keyed SipHash per half.
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(n);
            h.write_u128(nanos);
            h.write_usize(i);
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
        Uuid(bytes)
    }

    /// Parses the hyphenated form or 32 hex digits (any case).
    pub fn parse(s: &str) -> Result<Self, InvalidUuid> {
        let hex: Vec<u8> = if s.len() == 36 {
            let b = s.as_bytes();
            if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return Err(InvalidUuid(s.to_owned()));
            }
            b.iter().copied().filter(|&c| c != b'-').collect()
        } else {
            s.as_bytes().to_vec()
        };
        if hex.len() != 32 {
            return Err(InvalidUuid(s.to_owned()));
        }
        let digit = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
        let mut out = [0u8; 16];
        for (i, pair) in hex.chunks(2).enumerate() {
            match (digit(pair[0]), digit(pair[1])) {
                (Some(h), Some(l)) => out[i] = (h << 4) | l,
                _ => return Err(InvalidUuid(s.to_owned())),
            }
        }
        Ok(Uuid(out))
    }
}

impl std::str::FromStr for Uuid {
    type Err = InvalidUuid;
    fn from_str(s: &str) -> Result<Self, InvalidUuid> {
        Uuid::parse(s)
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl PropertyType for Uuid {
    type Filter = Uuid;
    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
    fn from_value(v: Value) -> Result<Self, TypeMismatch> {
        match v {
            Value::String(s) => Uuid::parse(&s).map_err(|_| TypeMismatch {
                expected: "a UUID",
                found: "another STRING",
            }),
            other => Err(mismatch("STRING (UUID)", &other)),
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

    #[test]
    fn json_is_text_and_round_trips() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Meta {
            tags: Vec<String>,
            depth: u8,
        }
        let m = Json(Meta {
            tags: vec!["a".into()],
            depth: 2,
        });
        assert_eq!(m.to_value(), Value::from(r#"{"tags":["a"],"depth":2}"#));
        assert_eq!(Json::<Meta>::from_value(m.to_value()), Ok(m));
        assert!(Json::<Meta>::from_value(Value::from("{nope")).is_err());
        assert!(Json::<Meta>::from_value(Value::from(r#"{"tags":1}"#)).is_err());
        assert!(Json::<Meta>::from_value(Value::Integer(1)).is_err());
        let v = serde_json::json!({"b": [1, {"c": null}], "a": "x"});
        assert_eq!(v.to_value(), Value::from(r#"{"a":"x","b":[1,{"c":null}]}"#));
        assert_eq!(serde_json::Value::from_value(v.to_value()), Ok(v));
        // A map with non-text keys does not serialize: an error, not a value.
        let bad = Json(std::collections::HashMap::from([((1, 2), 3)]));
        assert!(bad.try_to_value().is_err());
        assert!(Some(bad).try_to_value().is_err());
    }

    #[test]
    fn uuids() {
        let text = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        let u = Uuid::parse(text).unwrap();
        assert_eq!(u.to_string(), text);
        assert_eq!(Uuid::parse("67E5504410B1426F9247BB680E5FE0C8"), Ok(u));
        assert_eq!(u.to_value(), Value::from(text));
        assert_eq!(Uuid::from_value(Value::from(text)), Ok(u));
        for bad in [
            "",
            "67e55044-10b1-426f-9247-bb680e5fe0c",
            "67e55044x10b1-426f-9247-bb680e5fe0c8",
            "g7e55044-10b1-426f-9247-bb680e5fe0c8",
            "67e55044-10b1-426f-9247-bb680e5fe0c8a",
            "é7e55044-10b1-426f-9247-bb680e5fe0c",
        ] {
            assert!(Uuid::parse(bad).is_err(), "{bad}");
        }
        assert!(Uuid::from_value(Value::from("x")).is_err());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_ne!(a, b);
        let s = a.to_string();
        assert_eq!(&s[14..15], "4", "{s}");
        assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"), "{s}");
        assert_eq!(Uuid::parse(&s), Ok(a));
    }
}
