#![doc = include_str!("../README.md")]

pub mod de;
mod decode;
mod encode;
mod error;
pub mod ext;
mod graph;
pub mod marker;
pub mod ser;
mod spatial;
mod temporal;
mod unsupported;
mod value;
mod value_serde;
mod vector;

pub use decode::{Kind, Unpacker, DEFAULT_MAX_DEPTH};
pub use encode::{
    write_bool, write_bytes, write_float, write_int, write_list_header, write_map_header,
    write_null, write_string, write_struct_header, Dialect,
};
pub use error::{Error, Result};
pub use graph::{Node, Path, Relationship, Segment, UnboundRelationship};
pub use spatial::{Point2D, Point3D, SRID_CARTESIAN, SRID_CARTESIAN_3D, SRID_WGS84, SRID_WGS84_3D};
pub use temporal::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, OutOfRange, Time, TimeBasis,
};
pub use unsupported::UnsupportedType;
pub use value::{Map, TypeMismatch, Value};
pub use vector::Vector;

pub use de::{from_record, from_slice, from_value, Deserializer};
pub use ser::{to_buf, to_bytes, to_value, Serializer};

#[cfg(feature = "chrono")]
pub use ext::chrono::TemporalRangeError;

pub use bytes;
