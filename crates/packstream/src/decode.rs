//! Reading PackStream from a byte slice.
//!
//! [`Unpacker`] is a cursor over borrowed input. Every length is checked
//! against the bytes that remain *before* anything is allocated or sliced, so
//! a 4 GiB length in a 10-byte buffer is an [`Error::LengthExceedsInput`], and
//! nesting is bounded by a depth limit. Nothing here panics on any input.

use bytes::Bytes;

use crate::marker::{self, tag};
use crate::temporal::NANOS_PER_SECOND;
use crate::{
    Date, DateTime, DateTimeZoneId, Duration, Error, LocalDateTime, LocalTime, Map, Node, Path,
    Point2D, Point3D, Relationship, Result, Time, TimeBasis, UnboundRelationship, UnsupportedType,
    Value, Vector,
};

/// Default limit on nesting of lists, maps and structures. Cypher values
/// nested this deep do not occur in practice; the limit keeps hostile input
/// from exhausting the stack.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Largest size of a string, byte array, list or map: the spec limits them
/// to a signed 32-bit count although the 32-bit size field could say more.
pub const MAX_SIZE: u64 = 2_147_483_647;

/// The kind of value a marker byte starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`.
    Null,
    /// A boolean.
    Boolean,
    /// An integer (any width).
    Integer,
    /// A float.
    Float,
    /// A byte array.
    Bytes,
    /// A string.
    String,
    /// A list.
    List,
    /// A dictionary.
    Map,
    /// A structure.
    Structure,
}

impl Kind {
    /// The kind `marker` starts, or `None` for a reserved marker.
    #[inline]
    pub const fn of(marker: u8) -> Option<Kind> {
        Some(match marker {
            0x00..=0x7F | 0xF0..=0xFF => Kind::Integer,
            marker::INT_8..=marker::INT_64 => Kind::Integer,
            0x80..=0x8F | marker::STRING_8..=marker::STRING_32 => Kind::String,
            0x90..=0x9F | marker::LIST_8..=marker::LIST_32 => Kind::List,
            0xA0..=0xAF | marker::MAP_8..=marker::MAP_32 => Kind::Map,
            0xB0..=0xBF => Kind::Structure,
            marker::NULL => Kind::Null,
            marker::FLOAT_64 => Kind::Float,
            marker::FALSE | marker::TRUE => Kind::Boolean,
            marker::BYTES_8..=marker::BYTES_32 => Kind::Bytes,
            _ => return None,
        })
    }
}

/// A cursor that decodes PackStream values from borrowed bytes.
#[derive(Debug, Clone)]
pub struct Unpacker<'a> {
    input: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    /// When the input is a `Bytes`, byte arrays are sliced from it (no copy).
    source: Option<&'a Bytes>,
}

impl<'a> Unpacker<'a> {
    /// A cursor at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Unpacker {
            input,
            pos: 0,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            source: None,
        }
    }

    /// A cursor over `Bytes`; decoded byte arrays share its buffer.
    pub fn from_bytes(input: &'a Bytes) -> Self {
        Unpacker {
            source: Some(input),
            ..Unpacker::new(input)
        }
    }

    /// Sets the nesting limit (default [`DEFAULT_MAX_DEPTH`]).
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Offset of the next byte to read.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// Whether all input has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread input.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    /// Fails with [`Error::TrailingBytes`] unless all input has been read.
    #[inline]
    pub fn finish(&self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes {
                offset: self.pos,
                remaining: self.remaining(),
            })
        }
    }

    /// The next marker byte, not consumed.
    #[inline]
    // Lazy on purpose: `Error` owns heap data in some variants, so building
    // one eagerly costs a drop on every successful call (measured).
    #[allow(clippy::unnecessary_lazy_evaluations)]
    pub fn peek_marker(&self) -> Result<u8> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or_else(|| Error::UnexpectedEnd {
                offset: self.pos,
                needed: 1,
            })
    }

    /// The kind of the next value, not consumed.
    #[inline]
    #[allow(clippy::unnecessary_lazy_evaluations)] // see `peek_marker`
    pub fn peek_kind(&self) -> Result<Kind> {
        let m = self.peek_marker()?;
        Kind::of(m).ok_or_else(|| Error::ReservedMarker {
            offset: self.pos,
            marker: m,
        })
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        match self.input.get(self.pos..self.pos.saturating_add(n)) {
            Some(s) if self.pos.checked_add(n).is_some() => {
                self.pos += n;
                Ok(s)
            }
            _ => Err(Error::UnexpectedEnd {
                offset: self.pos,
                needed: n - self.remaining().min(n),
            }),
        }
    }

    #[inline]
    fn take_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline]
    fn next_byte(&mut self) -> Result<u8> {
        let b = self.peek_marker()?;
        self.pos += 1;
        Ok(b)
    }

    fn unexpected(&self, offset: usize, expected: &'static str, marker: u8) -> Error {
        if marker::is_reserved(marker) {
            Error::ReservedMarker { offset, marker }
        } else {
            Error::UnexpectedType {
                offset,
                expected,
                marker,
            }
        }
    }

    /// Reads `null`.
    #[inline]
    pub fn read_null(&mut self) -> Result<()> {
        let at = self.pos;
        match self.next_byte()? {
            marker::NULL => Ok(()),
            m => Err(self.unexpected(at, "null", m)),
        }
    }

    /// Reads a boolean.
    #[inline]
    pub fn read_bool(&mut self) -> Result<bool> {
        let at = self.pos;
        match self.next_byte()? {
            marker::TRUE => Ok(true),
            marker::FALSE => Ok(false),
            m => Err(self.unexpected(at, "a boolean", m)),
        }
    }

    /// Reads an integer of any width.
    #[inline]
    pub fn read_int(&mut self) -> Result<i64> {
        let at = self.pos;
        let m = self.next_byte()?;
        self.int_after_marker(at, m)
    }

    #[inline]
    fn int_after_marker(&mut self, at: usize, m: u8) -> Result<i64> {
        Ok(match m {
            0x00..=0x7F => i64::from(m),
            // Tiny negative ints: the marker is the value's low byte.
            0xF0..=0xFF => i64::from(i8::from_be_bytes([m])),
            marker::INT_8 => i64::from(i8::from_be_bytes(self.take_array()?)),
            marker::INT_16 => i64::from(i16::from_be_bytes(self.take_array()?)),
            marker::INT_32 => i64::from(i32::from_be_bytes(self.take_array()?)),
            marker::INT_64 => i64::from_be_bytes(self.take_array()?),
            _ => {
                self.pos = at;
                return Err(self.unexpected(at, "an integer", m));
            }
        })
    }

    /// Reads a float.
    #[inline]
    pub fn read_float(&mut self) -> Result<f64> {
        let at = self.pos;
        match self.next_byte()? {
            marker::FLOAT_64 => Ok(f64::from_be_bytes(self.take_array()?)),
            m => {
                self.pos = at;
                Err(self.unexpected(at, "a float", m))
            }
        }
    }

    /// Reads a length of the width the marker implies, then checks that
    /// `len * min_item_size` bytes can still follow.
    #[inline]
    fn sized_len(
        &mut self,
        at: usize,
        m: u8,
        tiny_base: Option<u8>,
        m8: u8,
        min_item_size: usize,
    ) -> Result<usize> {
        let len: u64 = match (tiny_base, m) {
            (Some(base), _) if m & 0xF0 == base => u64::from(m & 0x0F),
            (_, x) if x == m8 => u64::from(u8::from_be_bytes(self.take_array()?)),
            (_, x) if x == m8 + 1 => u64::from(u16::from_be_bytes(self.take_array()?)),
            (_, x) if x == m8 + 2 => u64::from(u32::from_be_bytes(self.take_array()?)),
            _ => unreachable!("callers match the marker family first"),
        };
        if len > MAX_SIZE {
            return Err(Error::TooLong {
                kind: "declared size",
                length: usize::try_from(len).unwrap_or(usize::MAX),
                max: MAX_SIZE,
            });
        }
        let available = self.remaining();
        let fits = usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_mul(min_item_size))
            .is_some_and(|need| need <= available);
        if fits {
            // Fits in the remaining input, so it fits in usize.
            Ok(usize::try_from(len).unwrap_or(usize::MAX))
        } else {
            Err(Error::LengthExceedsInput {
                offset: at,
                length: len,
                available,
            })
        }
    }

    /// Reads a string, borrowed from the input.
    #[inline]
    #[allow(clippy::unnecessary_lazy_evaluations)] // see `peek_marker`
    pub fn read_str(&mut self) -> Result<&'a str> {
        // Fast path: tiny strings (up to 15 bytes) are most keys and many
        // values; their length is in the marker.
        if let Some(&m) = self.input.get(self.pos) {
            if m & 0xF0 == marker::TINY_STRING {
                let start = self.pos + 1;
                let end = start + usize::from(m & 0x0F);
                if let Some(raw) = self.input.get(start..end) {
                    self.pos = end;
                    return utf8(raw).ok_or_else(|| Error::InvalidUtf8 { offset: start });
                }
            }
        }
        self.read_str_sized()
    }

    /// [`Unpacker::read_str`] for the general case and all errors.
    #[inline(never)]
    #[allow(clippy::unnecessary_lazy_evaluations)] // see `peek_marker`
    fn read_str_sized(&mut self) -> Result<&'a str> {
        let at = self.pos;
        let m = self.next_byte()?;
        let len = match m {
            0x80..=0x8F | marker::STRING_8..=marker::STRING_32 => {
                self.sized_len(at, m, Some(marker::TINY_STRING), marker::STRING_8, 1)?
            }
            _ => {
                self.pos = at;
                return Err(self.unexpected(at, "a string", m));
            }
        };
        let start = self.pos;
        let raw = self.take(len)?;
        utf8(raw).ok_or_else(|| Error::InvalidUtf8 { offset: start })
    }

    /// Skips a string's bytes after checking its framing, not its UTF-8:
    /// skipped text is never looked at.
    fn skip_str(&mut self) -> Result<()> {
        let at = self.pos;
        let m = self.next_byte()?;
        let len = match m {
            0x80..=0x8F | marker::STRING_8..=marker::STRING_32 => {
                self.sized_len(at, m, Some(marker::TINY_STRING), marker::STRING_8, 1)?
            }
            _ => {
                self.pos = at;
                return Err(self.unexpected(at, "a string", m));
            }
        };
        self.take(len).map(drop)
    }

    /// Reads a byte array, borrowed from the input.
    #[inline]
    pub fn read_byte_slice(&mut self) -> Result<&'a [u8]> {
        let at = self.pos;
        let m = self.next_byte()?;
        let len = match m {
            marker::BYTES_8..=marker::BYTES_32 => {
                self.sized_len(at, m, None, marker::BYTES_8, 1)?
            }
            _ => {
                self.pos = at;
                return Err(self.unexpected(at, "a byte array", m));
            }
        };
        self.take(len)
    }

    /// Reads a byte array as `Bytes`: a slice of the input when the cursor
    /// was made by [`Unpacker::from_bytes`], else a copy.
    pub fn read_bytes(&mut self) -> Result<Bytes> {
        let slice = self.read_byte_slice()?;
        Ok(match self.source {
            Some(src) if !slice.is_empty() => src.slice_ref(slice),
            _ => Bytes::copy_from_slice(slice),
        })
    }

    /// Reads a list header: the number of items that follow.
    #[inline]
    pub fn read_list_header(&mut self) -> Result<usize> {
        let at = self.pos;
        // Fast path: a tiny list whose items can fit in what remains.
        if let Some(&m) = self.input.get(at) {
            let n = usize::from(m & 0x0F);
            if m & 0xF0 == marker::TINY_LIST && n < self.input.len() - at {
                self.pos = at + 1;
                return Ok(n);
            }
        }
        let m = self.next_byte()?;
        match m {
            0x90..=0x9F | marker::LIST_8..=marker::LIST_32 => {
                // Every item takes at least its marker byte.
                self.sized_len(at, m, Some(marker::TINY_LIST), marker::LIST_8, 1)
            }
            _ => {
                self.pos = at;
                Err(self.unexpected(at, "a list", m))
            }
        }
    }

    /// Reads a dictionary header: the number of entries that follow.
    #[inline]
    pub fn read_map_header(&mut self) -> Result<usize> {
        let at = self.pos;
        // Fast path: a tiny map whose entries (two bytes at least) can fit.
        if let Some(&m) = self.input.get(at) {
            let n = usize::from(m & 0x0F);
            if m & 0xF0 == marker::TINY_MAP && 2 * n < self.input.len() - at {
                self.pos = at + 1;
                return Ok(n);
            }
        }
        let m = self.next_byte()?;
        match m {
            0xA0..=0xAF | marker::MAP_8..=marker::MAP_32 => {
                // Every entry takes at least a key marker and a value marker.
                self.sized_len(at, m, Some(marker::TINY_MAP), marker::MAP_8, 2)
            }
            _ => {
                self.pos = at;
                Err(self.unexpected(at, "a map", m))
            }
        }
    }

    /// Reads a structure header: its tag and field count.
    #[inline]
    pub fn read_struct_header(&mut self) -> Result<(u8, usize)> {
        let at = self.pos;
        let m = self.next_byte()?;
        match m {
            0xB0..=0xBF => {
                let tag = self.next_byte()?;
                Ok((tag, usize::from(m & 0x0F)))
            }
            _ => {
                self.pos = at;
                Err(self.unexpected(at, "a structure", m))
            }
        }
    }

    /// Counts one level of nesting; fails past the depth limit.
    #[inline]
    pub fn enter(&mut self) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(Error::DepthLimitExceeded {
                offset: self.pos,
                limit: self.max_depth,
            });
        }
        self.depth += 1;
        Ok(())
    }

    /// Undoes one [`Unpacker::enter`].
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips one value of any type, checking its framing (markers, lengths,
    /// nesting) as decoding would, but neither the UTF-8 of skipped strings
    /// nor the semantics of skipped structures.
    pub fn skip_value(&mut self) -> Result<()> {
        match self.peek_kind()? {
            Kind::Null | Kind::Boolean => {
                self.pos += 1;
            }
            Kind::Integer => {
                self.read_int()?;
            }
            Kind::Float => {
                self.read_float()?;
            }
            Kind::Bytes => {
                self.read_byte_slice()?;
            }
            Kind::String => self.skip_str()?,
            Kind::List => {
                let n = self.read_list_header()?;
                self.enter()?;
                for _ in 0..n {
                    self.skip_value()?;
                }
                self.leave();
            }
            Kind::Map => {
                let n = self.read_map_header()?;
                self.enter()?;
                for _ in 0..n {
                    self.skip_str()?;
                    self.skip_value()?;
                }
                self.leave();
            }
            Kind::Structure => {
                let (_, n) = self.read_struct_header()?;
                self.enter()?;
                for _ in 0..n {
                    self.skip_value()?;
                }
                self.leave();
            }
        }
        Ok(())
    }

    /// Reads one value of any type.
    pub fn read_value(&mut self) -> Result<Value> {
        let at = self.pos;
        let m = self.peek_marker()?;
        Ok(match Kind::of(m) {
            None => {
                return Err(Error::ReservedMarker {
                    offset: at,
                    marker: m,
                })
            }
            Some(Kind::Null) => {
                self.pos += 1;
                Value::Null
            }
            Some(Kind::Boolean) => Value::Boolean(self.read_bool()?),
            Some(Kind::Integer) => Value::Integer(self.read_int()?),
            Some(Kind::Float) => Value::Float(self.read_float()?),
            Some(Kind::Bytes) => Value::Bytes(self.read_bytes()?),
            Some(Kind::String) => Value::String(self.read_str()?.to_owned()),
            Some(Kind::List) => {
                let n = self.read_list_header()?;
                self.enter()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.read_value()?);
                }
                self.leave();
                Value::List(items)
            }
            Some(Kind::Map) => Value::Map(self.read_map()?),
            Some(Kind::Structure) => {
                let (tag, fields) = self.read_struct_header()?;
                self.enter()?;
                let v = self.read_structure_body(at, tag, fields)?;
                self.leave();
                v
            }
        })
    }

    /// Reads a dictionary of values.
    pub fn read_map(&mut self) -> Result<Map> {
        let n = self.read_map_header()?;
        self.enter()?;
        let mut map = Map::with_capacity(n);
        for _ in 0..n {
            let k = self.read_str()?.to_owned();
            let v = self.read_value()?;
            map.insert(k, v);
        }
        self.leave();
        Ok(map)
    }

    fn read_string_list(&mut self) -> Result<Vec<String>> {
        let n = self.read_list_header()?;
        // A level, as for any list (so reading and skipping agree).
        self.enter()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.read_str()?.to_owned());
        }
        self.leave();
        Ok(out)
    }

    /// Reads the fields of a structure whose header (at `at`) was just read.
    fn read_structure_body(&mut self, at: usize, tag: u8, fields: usize) -> Result<Value> {
        let invalid = |structure: &'static str, reason: String| Error::InvalidStructure {
            offset: at,
            structure,
            reason,
        };
        let expect = |structure: &'static str, allowed: &[usize]| {
            if allowed.contains(&fields) {
                Ok(())
            } else {
                Err(invalid(
                    structure,
                    format!("{fields} field(s), expected {allowed:?}"),
                ))
            }
        };
        let nanos = |structure: &'static str, n: i64| {
            u32::try_from(n)
                .ok()
                .filter(|n| *n < NANOS_PER_SECOND)
                .ok_or_else(|| invalid(structure, format!("nanoseconds {n} out of range")))
        };
        let offset = |structure: &'static str, s: i64| {
            i32::try_from(s).map_err(|_| invalid(structure, format!("offset {s} out of range")))
        };
        let srid = |s: i64| {
            u32::try_from(s).map_err(|_| invalid("Point", format!("srid {s} out of range")))
        };
        Ok(match tag {
            tag::NODE => {
                expect("Node", &[3, 4])?;
                Value::Node(self.node_fields(fields)?)
            }
            tag::RELATIONSHIP => {
                expect("Relationship", &[5, 8])?;
                let id = self.read_int()?;
                let start_node_id = self.read_int()?;
                let end_node_id = self.read_int()?;
                let rel_type = self.read_str()?.to_owned();
                let properties = self.read_map()?;
                let (mut e, mut s, mut en) = (None, None, None);
                if fields == 8 {
                    e = Some(self.read_str()?.to_owned());
                    s = Some(self.read_str()?.to_owned());
                    en = Some(self.read_str()?.to_owned());
                }
                Value::Relationship(Relationship {
                    id,
                    start_node_id,
                    end_node_id,
                    rel_type,
                    properties,
                    element_id: e,
                    start_node_element_id: s,
                    end_node_element_id: en,
                })
            }
            tag::UNBOUND_RELATIONSHIP => {
                expect("UnboundRelationship", &[3, 4])?;
                Value::UnboundRelationship(self.unbound_fields(fields)?)
            }
            tag::PATH => {
                expect("Path", &[3])?;
                // Each inner list is a nesting level, as `skip_value` counts it.
                let n = self.read_list_header()?;
                self.enter()?;
                let mut nodes = Vec::with_capacity(n);
                for _ in 0..n {
                    let at = self.pos;
                    match self.read_struct_header()? {
                        (tag::NODE, f @ (3 | 4)) => {
                            self.enter()?;
                            nodes.push(self.node_fields(f)?);
                            self.leave();
                        }
                        (t, f) => {
                            return Err(Error::InvalidStructure {
                                offset: at,
                                structure: "Path",
                                reason: format!(
                                    "expected a Node, found tag 0x{t:02X} with {f} field(s)"
                                ),
                            })
                        }
                    }
                }
                self.leave();
                let n = self.read_list_header()?;
                self.enter()?;
                let mut relationships = Vec::with_capacity(n);
                for _ in 0..n {
                    let at = self.pos;
                    match self.read_struct_header()? {
                        (tag::UNBOUND_RELATIONSHIP, f @ (3 | 4)) => {
                            self.enter()?;
                            relationships.push(self.unbound_fields(f)?);
                            self.leave();
                        }
                        (t, f) => {
                            return Err(Error::InvalidStructure {
                                offset: at,
                                structure: "Path",
                                reason: format!(
                                    "expected an UnboundRelationship, found tag 0x{t:02X} with {f} field(s)"
                                ),
                            })
                        }
                    }
                }
                self.leave();
                let n = self.read_list_header()?;
                self.enter()?;
                let mut indices = Vec::with_capacity(n);
                for _ in 0..n {
                    indices.push(self.read_int()?);
                }
                self.leave();
                Value::Path(Path {
                    nodes,
                    relationships,
                    indices,
                })
            }
            tag::DATE => {
                expect("Date", &[1])?;
                Value::Date(Date {
                    days: self.read_int()?,
                })
            }
            tag::TIME => {
                expect("Time", &[2])?;
                let nanoseconds = self.read_int()?;
                let tz_offset_seconds = offset("Time", self.read_int()?)?;
                Value::Time(Time {
                    nanoseconds,
                    tz_offset_seconds,
                })
            }
            tag::LOCAL_TIME => {
                expect("LocalTime", &[1])?;
                Value::LocalTime(LocalTime {
                    nanoseconds: self.read_int()?,
                })
            }
            tag::DATE_TIME | tag::LEGACY_DATE_TIME => {
                expect("DateTime", &[3])?;
                let seconds = self.read_int()?;
                let nanoseconds = nanos("DateTime", self.read_int()?)?;
                let tz_offset_seconds = offset("DateTime", self.read_int()?)?;
                let seconds = if tag == tag::DATE_TIME {
                    seconds
                } else {
                    // Legacy seconds are on the offset's wall clock.
                    seconds
                        .checked_sub(i64::from(tz_offset_seconds))
                        .ok_or_else(|| invalid("DateTime", "seconds out of range".into()))?
                };
                Value::DateTime(DateTime {
                    seconds,
                    nanoseconds,
                    tz_offset_seconds,
                })
            }
            tag::DATE_TIME_ZONE_ID | tag::LEGACY_DATE_TIME_ZONE_ID => {
                expect("DateTimeZoneId", &[3])?;
                let seconds = self.read_int()?;
                let nanoseconds = nanos("DateTimeZoneId", self.read_int()?)?;
                let tz_id = self.read_str()?.to_owned();
                Value::DateTimeZoneId(DateTimeZoneId {
                    seconds,
                    nanoseconds,
                    tz_id,
                    basis: if tag == tag::DATE_TIME_ZONE_ID {
                        TimeBasis::Utc
                    } else {
                        TimeBasis::WallClock
                    },
                })
            }
            tag::LOCAL_DATE_TIME => {
                expect("LocalDateTime", &[2])?;
                let seconds = self.read_int()?;
                let nanoseconds = nanos("LocalDateTime", self.read_int()?)?;
                Value::LocalDateTime(LocalDateTime {
                    seconds,
                    nanoseconds,
                })
            }
            tag::DURATION => {
                expect("Duration", &[4])?;
                let months = self.read_int()?;
                let days = self.read_int()?;
                let seconds = self.read_int()?;
                let n = self.read_int()?;
                let nanoseconds = i32::try_from(n)
                    .map_err(|_| invalid("Duration", format!("nanoseconds {n} out of range")))?;
                Value::Duration(Duration {
                    months,
                    days,
                    seconds,
                    nanoseconds,
                })
            }
            tag::POINT_2D => {
                expect("Point2D", &[3])?;
                let srid = srid(self.read_int()?)?;
                Value::Point2D(Point2D {
                    srid,
                    x: self.read_float()?,
                    y: self.read_float()?,
                })
            }
            tag::POINT_3D => {
                expect("Point3D", &[4])?;
                let srid = srid(self.read_int()?)?;
                Value::Point3D(Point3D {
                    srid,
                    x: self.read_float()?,
                    y: self.read_float()?,
                    z: self.read_float()?,
                })
            }
            tag::VECTOR => {
                expect("Vector", &[2])?;
                let type_marker = match self.read_byte_slice()? {
                    [m] => *m,
                    other => {
                        return Err(invalid(
                            "Vector",
                            format!("type marker of {} bytes, expected 1", other.len()),
                        ))
                    }
                };
                let data = self.read_byte_slice()?;
                Value::Vector(Vector::from_be_bytes(type_marker, data).ok_or_else(|| {
                    invalid(
                        "Vector",
                        format!(
                            "type marker 0x{type_marker:02X} with {} data bytes is not a valid vector",
                            data.len()
                        ),
                    )
                })?)
            }
            tag::UNSUPPORTED_TYPE => {
                expect("UnsupportedType", &[4])?;
                Value::Unsupported(UnsupportedType {
                    name: self.read_str()?.to_owned(),
                    minimum_protocol_major: self.read_int()?,
                    minimum_protocol_minor: self.read_int()?,
                    extra: self.read_map()?,
                })
            }
            _ => {
                return Err(Error::UnknownStructure {
                    offset: at,
                    tag,
                    fields,
                })
            }
        })
    }

    fn node_fields(&mut self, fields: usize) -> Result<Node> {
        Ok(Node {
            id: self.read_int()?,
            labels: self.read_string_list()?,
            properties: self.read_map()?,
            element_id: if fields == 4 {
                Some(self.read_str()?.to_owned())
            } else {
                None
            },
        })
    }

    fn unbound_fields(&mut self, fields: usize) -> Result<UnboundRelationship> {
        Ok(UnboundRelationship {
            id: self.read_int()?,
            rel_type: self.read_str()?.to_owned(),
            properties: self.read_map()?,
            element_id: if fields == 4 {
                Some(self.read_str()?.to_owned())
            } else {
                None
            },
        })
    }
}

/// Checks UTF-8, with a fast path for ASCII: most property keys and values
/// on the wire are short ASCII strings, where `from_utf8`'s setup costs more
/// than the check itself.
#[inline]
#[allow(unsafe_code)]
fn utf8(raw: &[u8]) -> Option<&str> {
    if raw.is_ascii() {
        // SAFETY: every ASCII byte sequence is valid UTF-8; `is_ascii` has
        // just checked that every byte is below 0x80.
        Some(unsafe { std::str::from_utf8_unchecked(raw) })
    } else {
        std::str::from_utf8(raw).ok()
    }
}

impl Value {
    /// Decodes exactly one value from `input`, which must hold nothing else.
    /// Byte arrays share `input`'s buffer.
    pub fn decode(input: &Bytes) -> Result<Value> {
        let mut u = Unpacker::from_bytes(input);
        let v = u.read_value()?;
        u.finish()?;
        Ok(v)
    }

    /// Decodes exactly one value from a slice (byte arrays are copied).
    pub fn decode_slice(input: &[u8]) -> Result<Value> {
        let mut u = Unpacker::new(input);
        let v = u.read_value()?;
        u.finish()?;
        Ok(v)
    }
}
