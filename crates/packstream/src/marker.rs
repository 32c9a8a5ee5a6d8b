//! Marker bytes and structure tags of PackStream v1 and the Bolt structure
//! semantics. Every constant is pinned to the specification by a test in
//! `tests/fixtures.rs`.
//!
//! Spec: "PackStream" (docs-bolt, packstream/index) for markers, "Structure
//! Semantics" (bolt/structure-semantics) for tags.

/// `Null`.
pub const NULL: u8 = 0xC0;
/// 64-bit IEEE-754 float, big-endian.
pub const FLOAT_64: u8 = 0xC1;
/// Boolean false.
pub const FALSE: u8 = 0xC2;
/// Boolean true.
pub const TRUE: u8 = 0xC3;
/// 8-bit signed integer follows.
pub const INT_8: u8 = 0xC8;
/// 16-bit signed integer follows (big-endian).
pub const INT_16: u8 = 0xC9;
/// 32-bit signed integer follows (big-endian).
pub const INT_32: u8 = 0xCA;
/// 64-bit signed integer follows (big-endian).
pub const INT_64: u8 = 0xCB;
/// Byte array with an unsigned 8-bit length.
pub const BYTES_8: u8 = 0xCC;
/// Byte array with an unsigned 16-bit length.
pub const BYTES_16: u8 = 0xCD;
/// Byte array with an unsigned 32-bit length.
pub const BYTES_32: u8 = 0xCE;
/// String with its length (0 to 15 bytes) in the low nibble.
pub const TINY_STRING: u8 = 0x80;
/// String with an unsigned 8-bit length.
pub const STRING_8: u8 = 0xD0;
/// String with an unsigned 16-bit length.
pub const STRING_16: u8 = 0xD1;
/// String with an unsigned 32-bit length.
pub const STRING_32: u8 = 0xD2;
/// List with its length (0 to 15 items) in the low nibble.
pub const TINY_LIST: u8 = 0x90;
/// List with an unsigned 8-bit length.
pub const LIST_8: u8 = 0xD4;
/// List with an unsigned 16-bit length.
pub const LIST_16: u8 = 0xD5;
/// List with an unsigned 32-bit length.
pub const LIST_32: u8 = 0xD6;
/// Dictionary with its entry count (0 to 15) in the low nibble.
pub const TINY_MAP: u8 = 0xA0;
/// Dictionary with an unsigned 8-bit entry count.
pub const MAP_8: u8 = 0xD8;
/// Dictionary with an unsigned 16-bit entry count.
pub const MAP_16: u8 = 0xD9;
/// Dictionary with an unsigned 32-bit entry count.
pub const MAP_32: u8 = 0xDA;
/// Structure with its field count (0 to 15) in the low nibble; a tag byte follows.
pub const TINY_STRUCT: u8 = 0xB0;

/// Smallest integer stored in the marker byte itself (`0xF0`).
pub const TINY_INT_MIN: i64 = -16;
/// Largest integer stored in the marker byte itself (`0x7F`).
pub const TINY_INT_MAX: i64 = 127;

/// Whether `marker` is reserved by PackStream v1 (and so invalid on the wire).
///
/// Reserved: `C4..=C7`, `CF`, `D3`, `D7`, `DB..=DF` (the old 8/16-bit struct
/// markers `DC`/`DD` were removed from v1) and `E0..=EF`.
pub const fn is_reserved(marker: u8) -> bool {
    matches!(marker, 0xC4..=0xC7 | 0xCF | 0xD3 | 0xD7 | 0xDB..=0xDF | 0xE0..=0xEF)
}

/// Structure tag bytes (the byte after a `TINY_STRUCT` marker).
pub mod tag {
    /// `Node` (`N`).
    pub const NODE: u8 = 0x4E;
    /// `Relationship` (`R`).
    pub const RELATIONSHIP: u8 = 0x52;
    /// `UnboundRelationship` (`r`).
    pub const UNBOUND_RELATIONSHIP: u8 = 0x72;
    /// `Path` (`P`).
    pub const PATH: u8 = 0x50;
    /// `Date` (`D`).
    pub const DATE: u8 = 0x44;
    /// `Time` (`T`).
    pub const TIME: u8 = 0x54;
    /// `LocalTime` (`t`).
    pub const LOCAL_TIME: u8 = 0x74;
    /// `DateTime` with UTC-based seconds (`I`, Bolt 5.0+ and 4.4 with the `utc` patch).
    pub const DATE_TIME: u8 = 0x49;
    /// `DateTimeZoneId` with UTC-based seconds (`i`).
    pub const DATE_TIME_ZONE_ID: u8 = 0x69;
    /// Legacy `DateTime` with wall-clock seconds (`F`, before Bolt 5.0).
    pub const LEGACY_DATE_TIME: u8 = 0x46;
    /// Legacy `DateTimeZoneId` with wall-clock seconds (`f`).
    pub const LEGACY_DATE_TIME_ZONE_ID: u8 = 0x66;
    /// `LocalDateTime` (`d`).
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    /// `Duration` (`E`).
    pub const DURATION: u8 = 0x45;
    /// `Point2D` (`X`).
    pub const POINT_2D: u8 = 0x58;
    /// `Point3D` (`Y`).
    pub const POINT_3D: u8 = 0x59;
    /// `Vector` (`V`, Bolt 6.0+).
    pub const VECTOR: u8 = 0x56;
    /// `UnsupportedType` (`?`, Bolt 6.0+).
    pub const UNSUPPORTED_TYPE: u8 = 0x3F;
}

/// Element-type markers inside a `Vector` structure's `type_marker` field.
pub mod vector_type {
    /// 8-bit signed integers.
    pub const INT_8: u8 = 0xC8;
    /// 16-bit signed integers, big-endian.
    pub const INT_16: u8 = 0xC9;
    /// 32-bit signed integers, big-endian.
    pub const INT_32: u8 = 0xCA;
    /// 64-bit signed integers, big-endian.
    pub const INT_64: u8 = 0xCB;
    /// 32-bit IEEE-754 floats, big-endian.
    pub const FLOAT_32: u8 = 0xC6;
    /// 64-bit IEEE-754 floats, big-endian.
    pub const FLOAT_64: u8 = 0xC1;
}
