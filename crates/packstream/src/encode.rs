//! Writing PackStream into a [`BytesMut`].
//!
//! Low-level writers for each marker family, plus [`Value::encode`]. Integers
//! and lengths always take the smallest encoding, as the spec recommends and
//! servers expect of drivers.

use bytes::{BufMut, BytesMut};

use crate::marker::{self, tag};
use crate::{Error, Result, TimeBasis, Value};

/// How the version-dependent structures are written. The Bolt layer picks one
/// from the negotiated protocol version; nothing here is global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dialect {
    /// Write element ids on nodes and relationships (Bolt 5.0+).
    pub element_ids: bool,
    /// Write date-times with UTC-based seconds, tags `I`/`i` (Bolt 5.0+, and
    /// 4.4 with the `utc` patch); otherwise the legacy `F`/`f`.
    pub utc_date_time: bool,
    /// Write [`Vector`](crate::Vector)s and [`UnsupportedType`](crate::UnsupportedType)s
    /// (Bolt 6.0+). Without it, encoding one fails with
    /// [`Error::NeedsNewerProtocol`]: an older server cannot read them.
    pub vectors: bool,
}

impl Dialect {
    /// Bolt 6.0 and later: Bolt 5 plus vectors.
    pub const BOLT_6: Dialect = Dialect {
        element_ids: true,
        utc_date_time: true,
        vectors: true,
    };
    /// Bolt 5.x.
    pub const BOLT_5: Dialect = Dialect {
        element_ids: true,
        utc_date_time: true,
        vectors: false,
    };
    /// Bolt 4.4 without the `utc` patch.
    pub const BOLT_4_4: Dialect = Dialect {
        element_ids: false,
        utc_date_time: false,
        vectors: false,
    };
    /// Bolt 4.4 with the `utc` patch negotiated.
    pub const BOLT_4_4_UTC: Dialect = Dialect {
        element_ids: false,
        utc_date_time: true,
        vectors: false,
    };
}

/// The newest dialect ([`Dialect::BOLT_6`]): everything can be written.
impl Default for Dialect {
    fn default() -> Self {
        Dialect::BOLT_6
    }
}

/// Writes `null`.
pub fn write_null(buf: &mut BytesMut) {
    buf.put_u8(marker::NULL);
}

/// Writes a boolean.
pub fn write_bool(buf: &mut BytesMut, v: bool) {
    buf.put_u8(if v { marker::TRUE } else { marker::FALSE });
}

/// Writes an integer in its smallest encoding.
pub fn write_int(buf: &mut BytesMut, v: i64) {
    if (marker::TINY_INT_MIN..=marker::TINY_INT_MAX).contains(&v) {
        // Tiny ints are the value's own two's-complement low byte.
        buf.put_u8(v.to_be_bytes()[7]);
    } else if let Ok(v) = i8::try_from(v) {
        buf.put_u8(marker::INT_8);
        buf.put_i8(v);
    } else if let Ok(v) = i16::try_from(v) {
        buf.put_u8(marker::INT_16);
        buf.put_i16(v);
    } else if let Ok(v) = i32::try_from(v) {
        buf.put_u8(marker::INT_32);
        buf.put_i32(v);
    } else {
        buf.put_u8(marker::INT_64);
        buf.put_i64(v);
    }
}

/// Writes a 64-bit float.
pub fn write_float(buf: &mut BytesMut, v: f64) {
    buf.put_u8(marker::FLOAT_64);
    buf.put_f64(v);
}

fn too_long(kind: &'static str, length: usize) -> Error {
    Error::TooLong {
        kind,
        length,
        max: crate::decode::MAX_SIZE,
    }
}

/// Writes a marker for a sized type: tiny form when `tiny` is given and the
/// length fits a nibble, else the 8/16/32-bit length forms.
fn write_sized(
    buf: &mut BytesMut,
    kind: &'static str,
    len: usize,
    tiny: Option<u8>,
    m8: u8,
    m16: u8,
    m32: u8,
) -> Result<()> {
    if let (Some(t), Ok(n @ 0..=15)) = (tiny, u8::try_from(len)) {
        buf.put_u8(t | n);
    } else if let Ok(l) = u8::try_from(len) {
        buf.put_u8(m8);
        buf.put_u8(l);
    } else if let Ok(l) = u16::try_from(len) {
        buf.put_u8(m16);
        buf.put_u16(l);
    } else if let Some(l) = u32::try_from(len)
        .ok()
        .filter(|l| u64::from(*l) <= crate::decode::MAX_SIZE)
    {
        buf.put_u8(m32);
        buf.put_u32(l);
    } else {
        return Err(too_long(kind, len));
    }
    Ok(())
}

/// Writes a byte array.
pub fn write_bytes(buf: &mut BytesMut, v: &[u8]) -> Result<()> {
    write_sized(
        buf,
        "byte array",
        v.len(),
        None,
        marker::BYTES_8,
        marker::BYTES_16,
        marker::BYTES_32,
    )?;
    buf.put_slice(v);
    Ok(())
}

/// Writes a string.
pub fn write_string(buf: &mut BytesMut, v: &str) -> Result<()> {
    write_sized(
        buf,
        "string",
        v.len(),
        Some(marker::TINY_STRING),
        marker::STRING_8,
        marker::STRING_16,
        marker::STRING_32,
    )?;
    buf.put_slice(v.as_bytes());
    Ok(())
}

/// Writes a list header; `len` values must follow.
pub fn write_list_header(buf: &mut BytesMut, len: usize) -> Result<()> {
    write_sized(
        buf,
        "list",
        len,
        Some(marker::TINY_LIST),
        marker::LIST_8,
        marker::LIST_16,
        marker::LIST_32,
    )
}

/// Writes a dictionary header; `len` key (string) and value pairs must follow.
pub fn write_map_header(buf: &mut BytesMut, len: usize) -> Result<()> {
    write_sized(
        buf,
        "map",
        len,
        Some(marker::TINY_MAP),
        marker::MAP_8,
        marker::MAP_16,
        marker::MAP_32,
    )
}

/// Writes a structure header; `fields` values must follow. PackStream v1
/// allows 0 to 15 fields.
pub fn write_struct_header(buf: &mut BytesMut, tag: u8, fields: usize) -> Result<()> {
    let n = u8::try_from(fields)
        .ok()
        .filter(|n| *n <= 15)
        .ok_or_else(|| {
            Error::Unencodable(format!("a structure has at most 15 fields, not {fields}"))
        })?;
    buf.put_u8(marker::TINY_STRUCT | n);
    buf.put_u8(tag);
    Ok(())
}

fn write_map(buf: &mut BytesMut, map: &crate::Map, dialect: Dialect) -> Result<()> {
    write_map_header(buf, map.len())?;
    for (k, v) in map {
        write_string(buf, k)?;
        v.encode(buf, dialect)?;
    }
    Ok(())
}

fn write_string_list(buf: &mut BytesMut, items: &[String]) -> Result<()> {
    write_list_header(buf, items.len())?;
    items.iter().try_for_each(|s| write_string(buf, s))
}

fn write_element_id(buf: &mut BytesMut, element_id: &Option<String>, id: i64) -> Result<()> {
    match element_id {
        Some(e) => write_string(buf, e),
        None => write_string(buf, &id.to_string()),
    }
}

impl crate::Node {
    fn encode(&self, buf: &mut BytesMut, dialect: Dialect) -> Result<()> {
        write_struct_header(buf, tag::NODE, if dialect.element_ids { 4 } else { 3 })?;
        write_int(buf, self.id);
        write_string_list(buf, &self.labels)?;
        write_map(buf, &self.properties, dialect)?;
        if dialect.element_ids {
            write_element_id(buf, &self.element_id, self.id)?;
        }
        Ok(())
    }
}

impl crate::UnboundRelationship {
    fn encode(&self, buf: &mut BytesMut, dialect: Dialect) -> Result<()> {
        let fields = if dialect.element_ids { 4 } else { 3 };
        write_struct_header(buf, tag::UNBOUND_RELATIONSHIP, fields)?;
        write_int(buf, self.id);
        write_string(buf, &self.rel_type)?;
        write_map(buf, &self.properties, dialect)?;
        if dialect.element_ids {
            write_element_id(buf, &self.element_id, self.id)?;
        }
        Ok(())
    }
}

/// Nanoseconds within a second must be below one billion; the decoder
/// rejects anything else, so the encoder refuses to write it.
fn check_nanos(structure: &str, n: u32) -> Result<()> {
    if n < crate::temporal::NANOS_PER_SECOND {
        Ok(())
    } else {
        Err(Error::Unencodable(format!(
            "{structure} with {n} nanoseconds (must be below 1 000 000 000)"
        )))
    }
}

impl Value {
    /// Appends this value's encoding to `buf`.
    ///
    /// Fails only for values PackStream cannot hold (a size over
    /// 2³¹−1, nanoseconds of a second past one billion) or that the dialect cannot express (a wall-clock
    /// [`DateTimeZoneId`](crate::DateTimeZoneId) for a UTC dialect, or the
    /// reverse).
    pub fn encode(&self, buf: &mut BytesMut, dialect: Dialect) -> Result<()> {
        match self {
            Value::Null => write_null(buf),
            Value::Boolean(b) => write_bool(buf, *b),
            Value::Integer(i) => write_int(buf, *i),
            Value::Float(f) => write_float(buf, *f),
            Value::Bytes(b) => write_bytes(buf, b)?,
            Value::String(s) => write_string(buf, s)?,
            Value::List(items) => {
                write_list_header(buf, items.len())?;
                for item in items {
                    item.encode(buf, dialect)?;
                }
            }
            Value::Map(map) => write_map(buf, map, dialect)?,
            Value::Node(n) => n.encode(buf, dialect)?,
            Value::Relationship(r) => {
                let fields = if dialect.element_ids { 8 } else { 5 };
                write_struct_header(buf, tag::RELATIONSHIP, fields)?;
                write_int(buf, r.id);
                write_int(buf, r.start_node_id);
                write_int(buf, r.end_node_id);
                write_string(buf, &r.rel_type)?;
                write_map(buf, &r.properties, dialect)?;
                if dialect.element_ids {
                    write_element_id(buf, &r.element_id, r.id)?;
                    write_element_id(buf, &r.start_node_element_id, r.start_node_id)?;
                    write_element_id(buf, &r.end_node_element_id, r.end_node_id)?;
                }
            }
            Value::UnboundRelationship(r) => r.encode(buf, dialect)?,
            Value::Path(p) => {
                write_struct_header(buf, tag::PATH, 3)?;
                write_list_header(buf, p.nodes.len())?;
                for n in &p.nodes {
                    n.encode(buf, dialect)?;
                }
                write_list_header(buf, p.relationships.len())?;
                for r in &p.relationships {
                    r.encode(buf, dialect)?;
                }
                write_list_header(buf, p.indices.len())?;
                for i in &p.indices {
                    write_int(buf, *i);
                }
            }
            Value::Date(d) => {
                write_struct_header(buf, tag::DATE, 1)?;
                write_int(buf, d.days);
            }
            Value::Time(t) => {
                write_struct_header(buf, tag::TIME, 2)?;
                write_int(buf, t.nanoseconds);
                write_int(buf, i64::from(t.tz_offset_seconds));
            }
            Value::LocalTime(t) => {
                write_struct_header(buf, tag::LOCAL_TIME, 1)?;
                write_int(buf, t.nanoseconds);
            }
            Value::DateTime(dt) => {
                check_nanos("DateTime", dt.nanoseconds)?;
                let offset = i64::from(dt.tz_offset_seconds);
                let (t, seconds) = if dialect.utc_date_time {
                    (tag::DATE_TIME, Some(dt.seconds))
                } else {
                    // Legacy: seconds on the wall clock of the offset.
                    (tag::LEGACY_DATE_TIME, dt.seconds.checked_add(offset))
                };
                let seconds = seconds.ok_or_else(|| {
                    Error::Unencodable("date-time out of range for the legacy encoding".into())
                })?;
                write_struct_header(buf, t, 3)?;
                write_int(buf, seconds);
                write_int(buf, i64::from(dt.nanoseconds));
                write_int(buf, offset);
            }
            Value::DateTimeZoneId(dt) => {
                check_nanos("DateTimeZoneId", dt.nanoseconds)?;
                let t = match (dialect.utc_date_time, dt.basis) {
                    (true, TimeBasis::Utc) => tag::DATE_TIME_ZONE_ID,
                    (false, TimeBasis::WallClock) => tag::LEGACY_DATE_TIME_ZONE_ID,
                    (true, TimeBasis::WallClock) => {
                        return Err(Error::Unencodable(format!(
                            "a wall-clock date-time in zone {} cannot be sent with UTC-based \
                             date-times without the zone's rules; build it with UTC seconds",
                            dt.tz_id
                        )))
                    }
                    (false, TimeBasis::Utc) => {
                        return Err(Error::Unencodable(format!(
                            "a UTC date-time in zone {} cannot be sent to a server that only \
                             understands legacy (wall-clock) date-times",
                            dt.tz_id
                        )))
                    }
                };
                write_struct_header(buf, t, 3)?;
                write_int(buf, dt.seconds);
                write_int(buf, i64::from(dt.nanoseconds));
                write_string(buf, &dt.tz_id)?;
            }
            Value::LocalDateTime(dt) => {
                check_nanos("LocalDateTime", dt.nanoseconds)?;
                write_struct_header(buf, tag::LOCAL_DATE_TIME, 2)?;
                write_int(buf, dt.seconds);
                write_int(buf, i64::from(dt.nanoseconds));
            }
            Value::Duration(d) => {
                write_struct_header(buf, tag::DURATION, 4)?;
                write_int(buf, d.months);
                write_int(buf, d.days);
                write_int(buf, d.seconds);
                write_int(buf, i64::from(d.nanoseconds));
            }
            Value::Point2D(p) => {
                write_struct_header(buf, tag::POINT_2D, 3)?;
                write_int(buf, i64::from(p.srid));
                write_float(buf, p.x);
                write_float(buf, p.y);
            }
            Value::Point3D(p) => {
                write_struct_header(buf, tag::POINT_3D, 4)?;
                write_int(buf, i64::from(p.srid));
                write_float(buf, p.x);
                write_float(buf, p.y);
                write_float(buf, p.z);
            }
            Value::Vector(_) | Value::Unsupported(_) if !dialect.vectors => {
                return Err(Error::NeedsNewerProtocol {
                    what: if matches!(self, Value::Vector(_)) {
                        "a Vector value"
                    } else {
                        "an UnsupportedType value"
                    },
                    major: 6,
                    minor: 0,
                });
            }
            Value::Vector(v) => {
                write_struct_header(buf, tag::VECTOR, 2)?;
                write_bytes(buf, &[v.type_marker()])?;
                write_bytes(buf, &v.to_be_bytes())?;
            }
            Value::Unsupported(u) => {
                write_struct_header(buf, tag::UNSUPPORTED_TYPE, 4)?;
                write_string(buf, &u.name)?;
                write_int(buf, u.minimum_protocol_major);
                write_int(buf, u.minimum_protocol_minor);
                write_map(buf, &u.extra, dialect)?;
            }
        }
        Ok(())
    }

    /// Encodes into a new buffer.
    pub fn to_bytes(&self, dialect: Dialect) -> Result<bytes::Bytes> {
        let mut buf = BytesMut::new();
        self.encode(&mut buf, dialect)?;
        Ok(buf.freeze())
    }
}
