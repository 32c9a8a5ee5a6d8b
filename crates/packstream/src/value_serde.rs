//! serde support for [`Value`] and the structure types.
//!
//! Structures serialize through a tuple struct named by a private constant,
//! whose first field is the tag: this crate's serializer writes them as
//! PackStream structures (adapting them to the dialect), and its deserializer
//! hands their fields back the same way. Other serde formats see a plain
//! sequence `[tag, field…]`.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTupleStruct, Serializer};

use crate::de::VALUE_MAGIC;
use crate::marker::tag;
use crate::ser::STRUCT_MAGIC;
use crate::temporal::NANOS_PER_SECOND;
use crate::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Map, Node, Path, Point2D,
    Point3D, Relationship, Time, TimeBasis, UnboundRelationship, UnsupportedType, Value, Vector,
};

/// Serializes a byte slice with `serialize_bytes` (not as a list of integers).
struct RawBytes<'a>(&'a [u8]);

impl Serialize for RawBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// A byte array read back from `visit_bytes`, or from a list of integers.
struct ByteBuf(Vec<u8>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a byte array")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.to_vec()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ByteBuf, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(ByteBuf(out))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// Serializes a structure: the tag, then each field.
macro_rules! ser_structure {
    ($s:expr, $tag:expr; $($field:expr),+ $(,)?) => {{
        let n = 1 $(+ { let _ = &$field; 1 })+;
        let mut t = $s.serialize_tuple_struct(STRUCT_MAGIC, n)?;
        t.serialize_field(&$tag)?;
        $(t.serialize_field(&$field)?;)+
        t.end()
    }};
}

/// Reads the next required field of a structure.
fn field<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
    what: &'static str,
    name: &str,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::custom(format!("{what} structure is missing its `{name}` field")))
}

fn nanos<E: de::Error>(what: &str, n: u32) -> Result<u32, E> {
    if n < NANOS_PER_SECOND {
        Ok(n)
    } else {
        Err(E::custom(format!("{what}: nanoseconds {n} out of range")))
    }
}

fn expect_tag<E: de::Error>(found: u8, allowed: &[u8], what: &str) -> Result<(), E> {
    if allowed.contains(&found) {
        Ok(())
    } else {
        Err(E::custom(format!(
            "expected a {what} structure, found tag 0x{found:02X}"
        )))
    }
}

/// Implements `Deserialize` for a structure type: `$body` reads the fields
/// from `$seq` after the tag `$t`.
macro_rules! de_structure {
    ($ty:ty, $what:literal, |$t:ident, $seq:ident| $body:block) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str(concat!("a ", $what, " structure"))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut $seq: A) -> Result<$ty, A::Error> {
                        let $t: u8 = field(&mut $seq, $what, "tag")?;
                        $body
                    }
                }
                d.deserialize_tuple_struct(STRUCT_MAGIC, 16, V)
            }
        }
    };
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::DATE; self.days)
    }
}

de_structure!(Date, "Date", |t, seq| {
    expect_tag(t, &[tag::DATE], "Date")?;
    Ok(Date {
        days: field(&mut seq, "Date", "days")?,
    })
});

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::TIME; self.nanoseconds, self.tz_offset_seconds)
    }
}

de_structure!(Time, "Time", |t, seq| {
    expect_tag(t, &[tag::TIME], "Time")?;
    Ok(Time {
        nanoseconds: field(&mut seq, "Time", "nanoseconds")?,
        tz_offset_seconds: field(&mut seq, "Time", "tz_offset_seconds")?,
    })
});

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::LOCAL_TIME; self.nanoseconds)
    }
}

de_structure!(LocalTime, "LocalTime", |t, seq| {
    expect_tag(t, &[tag::LOCAL_TIME], "LocalTime")?;
    Ok(LocalTime {
        nanoseconds: field(&mut seq, "LocalTime", "nanoseconds")?,
    })
});

/// The encoder refuses what the decoder would reject.
fn check_nanos<E: serde::ser::Error>(what: &str, n: u32) -> Result<(), E> {
    if n < NANOS_PER_SECOND {
        Ok(())
    } else {
        Err(E::custom(format!(
            "{what} with {n} nanoseconds (must be below 1 000 000 000)"
        )))
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        check_nanos("DateTime", self.nanoseconds)?;
        // Always the UTC form; this crate's serializer rewrites it for a
        // legacy dialect.
        ser_structure!(s, tag::DATE_TIME; self.seconds, self.nanoseconds, self.tz_offset_seconds)
    }
}

de_structure!(DateTime, "DateTime", |t, seq| {
    expect_tag(t, &[tag::DATE_TIME, tag::LEGACY_DATE_TIME], "DateTime")?;
    let seconds: i64 = field(&mut seq, "DateTime", "seconds")?;
    let nanoseconds = nanos("DateTime", field(&mut seq, "DateTime", "nanoseconds")?)?;
    let tz_offset_seconds: i32 = field(&mut seq, "DateTime", "tz_offset_seconds")?;
    let seconds = if t == tag::DATE_TIME {
        seconds
    } else {
        seconds
            .checked_sub(i64::from(tz_offset_seconds))
            .ok_or_else(|| de::Error::custom("DateTime seconds out of range"))?
    };
    Ok(DateTime {
        seconds,
        nanoseconds,
        tz_offset_seconds,
    })
});

impl Serialize for DateTimeZoneId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        check_nanos("DateTimeZoneId", self.nanoseconds)?;
        let t = match self.basis {
            TimeBasis::Utc => tag::DATE_TIME_ZONE_ID,
            TimeBasis::WallClock => tag::LEGACY_DATE_TIME_ZONE_ID,
        };
        ser_structure!(s, t; self.seconds, self.nanoseconds, self.tz_id)
    }
}

de_structure!(DateTimeZoneId, "DateTimeZoneId", |t, seq| {
    expect_tag(
        t,
        &[tag::DATE_TIME_ZONE_ID, tag::LEGACY_DATE_TIME_ZONE_ID],
        "DateTimeZoneId",
    )?;
    Ok(DateTimeZoneId {
        seconds: field(&mut seq, "DateTimeZoneId", "seconds")?,
        nanoseconds: nanos(
            "DateTimeZoneId",
            field(&mut seq, "DateTimeZoneId", "nanoseconds")?,
        )?,
        tz_id: field(&mut seq, "DateTimeZoneId", "tz_id")?,
        basis: if t == tag::DATE_TIME_ZONE_ID {
            TimeBasis::Utc
        } else {
            TimeBasis::WallClock
        },
    })
});

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        check_nanos("LocalDateTime", self.nanoseconds)?;
        ser_structure!(s, tag::LOCAL_DATE_TIME; self.seconds, self.nanoseconds)
    }
}

de_structure!(LocalDateTime, "LocalDateTime", |t, seq| {
    expect_tag(t, &[tag::LOCAL_DATE_TIME], "LocalDateTime")?;
    Ok(LocalDateTime {
        seconds: field(&mut seq, "LocalDateTime", "seconds")?,
        nanoseconds: nanos(
            "LocalDateTime",
            field(&mut seq, "LocalDateTime", "nanoseconds")?,
        )?,
    })
});

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::DURATION; self.months, self.days, self.seconds, self.nanoseconds)
    }
}

de_structure!(Duration, "Duration", |t, seq| {
    expect_tag(t, &[tag::DURATION], "Duration")?;
    Ok(Duration {
        months: field(&mut seq, "Duration", "months")?,
        days: field(&mut seq, "Duration", "days")?,
        seconds: field(&mut seq, "Duration", "seconds")?,
        nanoseconds: field(&mut seq, "Duration", "nanoseconds")?,
    })
});

impl Serialize for Point2D {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::POINT_2D; self.srid, self.x, self.y)
    }
}

de_structure!(Point2D, "Point2D", |t, seq| {
    expect_tag(t, &[tag::POINT_2D], "Point2D")?;
    Ok(Point2D {
        srid: field(&mut seq, "Point2D", "srid")?,
        x: field(&mut seq, "Point2D", "x")?,
        y: field(&mut seq, "Point2D", "y")?,
    })
});

impl Serialize for Point3D {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::POINT_3D; self.srid, self.x, self.y, self.z)
    }
}

de_structure!(Point3D, "Point3D", |t, seq| {
    expect_tag(t, &[tag::POINT_3D], "Point3D")?;
    Ok(Point3D {
        srid: field(&mut seq, "Point3D", "srid")?,
        x: field(&mut seq, "Point3D", "x")?,
        y: field(&mut seq, "Point3D", "y")?,
        z: field(&mut seq, "Point3D", "z")?,
    })
});

impl Serialize for Vector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let data = self.to_be_bytes();
        ser_structure!(s, tag::VECTOR; RawBytes(&[self.type_marker()]), RawBytes(&data))
    }
}

de_structure!(Vector, "Vector", |t, seq| {
    expect_tag(t, &[tag::VECTOR], "Vector")?;
    let ByteBuf(marker) = field(&mut seq, "Vector", "type_marker")?;
    let ByteBuf(data) = field(&mut seq, "Vector", "data")?;
    match marker[..] {
        [m] => Vector::from_be_bytes(m, &data).ok_or_else(|| {
            de::Error::custom(format!(
                "invalid Vector: type 0x{m:02X}, {} data bytes",
                data.len()
            ))
        }),
        _ => Err(de::Error::custom("a Vector's type marker is one byte")),
    }
});

impl Serialize for UnsupportedType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::UNSUPPORTED_TYPE;
            self.name, self.minimum_protocol_major, self.minimum_protocol_minor, self.extra)
    }
}

de_structure!(UnsupportedType, "UnsupportedType", |t, seq| {
    expect_tag(t, &[tag::UNSUPPORTED_TYPE], "UnsupportedType")?;
    Ok(UnsupportedType {
        name: field(&mut seq, "UnsupportedType", "name")?,
        minimum_protocol_major: field(&mut seq, "UnsupportedType", "minimum_protocol_major")?,
        minimum_protocol_minor: field(&mut seq, "UnsupportedType", "minimum_protocol_minor")?,
        extra: field(&mut seq, "UnsupportedType", "extra")?,
    })
});

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::PATH; self.nodes, self.relationships, self.indices)
    }
}

de_structure!(Path, "Path", |t, seq| {
    expect_tag(t, &[tag::PATH], "Path")?;
    Ok(Path {
        nodes: field(&mut seq, "Path", "nodes")?,
        relationships: field(&mut seq, "Path", "relationships")?,
        indices: field(&mut seq, "Path", "indices")?,
    })
});

/// The element id to write: the one held, or the legacy id as text.
fn element_id(e: &Option<String>, id: i64) -> String {
    e.clone().unwrap_or_else(|| id.to_string())
}

impl<P: Serialize> Serialize for Node<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::NODE;
            self.id, self.labels, self.properties, element_id(&self.element_id, self.id))
    }
}

impl<P: Serialize> Serialize for Relationship<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::RELATIONSHIP;
            self.id, self.start_node_id, self.end_node_id, self.rel_type, self.properties,
            element_id(&self.element_id, self.id),
            element_id(&self.start_node_element_id, self.start_node_id),
            element_id(&self.end_node_element_id, self.end_node_id))
    }
}

impl<P: Serialize> Serialize for UnboundRelationship<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_structure!(s, tag::UNBOUND_RELATIONSHIP;
            self.id, self.rel_type, self.properties, element_id(&self.element_id, self.id))
    }
}

/// Implements `Deserialize` for a graph type generic over its properties.
macro_rules! de_graph {
    ($ty:ident, $what:literal, |$seq:ident| $body:block) => {
        impl<'de, P: Deserialize<'de>> Deserialize<'de> for $ty<P> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V<P>(PhantomData<P>);
                impl<'de, P: Deserialize<'de>> Visitor<'de> for V<P> {
                    type Value = $ty<P>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str(concat!("a ", $what, " structure"))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut $seq: A) -> Result<$ty<P>, A::Error> {
                        let t: u8 = field(&mut $seq, $what, "tag")?;
                        expect_tag(t, &[tag_of!($ty)], $what)?;
                        $body
                    }
                }
                d.deserialize_tuple_struct(STRUCT_MAGIC, 16, V(PhantomData))
            }
        }
    };
}

macro_rules! tag_of {
    (Node) => {
        tag::NODE
    };
    (Relationship) => {
        tag::RELATIONSHIP
    };
    (UnboundRelationship) => {
        tag::UNBOUND_RELATIONSHIP
    };
}

de_graph!(Node, "Node", |seq| {
    Ok(Node {
        id: field(&mut seq, "Node", "id")?,
        labels: field(&mut seq, "Node", "labels")?,
        properties: field(&mut seq, "Node", "properties")?,
        // Absent before Bolt 5.0.
        element_id: seq.next_element()?,
    })
});

de_graph!(Relationship, "Relationship", |seq| {
    let id = field(&mut seq, "Relationship", "id")?;
    let start_node_id = field(&mut seq, "Relationship", "start_node_id")?;
    let end_node_id = field(&mut seq, "Relationship", "end_node_id")?;
    let rel_type = field(&mut seq, "Relationship", "type")?;
    let properties = field(&mut seq, "Relationship", "properties")?;
    let element_id: Option<String> = seq.next_element()?;
    let (start_node_element_id, end_node_element_id) = if element_id.is_some() {
        (
            Some(field(&mut seq, "Relationship", "start_node_element_id")?),
            Some(field(&mut seq, "Relationship", "end_node_element_id")?),
        )
    } else {
        (None, None)
    };
    Ok(Relationship {
        id,
        start_node_id,
        end_node_id,
        rel_type,
        properties,
        element_id,
        start_node_element_id,
        end_node_element_id,
    })
});

de_graph!(UnboundRelationship, "UnboundRelationship", |seq| {
    Ok(UnboundRelationship {
        id: field(&mut seq, "UnboundRelationship", "id")?,
        rel_type: field(&mut seq, "UnboundRelationship", "type")?,
        properties: field(&mut seq, "UnboundRelationship", "properties")?,
        element_id: seq.next_element()?,
    })
});

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Boolean(b) => s.serialize_bool(*b),
            Value::Integer(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Bytes(b) => s.serialize_bytes(b),
            Value::String(v) => s.serialize_str(v),
            Value::List(l) => s.collect_seq(l),
            Value::Map(m) => s.collect_map(m),
            Value::Node(v) => v.serialize(s),
            Value::Relationship(v) => v.serialize(s),
            Value::UnboundRelationship(v) => v.serialize(s),
            Value::Path(v) => v.serialize(s),
            Value::Date(v) => v.serialize(s),
            Value::Time(v) => v.serialize(s),
            Value::LocalTime(v) => v.serialize(s),
            Value::DateTime(v) => v.serialize(s),
            Value::DateTimeZoneId(v) => v.serialize(s),
            Value::LocalDateTime(v) => v.serialize(s),
            Value::Duration(v) => v.serialize(s),
            Value::Point2D(v) => v.serialize(s),
            Value::Point3D(v) => v.serialize(s),
            Value::Vector(v) => v.serialize(s),
            Value::Unsupported(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    /// From this crate's deserializer, the value is decoded exactly from its
    /// bytes (structures included); from other formats, through serde's data
    /// model (no structures there).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_newtype_struct(VALUE_MAGIC, ValueVisitor)
    }
}

/// The entry visitor: raw PackStream bytes from our deserializer, or a
/// newtype wrapper from any other.
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a PackStream value")
    }

    fn visit_bytes<E: de::Error>(self, raw: &[u8]) -> Result<Value, E> {
        Value::decode_slice(raw).map_err(E::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(AnyValueVisitor)
    }
}

/// Builds a [`Value`] from serde's data model, for formats other than ours.
struct AnyValueVisitor;

impl<'de> Visitor<'de> for AnyValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Integer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Integer)
            .map_err(|_| E::custom(format!("integer {v} does not fit i64")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(Bytes::copy_from_slice(v)))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(Bytes::from(v)))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(AnyValueSeed)? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(k) = map.next_key::<String>()? {
            out.insert(k, map.next_value_seed(AnyValueSeed)?);
        }
        Ok(Value::Map(out))
    }
}

/// Nested values from other formats go through the data model as well.
struct AnyValueSeed;

impl<'de> de::DeserializeSeed<'de> for AnyValueSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(AnyValueVisitor)
    }
}
