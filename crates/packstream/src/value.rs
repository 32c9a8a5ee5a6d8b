//! The dynamic [`Value`] type and its conversions to and from std types.

use std::collections::HashMap;

use bytes::Bytes;

use crate::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Node, Path, Point2D,
    Point3D, Relationship, Time, UnboundRelationship, UnsupportedType, Vector,
};

/// A PackStream dictionary.
pub type Map = HashMap<String, Value>;

/// Any value Bolt can carry.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// A boolean.
    Boolean(bool),
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Float(f64),
    /// A byte array (decoding from [`Bytes`] slices the input: no copy).
    Bytes(Bytes),
    /// A UTF-8 string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A dictionary.
    Map(Map),
    /// A node.
    Node(Node),
    /// A relationship.
    Relationship(Relationship),
    /// A relationship inside a path.
    UnboundRelationship(UnboundRelationship),
    /// A path.
    Path(Path),
    /// A date.
    Date(Date),
    /// A time with offset.
    Time(Time),
    /// A local time.
    LocalTime(LocalTime),
    /// A date-time with offset.
    DateTime(DateTime),
    /// A date-time with a zone id.
    DateTimeZoneId(DateTimeZoneId),
    /// A local date-time.
    LocalDateTime(LocalDateTime),
    /// A duration.
    Duration(Duration),
    /// A 2D point.
    Point2D(Point2D),
    /// A 3D point.
    Point3D(Point3D),
    /// A numeric vector (Bolt 6.0+).
    Vector(Vector),
    /// A value the server could not send at this protocol version (Bolt 6.0+).
    Unsupported(UnsupportedType),
}

impl Value {
    /// The type's name, as Cypher would print it; for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Boolean(_) => "BOOLEAN",
            Value::Integer(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::Bytes(_) => "BYTES",
            Value::String(_) => "STRING",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Node(_) => "NODE",
            Value::Relationship(_) | Value::UnboundRelationship(_) => "RELATIONSHIP",
            Value::Path(_) => "PATH",
            Value::Date(_) => "DATE",
            Value::Time(_) => "ZONED TIME",
            Value::LocalTime(_) => "LOCAL TIME",
            Value::DateTime(_) | Value::DateTimeZoneId(_) => "ZONED DATETIME",
            Value::LocalDateTime(_) => "LOCAL DATETIME",
            Value::Duration(_) => "DURATION",
            Value::Point2D(_) | Value::Point3D(_) => "POINT",
            Value::Vector(_) => "VECTOR",
            Value::Unsupported(_) => "UNSUPPORTED",
        }
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The float, if this is one (integers are not widened silently).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a byte array.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The node, if this is one.
    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Value::Node(n) => Some(n),
            _ => None,
        }
    }

    /// The relationship, if this is one.
    pub fn as_relationship(&self) -> Option<&Relationship> {
        match self {
            Value::Relationship(r) => Some(r),
            _ => None,
        }
    }

    /// The path, if this is one.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Value::Path(p) => Some(p),
            _ => None,
        }
    }
}

/// A conversion from [`Value`] that failed because the value had another type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, found {found}")]
pub struct TypeMismatch {
    /// What the conversion wanted.
    pub expected: &'static str,
    /// The value's type name.
    pub found: &'static str,
}

macro_rules! from_impls {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v)
            }
        }

        impl TryFrom<Value> for $t {
            type Error = TypeMismatch;
            fn try_from(v: Value) -> Result<Self, TypeMismatch> {
                match v {
                    Value::$variant(x) => Ok(x),
                    other => Err(TypeMismatch {
                        expected: stringify!($variant),
                        found: other.type_name(),
                    }),
                }
            }
        }
    )*};
}

from_impls! {
    bool => Boolean,
    i64 => Integer,
    f64 => Float,
    Bytes => Bytes,
    String => String,
    Vec<Value> => List,
    Map => Map,
    Node => Node,
    Relationship => Relationship,
    UnboundRelationship => UnboundRelationship,
    Path => Path,
    Date => Date,
    Time => Time,
    LocalTime => LocalTime,
    DateTime => DateTime,
    DateTimeZoneId => DateTimeZoneId,
    LocalDateTime => LocalDateTime,
    Duration => Duration,
    Point2D => Point2D,
    Point3D => Point3D,
    Vector => Vector,
    UnsupportedType => Unsupported,
}

macro_rules! from_small_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Integer(i64::from(v))
            }
        }

        impl TryFrom<Value> for $t {
            type Error = TypeMismatch;
            fn try_from(v: Value) -> Result<Self, TypeMismatch> {
                match v {
                    Value::Integer(i) => <$t>::try_from(i).map_err(|_| TypeMismatch {
                        expected: stringify!($t),
                        found: "INTEGER out of range",
                    }),
                    other => Err(TypeMismatch { expected: stringify!($t), found: other.type_name() }),
                }
            }
        }
    )*};
}

from_small_int!(i8, i16, i32, u8, u16, u32);

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(f64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(Bytes::from(v))
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(Bytes::copy_from_slice(v))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Value::List(iter.into_iter().map(Into::into).collect())
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Value::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}
