//! A serde `Deserializer` reading PackStream straight into user types, with
//! no intermediate [`Value`](crate::Value) tree.
//!
//! - Strings and byte arrays are borrowed from the input when the target
//!   allows (`&'de str`, `Cow<str>` with `#[serde(borrow)]`).
//! - A node, relationship or unbound relationship deserializes into a struct
//!   or map from its properties; to keep its id and labels too, deserialize
//!   into [`Node<T>`](crate::Node) (likewise `Relationship<T>`).
//! - A temporal structure (date, time, date-time, duration) deserializes into
//!   this crate's types, and into any other target as its ISO 8601 text (as
//!   Cypher's `toString` prints it; see [`ext::to_iso_string`](crate::ext::to_iso_string)).
//!   That is how chrono's types, whose `Deserialize` reads a string, fill
//!   struct fields straight from temporal values, and how a `String` or a
//!   `serde_json::Value` target gets readable text.
//! - Other structures (spatial, …) deserialize into this crate's types; into
//!   a generic target they appear as the list of their fields.
//! - [`from_record`] reads a RECORD's field list into a struct by the
//!   result's column names.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Deserialize;

use crate::decode::Kind;
use crate::marker::{self, tag};
use crate::ser::STRUCT_MAGIC;
use crate::{Error, Result, Unpacker};

/// Name of the newtype through which [`Value`](crate::Value) asks this
/// deserializer for the raw bytes of the next value, so it can decode them
/// exactly (structures included) instead of through serde's data model.
pub(crate) const VALUE_MAGIC: &str = "$boltline::packstream::Value";

/// The narrower integer and float methods of a `Deserializer`, forwarded to
/// its `deserialize_i64` / `deserialize_f64` (PackStream has one integer
/// and one float type; serde's visitors range-check).
macro_rules! forward_narrow_numbers {
    () => {
        forward_narrow_numbers!(deserialize_i64: deserialize_i8 deserialize_i16 deserialize_i32
            deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);
        forward_narrow_numbers!(deserialize_f64: deserialize_f32);
    };
    ($to:ident: $($from:ident)*) => {$(
        fn $from<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.$to(visitor)
        }
    )*};
}

/// Deserializes one value that fills all of `input`.
pub fn from_slice<'de, T: Deserialize<'de>>(input: &'de [u8]) -> Result<T> {
    let mut de = Deserializer::new(Unpacker::new(input));
    let v = T::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Deserializes a record: `fields` is the encoded PackStream list of a RECORD
/// message and `keys` the result's column names. The record reads as a map
/// from key to field, so a struct takes columns by name; a target that is not
/// a struct, map, sequence or tuple takes the record's only column.
pub fn from_record<'de, K: AsRef<str>, T: Deserialize<'de>>(
    keys: &[K],
    fields: &'de [u8],
) -> Result<T> {
    let mut de = Deserializer::new(Unpacker::new(fields));
    let v = T::deserialize(RecordDeserializer { de: &mut de, keys })?;
    de.end()?;
    Ok(v)
}

/// Deserializes from a [`Value`](crate::Value) (encoded first, so this costs
/// one encoding pass; prefer [`from_slice`] on received bytes).
pub fn from_value<T: de::DeserializeOwned>(value: &crate::Value) -> Result<T> {
    let bytes = value.to_bytes(crate::Dialect::BOLT_6)?;
    from_slice(&bytes)
}

/// The PackStream deserializer; see the module docs.
#[derive(Debug)]
pub struct Deserializer<'de> {
    u: Unpacker<'de>,
}

impl<'de> Deserializer<'de> {
    /// A deserializer reading from `unpacker`'s position.
    pub fn new(unpacker: Unpacker<'de>) -> Self {
        Deserializer { u: unpacker }
    }

    /// Fails unless all input has been consumed.
    pub fn end(&self) -> Result<()> {
        self.u.finish()
    }

    /// The cursor, for callers that mix serde and direct decoding.
    pub fn unpacker(&mut self) -> &mut Unpacker<'de> {
        &mut self.u
    }

    fn list<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let n = self.u.read_list_header()?;
        self.u.enter()?;
        let mut access = SeqAccess { de: self, left: n };
        let v = visitor.visit_seq(&mut access)?;
        let left = access.left;
        if left != 0 {
            return Err(Error::Custom(format!(
                "list has {left} more item(s) than expected"
            )));
        }
        self.u.leave();
        Ok(v)
    }

    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let n = self.u.read_map_header()?;
        self.u.enter()?;
        let mut access = MapAccess { de: self, left: n };
        let v = visitor.visit_map(&mut access)?;
        if access.left != 0 {
            return Err(Error::Custom("map entries left unread".into()));
        }
        self.u.leave();
        Ok(v)
    }

    /// The two fields of a vector (type marker, big-endian data) as the
    /// sequence of its elements: a vector deserializes into `Vec<f32>`,
    /// `Vec<i8>`, ... like a list.
    fn vector_elements<V: Visitor<'de>>(&mut self, at: usize, visitor: V) -> Result<V::Value> {
        use crate::Vector;
        let invalid = |reason: String| Error::InvalidStructure {
            offset: at,
            structure: "Vector",
            reason,
        };
        let type_marker = match self.u.read_byte_slice()? {
            [m] => *m,
            other => return Err(invalid(format!("type marker of {} bytes", other.len()))),
        };
        let data = self.u.read_byte_slice()?;
        let vector = Vector::from_be_bytes(type_marker, data).ok_or_else(|| {
            invalid(format!(
                "type 0x{type_marker:02X} with {} data bytes",
                data.len()
            ))
        })?;
        fn seq<'de, T, V>(items: Vec<T>, visitor: V) -> Result<V::Value>
        where
            T: IntoDeserializer<'de, Error>,
            V: Visitor<'de>,
        {
            let mut access = de::value::SeqDeserializer::new(items.into_iter());
            let v = visitor.visit_seq(&mut access)?;
            access.end()?;
            Ok(v)
        }
        match vector {
            Vector::I8(items) => seq(items, visitor),
            Vector::I16(items) => seq(items, visitor),
            Vector::I32(items) => seq(items, visitor),
            Vector::I64(items) => seq(items, visitor),
            Vector::F32(items) => seq(items, visitor),
            Vector::F64(items) => seq(items, visitor),
        }
    }

    /// The ISO 8601 text of the next value when it is a temporal structure
    /// that has one (consumed then); `None`, with nothing consumed, otherwise.
    fn temporal_text(&mut self) -> Result<Option<String>> {
        let tag = match self.u.rest() {
            [0xB0..=0xBF, t, ..] => *t,
            _ => return Ok(None),
        };
        if !matches!(
            tag,
            tag::DATE
                | tag::TIME
                | tag::LOCAL_TIME
                | tag::DATE_TIME
                | tag::DATE_TIME_ZONE_ID
                | tag::LEGACY_DATE_TIME
                | tag::LEGACY_DATE_TIME_ZONE_ID
                | tag::LOCAL_DATE_TIME
                | tag::DURATION
        ) {
            return Ok(None);
        }
        let mut probe = self.u.clone();
        let value = probe.read_value()?;
        match crate::ext::to_iso_string(&value) {
            Some(text) => {
                self.u = probe;
                Ok(Some(text))
            }
            None => Ok(None),
        }
    }

    /// For a typed fast path (boolean, integer, float) that finds a
    /// structure: an error naming what was wanted and the structure's type
    /// (serde's own message would call it a sequence or a string).
    fn structure_mismatch(&self, expected: &'static str) -> Option<Error> {
        let name = match self.u.rest() {
            [0xB0..=0xBF, t, ..] => structure_type_name(*t),
            _ => return None,
        };
        Some(Error::Custom(format!(
            "invalid type: {name} at byte {}, expected {expected}",
            self.u.position()
        )))
    }

    /// A structure for a target that does not name one: graph entities give
    /// their properties, the rest the list of their fields.
    fn structure_any<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let at = self.u.position();
        let (t, n) = self.u.read_struct_header()?;
        self.u.enter()?;
        // Fields before the properties, and after them (element ids).
        let (before, after) = match (t, n) {
            (tag::VECTOR, 2) => {
                let v = self.vector_elements(at, visitor)?;
                self.u.leave();
                return Ok(v);
            }
            (tag::NODE, 3 | 4) => (2, n - 3),
            (tag::RELATIONSHIP, 5 | 8) => (4, n - 5),
            (tag::UNBOUND_RELATIONSHIP, 3 | 4) => (2, n - 3),
            _ => {
                let mut access = SeqAccess { de: self, left: n };
                let v = visitor.visit_seq(&mut access)?;
                if access.left != 0 {
                    return Err(Error::Custom(format!(
                        "structure 0x{t:02X} at byte {at} has {} more field(s) than expected",
                        access.left
                    )));
                }
                self.u.leave();
                return Ok(v);
            }
        };
        for _ in 0..before {
            self.u.skip_value()?;
        }
        let v = self.map(visitor)?;
        for _ in 0..after {
            self.u.skip_value()?;
        }
        self.u.leave();
        Ok(v)
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.u.peek_kind()? {
            Kind::Null => {
                self.u.read_null()?;
                visitor.visit_unit()
            }
            Kind::Boolean => visitor.visit_bool(self.u.read_bool()?),
            Kind::Integer => visitor.visit_i64(self.u.read_int()?),
            Kind::Float => visitor.visit_f64(self.u.read_float()?),
            Kind::String => visitor.visit_borrowed_str(self.u.read_str()?),
            Kind::Bytes => visitor.visit_borrowed_bytes(self.u.read_byte_slice()?),
            Kind::List => self.list(visitor),
            Kind::Map => self.map(visitor),
            Kind::Structure => match self.temporal_text()? {
                Some(text) => visitor.visit_string(text),
                None => self.structure_any(visitor),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.u.peek_kind()? == Kind::Null {
            self.u.read_null()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == VALUE_MAGIC {
            let rest = self.u.rest();
            let before = self.u.remaining();
            self.u.skip_value()?;
            let used = before - self.u.remaining();
            visitor.visit_borrowed_bytes(&rest[..used])
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        if name != STRUCT_MAGIC {
            return self.deserialize_any(visitor);
        }
        let (t, n) = self.u.read_struct_header()?;
        self.u.enter()?;
        let mut access = StructAccess {
            de: self,
            tag: Some(t),
            left: n,
        };
        let v = visitor.visit_seq(&mut access)?;
        if access.left != 0 {
            return Err(Error::Custom(format!(
                "structure 0x{t:02X} has {} more field(s) than expected",
                access.left
            )));
        }
        self.u.leave();
        Ok(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.u.peek_kind()? {
            Kind::String => visitor.visit_enum(self.u.read_str()?.into_deserializer()),
            Kind::Map => {
                let at = self.u.position();
                if self.u.read_map_header()? != 1 {
                    return Err(Error::Custom(format!(
                        "an enum variant with content is a one-entry map (at byte {at})"
                    )));
                }
                self.u.enter()?;
                let v = visitor.visit_enum(EnumAccess { de: self })?;
                self.u.leave();
                Ok(v)
            }
            _ => {
                let at = self.u.position();
                let marker = self.u.peek_marker()?;
                Err(Error::UnexpectedType {
                    offset: at,
                    expected: "an enum (a string or a one-entry map)",
                    marker,
                })
            }
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.u.read_str()?)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.u.skip_value()?;
        visitor.visit_unit()
    }

    // Typed fast paths: read the expected kind directly, and leave anything
    // else to `deserialize_any` so the visitor reports (or accepts) it as
    // serde defines, e.g. an integer into an `f64` field.

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.u.peek_marker()? {
            marker::TRUE | marker::FALSE => visitor.visit_bool(self.u.read_bool()?),
            _ => match self.structure_mismatch("a boolean") {
                Some(e) => Err(e),
                None => self.deserialize_any(visitor),
            },
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if Kind::of(self.u.peek_marker()?) == Some(Kind::Integer) {
            visitor.visit_i64(self.u.read_int()?)
        } else if let Some(e) = self.structure_mismatch("an integer") {
            Err(e)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.u.peek_marker()? == marker::FLOAT_64 {
            visitor.visit_f64(self.u.read_float()?)
        } else if let Some(e) = self.structure_mismatch("a float") {
            Err(e)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if Kind::of(self.u.peek_marker()?) == Some(Kind::String) {
            visitor.visit_borrowed_str(self.u.read_str()?)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if Kind::of(self.u.peek_marker()?) == Some(Kind::List) {
            self.list(visitor)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if Kind::of(self.u.peek_marker()?) == Some(Kind::Map) {
            self.map(visitor)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    forward_narrow_numbers!();
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit unit_struct tuple
    }
}

/// A structure's type, as Cypher names it, for error messages.
fn structure_type_name(t: u8) -> &'static str {
    match t {
        tag::NODE => "NODE",
        tag::RELATIONSHIP | tag::UNBOUND_RELATIONSHIP => "RELATIONSHIP",
        tag::PATH => "PATH",
        tag::DATE => "DATE",
        tag::TIME => "ZONED TIME",
        tag::LOCAL_TIME => "LOCAL TIME",
        tag::DATE_TIME
        | tag::DATE_TIME_ZONE_ID
        | tag::LEGACY_DATE_TIME
        | tag::LEGACY_DATE_TIME_ZONE_ID => "ZONED DATETIME",
        tag::LOCAL_DATE_TIME => "LOCAL DATETIME",
        tag::DURATION => "DURATION",
        tag::POINT_2D | tag::POINT_3D => "POINT",
        tag::VECTOR => "VECTOR",
        _ => "a structure",
    }
}

struct SeqAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A structure's fields, preceded by its tag (as a `u8`).
struct StructAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    tag: Option<u8>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for StructAccess<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if let Some(t) = self.tag.take() {
            return seed.deserialize(t.into_deserializer()).map(Some);
        }
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left + usize::from(self.tag.is_some()))
    }
}

struct MapAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let key = self.de.u.read_str()?;
        seed.deserialize(BorrowedKey(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A map key borrowed from the input. Keys are strings in PackStream; a
/// newtype around a string also works.
struct BorrowedKey<'de>(&'de str);

impl<'de> de::Deserializer<'de> for BorrowedKey<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct EnumAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let key = self.de.u.read_str()?;
        let v = seed.deserialize(BorrowedKey(key))?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for EnumAccess<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        self.de.u.read_null()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(&mut *self.de, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(&mut *self.de, visitor)
    }
}

/// A RECORD's field list read as a map from column name to field.
struct RecordDeserializer<'a, 'de, K> {
    de: &'a mut Deserializer<'de>,
    keys: &'a [K],
}

impl<'de, K> RecordDeserializer<'_, 'de, K> {
    fn header(&mut self) -> Result<usize> {
        let at = self.de.u.position();
        let n = self.de.u.read_list_header()?;
        if n != self.keys.len() {
            return Err(Error::Custom(format!(
                "record at byte {at} has {n} field(s) but the result has {} key(s)",
                self.keys.len()
            )));
        }
        Ok(n)
    }
}

impl<'de, K: AsRef<str>> de::Deserializer<'de> for RecordDeserializer<'_, 'de, K> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value> {
        self.header()?;
        self.de.u.enter()?;
        let mut access = RecordAccess {
            de: &mut *self.de,
            keys: self.keys.iter(),
            current: None,
        };
        let v = visitor.visit_map(&mut access)?;
        if access.keys.len() != 0 {
            return Err(Error::Custom("record fields left unread".into()));
        }
        self.de.u.leave();
        Ok(v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.de.list(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.de.list(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.de.list(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.de.u.skip_value()?;
        visitor.visit_unit()
    }

    // Anything else is the value of a one-column record.
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_bool(de, visitor))
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_i64(de, visitor))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_f64(de, visitor))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_str(de, visitor))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_option(de, visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_enum(de, name, variants, visitor))
    }

    forward_narrow_numbers!();
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_bytes(de, visitor))
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.single(|de| de::Deserializer::deserialize_unit(de, visitor))
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }
}

/// `e`, naming the record column it happened in.
fn in_column(column: Option<&str>, e: Error) -> Error {
    match (column, e) {
        (_, e @ Error::InColumn { .. }) | (None, e) => e,
        (Some(column), e) => Error::InColumn {
            column: column.to_owned(),
            source: Box::new(e),
        },
    }
}

impl<'de, K: AsRef<str>> RecordDeserializer<'_, 'de, K> {
    /// The value of a one-column record.
    fn single<T>(mut self, f: impl FnOnce(&mut Deserializer<'de>) -> Result<T>) -> Result<T> {
        if self.header()? != 1 {
            return Err(Error::Custom(format!(
                "a record with {} columns does not fit a single value; deserialize into a struct, \
                 map or tuple",
                self.keys.len()
            )));
        }
        let column = self.keys.first().map(AsRef::as_ref);
        f(self.de).map_err(|e| in_column(column, e))
    }
}

struct RecordAccess<'a, 'de, 'k, K> {
    de: &'a mut Deserializer<'de>,
    keys: std::slice::Iter<'k, K>,
    /// The column whose value comes next, to name it in errors.
    current: Option<&'k K>,
}

impl<'de, K: AsRef<str>> de::MapAccess<'de> for RecordAccess<'_, 'de, '_, K> {
    type Error = Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        match self.keys.next() {
            None => Ok(None),
            Some(k) => {
                self.current = Some(k);
                seed.deserialize(de::value::StrDeserializer::<Error>::new(k.as_ref()))
                    .map(Some)
            }
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        let column = self.current.take();
        seed.deserialize(&mut *self.de)
            .map_err(|e| in_column(column.map(AsRef::as_ref), e))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.keys.len())
    }
}
