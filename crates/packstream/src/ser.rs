//! A serde `Serializer` that writes PackStream: any `Serialize` value becomes
//! query parameters without building a [`Value`](crate::Value) tree first.
//!
//! Mapping: integers (any width that fits `i64`) → Integer, floats → Float,
//! `&str`/`char` → String, `&[u8]` via `serialize_bytes` → Bytes, `None`/`()`
//! → Null, sequences and tuples → List, maps and structs → Map (keys must be
//! strings), unit variants → String, other variants → a one-entry Map
//! `{variant: content}`. The structure types of this crate (`Date`, `Point2D`,
//! `Node`, …) serialize as PackStream structures.
//!
//! The format reports itself as human-readable, so types such as UUIDs and IP
//! addresses serialize as strings, the form Cypher users query by.

use bytes::{Bytes, BytesMut};
use serde::ser::{self, Serialize};

use crate::encode::{
    write_bool, write_bytes, write_float, write_int, write_list_header, write_map_header,
    write_null, write_string, write_struct_header, Dialect,
};
use crate::marker::tag;
use crate::{Error, Result, Unpacker};

/// Name of the tuple struct through which this crate's structure types
/// serialize: its first field is the tag, the rest are the fields.
pub(crate) const STRUCT_MAGIC: &str = "$boltline::packstream::Structure";

/// Serializes `value` into a new buffer with the newest dialect
/// ([`Dialect::BOLT_6`]).
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Bytes> {
    let mut buf = BytesMut::new();
    to_buf(value, &mut buf, Dialect::BOLT_6)?;
    Ok(buf.freeze())
}

/// Serializes `value` into a [`Value`](crate::Value) (encoded, then decoded:
/// one pass each way), e.g. to pass a struct as a query parameter.
///
/// ```
/// # use boltline_packstream::{to_value, Value};
/// #[derive(serde::Serialize)]
/// struct Book { title: &'static str, pages: u32 }
/// let v = to_value(&Book { title: "Dune", pages: 412 }).unwrap();
/// assert_eq!(v.as_map().unwrap()["pages"], Value::Integer(412));
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<crate::Value> {
    crate::Value::decode(&to_bytes(value)?)
}

/// Appends `value`'s encoding to `buf`, writing version-dependent structures
/// as `dialect` says. On error, `buf` may hold a partial value.
pub fn to_buf<T: Serialize + ?Sized>(
    value: &T,
    buf: &mut BytesMut,
    dialect: Dialect,
) -> Result<()> {
    value.serialize(&mut Serializer::new(buf, dialect))
}

/// The PackStream serializer; see the module docs for the mapping.
#[derive(Debug)]
pub struct Serializer<'a> {
    buf: &'a mut BytesMut,
    dialect: Dialect,
}

impl<'a> Serializer<'a> {
    /// A serializer appending to `buf`.
    pub fn new(buf: &'a mut BytesMut, dialect: Dialect) -> Self {
        Serializer { buf, dialect }
    }
}

fn int_out_of_range(v: impl std::fmt::Display) -> Error {
    Error::Unencodable(format!(
        "integer {v} does not fit PackStream's 64-bit signed integer"
    ))
}

impl<'a, 'b> ser::Serializer for &'b mut Serializer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = TupleStruct<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        write_bool(self.buf, v);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        write_int(self.buf, v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        self.serialize_i64(i64::try_from(v).map_err(|_| int_out_of_range(v))?)
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.serialize_i64(i64::try_from(v).map_err(|_| int_out_of_range(v))?)
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        self.serialize_i64(i64::try_from(v).map_err(|_| int_out_of_range(v))?)
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        write_float(self.buf, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.serialize_str(v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        write_string(self.buf, v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        write_bytes(self.buf, v)
    }
    fn serialize_none(self) -> Result<()> {
        write_null(self.buf);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        write_null(self.buf);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        write_map_header(self.buf, 1)?;
        write_string(self.buf, variant)?;
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a, 'b>> {
        Compound::start(self, Container::List, len)
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'b>> {
        Compound::start(self, Container::List, Some(len))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<TupleStruct<'a, 'b>> {
        if name == STRUCT_MAGIC {
            Ok(TupleStruct::Structure(StructureWriter {
                ser: self,
                declared: len,
                state: StructState::AwaitTag,
            }))
        } else {
            Ok(TupleStruct::List(Compound::start(
                self,
                Container::List,
                Some(len),
            )?))
        }
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'b>> {
        write_map_header(self.buf, 1)?;
        write_string(self.buf, variant)?;
        Compound::start(self, Container::List, Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a, 'b>> {
        Compound::start(self, Container::Map, len)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, 'b>> {
        Compound::start(self, Container::Map, Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'b>> {
        write_map_header(self.buf, 1)?;
        write_string(self.buf, variant)?;
        Compound::start(self, Container::Map, Some(len))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Container {
    List,
    Map,
}

/// A list or map being written. With a known length the header goes first;
/// with an unknown one (`serialize_seq(None)`, `#[serde(flatten)]`) the items
/// are written, counted, and the header is inserted before them at the end.
#[doc(hidden)]
#[derive(Debug)]
pub struct Compound<'a, 'b> {
    ser: &'b mut Serializer<'a>,
    kind: Container,
    declared: Option<usize>,
    start: usize,
    count: usize,
}

impl<'a, 'b> Compound<'a, 'b> {
    fn start(ser: &'b mut Serializer<'a>, kind: Container, len: Option<usize>) -> Result<Self> {
        if let Some(n) = len {
            match kind {
                Container::List => write_list_header(ser.buf, n)?,
                Container::Map => write_map_header(ser.buf, n)?,
            }
        }
        let start = ser.buf.len();
        Ok(Compound {
            ser,
            kind,
            declared: len,
            start,
            count: 0,
        })
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.count += 1;
        value.serialize(&mut *self.ser)
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.count += 1;
        key.serialize(MapKeySerializer { buf: self.ser.buf })
    }

    fn finish(self) -> Result<()> {
        match self.declared {
            Some(n) if n == self.count => Ok(()),
            Some(n) => Err(Error::Custom(format!(
                "declared {n} item(s) but serialized {}",
                self.count
            ))),
            None => {
                let items = self.ser.buf.split_off(self.start);
                match self.kind {
                    Container::List => write_list_header(self.ser.buf, self.count)?,
                    Container::Map => write_map_header(self.ser.buf, self.count)?,
                }
                self.ser.buf.extend_from_slice(&items);
                Ok(())
            }
        }
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.count += 1;
        write_string(self.ser.buf, key)?;
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// A tuple struct: a plain list, or one of this crate's structures.
#[doc(hidden)]
#[derive(Debug)]
pub enum TupleStruct<'a, 'b> {
    List(Compound<'a, 'b>),
    Structure(StructureWriter<'a, 'b>),
}

impl ser::SerializeTupleStruct for TupleStruct<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        match self {
            TupleStruct::List(c) => c.item(value),
            TupleStruct::Structure(s) => s.field(value),
        }
    }
    fn end(self) -> Result<()> {
        match self {
            TupleStruct::List(c) => c.finish(),
            TupleStruct::Structure(s) => s.finish(),
        }
    }
}

#[derive(Debug)]
enum StructState {
    /// The first field (the tag) has not come yet.
    AwaitTag,
    /// Fields go straight to the output; the last `skip` are dropped (element
    /// ids for a dialect without them).
    Pass { write: usize, skip: usize },
    /// A UTC `DateTime` for a legacy dialect: its three integer fields are
    /// collected, then written with wall-clock seconds.
    LegacyDateTime { scratch: BytesMut, seen: usize },
}

/// Writes one of this crate's structures, adapting it to the dialect.
#[doc(hidden)]
#[derive(Debug)]
pub struct StructureWriter<'a, 'b> {
    ser: &'b mut Serializer<'a>,
    declared: usize,
    state: StructState,
}

/// Serializes `value` on its own and reads it back as an integer: how the
/// structure writer learns a tag or a date-time field without a second
/// serializer implementation.
fn capture_int<T: Serialize + ?Sized>(value: &T, dialect: Dialect) -> Result<i64> {
    let mut scratch = BytesMut::new();
    value.serialize(&mut Serializer::new(&mut scratch, dialect))?;
    let mut u = Unpacker::new(&scratch);
    let v = u.read_int()?;
    u.finish()?;
    Ok(v)
}

impl StructureWriter<'_, '_> {
    fn field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let dialect = self.ser.dialect;
        match &mut self.state {
            StructState::AwaitTag => {
                let raw = capture_int(value, dialect)?;
                let t = u8::try_from(raw)
                    .map_err(|_| Error::Custom(format!("structure tag {raw} is not a byte")))?;
                let fields = self.declared.saturating_sub(1);
                let (write, skip) = match (t, fields) {
                    (tag::NODE | tag::UNBOUND_RELATIONSHIP, 4) if !dialect.element_ids => (3, 1),
                    (tag::RELATIONSHIP, 8) if !dialect.element_ids => (5, 3),
                    (tag::DATE_TIME, 3) if !dialect.utc_date_time => {
                        write_struct_header(self.ser.buf, tag::LEGACY_DATE_TIME, 3)?;
                        self.state = StructState::LegacyDateTime {
                            scratch: BytesMut::new(),
                            seen: 0,
                        };
                        return Ok(());
                    }
                    (tag::DATE_TIME_ZONE_ID, _) if !dialect.utc_date_time => {
                        return Err(Error::Unencodable(
                            "a UTC date-time with a zone id cannot be sent to a server that only \
                             understands legacy (wall-clock) date-times"
                                .into(),
                        ))
                    }
                    (tag::VECTOR | tag::UNSUPPORTED_TYPE, _) if !dialect.vectors => {
                        return Err(Error::NeedsNewerProtocol {
                            what: if t == tag::VECTOR {
                                "a Vector value"
                            } else {
                                "an UnsupportedType value"
                            },
                            major: 6,
                            minor: 0,
                        })
                    }
                    (tag::LEGACY_DATE_TIME_ZONE_ID, _) if dialect.utc_date_time => {
                        return Err(Error::Unencodable(
                            "a wall-clock date-time with a zone id cannot be sent with UTC-based \
                             date-times without the zone's rules"
                                .into(),
                        ))
                    }
                    _ => (fields, 0),
                };
                write_struct_header(self.ser.buf, t, write)?;
                self.state = StructState::Pass { write, skip };
                Ok(())
            }
            StructState::Pass { write, skip } => {
                if *write > 0 {
                    *write -= 1;
                    value.serialize(&mut *self.ser)
                } else if *skip > 0 {
                    *skip -= 1;
                    Ok(())
                } else {
                    Err(Error::Custom("more structure fields than declared".into()))
                }
            }
            StructState::LegacyDateTime { scratch, seen } => {
                *seen += 1;
                value.serialize(&mut Serializer::new(scratch, dialect))
            }
        }
    }

    fn finish(self) -> Result<()> {
        match self.state {
            StructState::AwaitTag => Err(Error::Custom("structure without a tag".into())),
            StructState::Pass { write: 0, skip: 0 } => Ok(()),
            StructState::Pass { .. } => {
                Err(Error::Custom("fewer structure fields than declared".into()))
            }
            StructState::LegacyDateTime { scratch, seen: 3 } => {
                let mut u = Unpacker::new(&scratch);
                let (seconds, nanos, offset) = (u.read_int()?, u.read_int()?, u.read_int()?);
                let local = seconds.checked_add(offset).ok_or_else(|| {
                    Error::Unencodable("date-time out of range for the legacy encoding".into())
                })?;
                write_int(self.ser.buf, local);
                write_int(self.ser.buf, nanos);
                write_int(self.ser.buf, offset);
                Ok(())
            }
            StructState::LegacyDateTime { .. } => {
                Err(Error::Custom("a DateTime has three fields".into()))
            }
        }
    }
}

/// Map keys must be strings in PackStream; this serializer accepts strings,
/// chars and unit enum variants (serialized by name), nothing else.
struct MapKeySerializer<'a> {
    buf: &'a mut BytesMut,
}

fn key_must_be_string() -> Error {
    Error::Unencodable("PackStream map keys must be strings".into())
}

macro_rules! reject_key {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<()> {
            Err(key_must_be_string())
        }
    )*};
}

impl ser::Serializer for MapKeySerializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<()> {
        write_string(self.buf, v)
    }
    fn serialize_char(self, v: char) -> Result<()> {
        write_string(self.buf, v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        write_string(self.buf, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    reject_key! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_bytes(&[u8]),
        serialize_none(), serialize_unit(), serialize_unit_struct(&'static str),
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<()> {
        Err(key_must_be_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<()> {
        Err(key_must_be_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_string())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_string())
    }
}
