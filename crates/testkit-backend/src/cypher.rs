//! Testkit's Cypher values and their mapping to and from
//! [`boltline_packstream::Value`].
//!
//! On the wire every value is `{"name": "CypherInt", "data": {"value": 1}}`
//! and so on; [`CypherValue`] is the checked Rust model of those objects
//! (its serde impls go through a private wire form and validate shapes).
//!
//! Mapping notes:
//! - `CypherFloat` carries non-finite floats as the strings `"NaN"`,
//!   `"+Infinity"` and `"-Infinity"`.
//! - `CypherBytes` carries bytes as lowercase hex pairs separated by spaces
//!   (`"ff 01"`).
//! - `CypherDateTime` is always a wall-clock reading; with `utc_offset_s` it
//!   maps to a [`DateTime`] (UTC seconds plus offset), with `timezone_id` as
//!   well to a [`DateTimeZoneId`] on the UTC basis, and with neither to a
//!   [`LocalDateTime`]. Going back, a zone id needs the zone's rules to find
//!   the offset testkit wants: they come from the IANA database compiled in
//!   (`chrono-tz`); an unknown zone id is a [`ConversionError`] naming it.
//! - Points map `cartesian`/`wgs84` with or without `z` to SRIDs 7203,
//!   4326, 9157 and 4979; other SRIDs have no testkit form.
//! - Nodes and relationships without element ids (Bolt 4.4) get the legacy
//!   id as text, as the official drivers do.
//! - This testkit version has no vector type: a [`Value::Vector`] cannot be
//!   sent to it (nor can `Unsupported` or a bare `UnboundRelationship`).

use std::collections::{BTreeMap, HashMap};

use boltline_packstream::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Node, Path, Point2D,
    Point3D, Relationship, Time, TimeBasis, UnboundRelationship, Value, SRID_CARTESIAN,
    SRID_CARTESIAN_3D, SRID_WGS84, SRID_WGS84_3D,
};
use chrono::{Offset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::calendar::{
    civil_from_days, civil_from_seconds, days_from_civil, seconds_from_civil, seconds_of_day,
    Civil, NANOS_PER_DAY, NANOS_PER_SECOND,
};

/// A value that could not be mapped between testkit's form and PackStream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConversionError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ConversionError> {
    Err(ConversionError(msg.into()))
}

/// The largest UTC offset Neo4j accepts (±18 hours), in seconds.
pub const MAX_OFFSET_SECONDS: i64 = 18 * 3600;

/// A Cypher value as testkit sends and expects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Wire", into = "Wire")]
pub enum CypherValue {
    /// `CypherNull`.
    Null,
    /// `CypherBool`.
    Bool(bool),
    /// `CypherInt`.
    Int(i64),
    /// `CypherFloat` (NaN and infinities travel as strings).
    Float(f64),
    /// `CypherString`.
    String(String),
    /// `CypherBytes` (hex pairs on the wire).
    Bytes(Vec<u8>),
    /// `CypherList`.
    List(Vec<CypherValue>),
    /// `CypherMap`.
    Map(BTreeMap<String, CypherValue>),
    /// `CypherNode`.
    Node(CypherNode),
    /// `CypherRelationship`.
    Relationship(CypherRelationship),
    /// `CypherPath`.
    Path(CypherPath),
    /// `CypherPoint`.
    Point(CypherPoint),
    /// `CypherDate`.
    Date(CypherDate),
    /// `CypherTime`.
    Time(CypherTime),
    /// `CypherDateTime`.
    DateTime(CypherDateTime),
    /// `CypherDuration`.
    Duration(CypherDuration),
}

/// A node as testkit sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CypherNode {
    /// Legacy numeric id.
    pub id: i64,
    /// Labels.
    pub labels: Vec<String>,
    /// Properties.
    pub props: BTreeMap<String, CypherValue>,
    /// Element id.
    pub element_id: String,
}

/// A relationship as testkit sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CypherRelationship {
    /// Legacy numeric id.
    pub id: i64,
    /// Legacy id of the start node.
    pub start_node_id: i64,
    /// Legacy id of the end node.
    pub end_node_id: i64,
    /// Relationship type.
    pub rel_type: String,
    /// Properties.
    pub props: BTreeMap<String, CypherValue>,
    /// Element id.
    pub element_id: String,
    /// Element id of the start node.
    pub start_node_element_id: String,
    /// Element id of the end node.
    pub end_node_element_id: String,
}

/// A path as testkit sees it: nodes in walk order (`n + 1` of them) and the
/// `n` relationships between them, each with its own real direction.
#[derive(Debug, Clone, PartialEq)]
pub struct CypherPath {
    /// Nodes along the path (may repeat).
    pub nodes: Vec<CypherNode>,
    /// Relationships along the path (may repeat).
    pub relationships: Vec<CypherRelationship>,
}

/// A point: `system` is `"cartesian"` or `"wgs84"`.
#[derive(Debug, Clone, PartialEq)]
pub struct CypherPoint {
    /// `"cartesian"` or `"wgs84"`.
    pub system: String,
    /// x or longitude.
    pub x: f64,
    /// y or latitude.
    pub y: f64,
    /// z or height, for 3D points.
    pub z: Option<f64>,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CypherDate {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: i64,
    /// Day, 1-31.
    pub day: i64,
}

/// A time of day, with an offset (zoned time) or without (local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CypherTime {
    /// Hour.
    pub hour: i64,
    /// Minute.
    pub minute: i64,
    /// Second.
    pub second: i64,
    /// Nanosecond of the second.
    pub nanosecond: i64,
    /// Seconds east of UTC; `None` for a local time.
    pub utc_offset_s: Option<i64>,
}

/// A wall-clock date-time, local, with an offset, or in a named zone (then
/// with the offset in force as well).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CypherDateTime {
    /// Year.
    pub year: i64,
    /// Month.
    pub month: i64,
    /// Day.
    pub day: i64,
    /// Hour.
    pub hour: i64,
    /// Minute.
    pub minute: i64,
    /// Second.
    pub second: i64,
    /// Nanosecond of the second.
    pub nanosecond: i64,
    /// Seconds east of UTC; `None` for a local date-time.
    pub utc_offset_s: Option<i64>,
    /// IANA zone id, e.g. `Europe/Stockholm`.
    pub timezone_id: Option<String>,
}

/// A duration, with seconds and nanoseconds normalised so that
/// `0 <= nanoseconds < 1_000_000_000` (as testkit compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CypherDuration {
    /// Months.
    pub months: i64,
    /// Days.
    pub days: i64,
    /// Seconds.
    pub seconds: i64,
    /// Nanoseconds, `0..1_000_000_000`.
    pub nanoseconds: i64,
}

impl CypherDuration {
    /// A duration with seconds and nanoseconds normalised.
    pub fn new(months: i64, days: i64, seconds: i64, nanoseconds: i64) -> Option<Self> {
        let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanoseconds);
        let nanos_per_second = i128::from(NANOS_PER_SECOND);
        Some(CypherDuration {
            months,
            days,
            seconds: i64::try_from(total.div_euclid(nanos_per_second)).ok()?,
            nanoseconds: i64::try_from(total.rem_euclid(nanos_per_second)).ok()?,
        })
    }
}

// ---------------------------------------------------------------------------
// Wire form

/// A `CypherFloat` value: a JSON number or one of the special strings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum FloatRepr {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
#[allow(clippy::enum_variant_names)]
enum Wire {
    CypherNull {},
    CypherBool {
        value: bool,
    },
    CypherInt {
        value: i64,
    },
    CypherFloat {
        value: FloatRepr,
    },
    CypherString {
        value: String,
    },
    CypherBytes {
        value: String,
    },
    CypherList {
        value: Vec<CypherValue>,
    },
    CypherMap {
        value: BTreeMap<String, CypherValue>,
    },
    #[serde(alias = "Node")]
    CypherNode {
        id: Box<CypherValue>,
        labels: Box<CypherValue>,
        props: Box<CypherValue>,
        #[serde(rename = "elementId", default)]
        element_id: Option<Box<CypherValue>>,
    },
    #[serde(alias = "Relationship")]
    CypherRelationship {
        id: Box<CypherValue>,
        #[serde(rename = "startNodeId")]
        start_node_id: Box<CypherValue>,
        #[serde(rename = "endNodeId")]
        end_node_id: Box<CypherValue>,
        #[serde(rename = "type")]
        rel_type: Box<CypherValue>,
        props: Box<CypherValue>,
        #[serde(rename = "elementId", default)]
        element_id: Option<Box<CypherValue>>,
        #[serde(rename = "startNodeElementId", default)]
        start_node_element_id: Option<Box<CypherValue>>,
        #[serde(rename = "endNodeElementId", default)]
        end_node_element_id: Option<Box<CypherValue>>,
    },
    #[serde(alias = "Path")]
    CypherPath {
        nodes: Box<CypherValue>,
        relationships: Box<CypherValue>,
    },
    CypherPoint {
        system: String,
        x: f64,
        y: f64,
        #[serde(default)]
        z: Option<f64>,
    },
    CypherDate {
        year: i64,
        month: i64,
        day: i64,
    },
    CypherTime {
        hour: i64,
        minute: i64,
        second: i64,
        nanosecond: i64,
        #[serde(default)]
        utc_offset_s: Option<i64>,
    },
    CypherDateTime {
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        minute: i64,
        second: i64,
        nanosecond: i64,
        #[serde(default)]
        utc_offset_s: Option<i64>,
        #[serde(default)]
        timezone_id: Option<String>,
    },
    CypherDuration {
        months: i64,
        days: i64,
        seconds: i64,
        nanoseconds: i64,
    },
}

fn float_to_repr(f: f64) -> FloatRepr {
    if f.is_nan() {
        FloatRepr::Text("NaN".to_owned())
    } else if f == f64::INFINITY {
        FloatRepr::Text("+Infinity".to_owned())
    } else if f == f64::NEG_INFINITY {
        FloatRepr::Text("-Infinity".to_owned())
    } else {
        FloatRepr::Number(f)
    }
}

fn float_from_repr(r: FloatRepr) -> Result<f64, ConversionError> {
    match r {
        FloatRepr::Number(f) => Ok(f),
        FloatRepr::Text(t) => match t.as_str() {
            "NaN" | "nan" => Ok(f64::NAN),
            "+Infinity" | "Infinity" | "inf" | "+inf" => Ok(f64::INFINITY),
            "-Infinity" | "-inf" => Ok(f64::NEG_INFINITY),
            other => err(format!("CypherFloat: not a float: {other:?}")),
        },
    }
}

/// Bytes as testkit writes them: `"00 33 ff"`.
pub fn bytes_to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Bytes from testkit's hex form (pairs separated by whitespace; a string
/// of contiguous pairs is accepted too).
pub fn bytes_from_hex(text: &str) -> Result<Vec<u8>, ConversionError> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return err(format!("CypherBytes: odd number of hex digits in {text:?}"));
    }
    digits
        .chunks_exact(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| ConversionError(format!("CypherBytes: not hex: {text:?}")))
        })
        .collect()
}

fn expect_int(v: CypherValue, what: &str) -> Result<i64, ConversionError> {
    match v {
        CypherValue::Int(i) => Ok(i),
        other => err(format!("{what}: expected CypherInt, got {}", other.name())),
    }
}

fn expect_string(v: CypherValue, what: &str) -> Result<String, ConversionError> {
    match v {
        CypherValue::String(s) => Ok(s),
        other => err(format!(
            "{what}: expected CypherString, got {}",
            other.name()
        )),
    }
}

fn expect_map(
    v: CypherValue,
    what: &str,
) -> Result<BTreeMap<String, CypherValue>, ConversionError> {
    match v {
        CypherValue::Map(m) => Ok(m),
        other => err(format!("{what}: expected CypherMap, got {}", other.name())),
    }
}

fn expect_list(v: CypherValue, what: &str) -> Result<Vec<CypherValue>, ConversionError> {
    match v {
        CypherValue::List(l) => Ok(l),
        other => err(format!("{what}: expected CypherList, got {}", other.name())),
    }
}

fn element_id_or(
    v: Option<Box<CypherValue>>,
    legacy: i64,
    what: &str,
) -> Result<String, ConversionError> {
    match v.map(|b| *b) {
        None | Some(CypherValue::Null) => Ok(legacy.to_string()),
        Some(other) => expect_string(other, what),
    }
}

impl TryFrom<Wire> for CypherValue {
    type Error = ConversionError;

    fn try_from(w: Wire) -> Result<Self, ConversionError> {
        Ok(match w {
            Wire::CypherNull {} => CypherValue::Null,
            Wire::CypherBool { value } => CypherValue::Bool(value),
            Wire::CypherInt { value } => CypherValue::Int(value),
            Wire::CypherFloat { value } => CypherValue::Float(float_from_repr(value)?),
            Wire::CypherString { value } => CypherValue::String(value),
            Wire::CypherBytes { value } => CypherValue::Bytes(bytes_from_hex(&value)?),
            Wire::CypherList { value } => CypherValue::List(value),
            Wire::CypherMap { value } => CypherValue::Map(value),
            Wire::CypherNode {
                id,
                labels,
                props,
                element_id,
            } => CypherValue::Node(node_from_wire(*id, *labels, *props, element_id)?),
            Wire::CypherRelationship {
                id,
                start_node_id,
                end_node_id,
                rel_type,
                props,
                element_id,
                start_node_element_id,
                end_node_element_id,
            } => {
                let id = expect_int(*id, "CypherRelationship.id")?;
                let start_node_id = expect_int(*start_node_id, "CypherRelationship.startNodeId")?;
                let end_node_id = expect_int(*end_node_id, "CypherRelationship.endNodeId")?;
                CypherValue::Relationship(CypherRelationship {
                    id,
                    start_node_id,
                    end_node_id,
                    rel_type: expect_string(*rel_type, "CypherRelationship.type")?,
                    props: expect_map(*props, "CypherRelationship.props")?,
                    element_id: element_id_or(element_id, id, "CypherRelationship.elementId")?,
                    start_node_element_id: element_id_or(
                        start_node_element_id,
                        start_node_id,
                        "CypherRelationship.startNodeElementId",
                    )?,
                    end_node_element_id: element_id_or(
                        end_node_element_id,
                        end_node_id,
                        "CypherRelationship.endNodeElementId",
                    )?,
                })
            }
            Wire::CypherPath {
                nodes,
                relationships,
            } => {
                let nodes = expect_list(*nodes, "CypherPath.nodes")?
                    .into_iter()
                    .map(|n| match n {
                        CypherValue::Node(n) => Ok(n),
                        other => err(format!(
                            "CypherPath.nodes: expected CypherNode, got {}",
                            other.name()
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let relationships = expect_list(*relationships, "CypherPath.relationships")?
                    .into_iter()
                    .map(|r| match r {
                        CypherValue::Relationship(r) => Ok(r),
                        other => err(format!(
                            "CypherPath.relationships: expected CypherRelationship, got {}",
                            other.name()
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if nodes.len() != relationships.len() + 1 {
                    return err(format!(
                        "CypherPath: {} nodes cannot join {} relationships",
                        nodes.len(),
                        relationships.len()
                    ));
                }
                CypherValue::Path(CypherPath {
                    nodes,
                    relationships,
                })
            }
            Wire::CypherPoint { system, x, y, z } => {
                if system != "cartesian" && system != "wgs84" {
                    return err(format!("CypherPoint: unknown system {system:?}"));
                }
                CypherValue::Point(CypherPoint { system, x, y, z })
            }
            Wire::CypherDate { year, month, day } => {
                CypherValue::Date(CypherDate { year, month, day })
            }
            Wire::CypherTime {
                hour,
                minute,
                second,
                nanosecond,
                utc_offset_s,
            } => CypherValue::Time(CypherTime {
                hour,
                minute,
                second,
                nanosecond,
                utc_offset_s,
            }),
            Wire::CypherDateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                nanosecond,
                utc_offset_s,
                timezone_id,
            } => {
                if timezone_id.is_some() && utc_offset_s.is_none() {
                    return err("CypherDateTime: timezone_id given without utc_offset_s");
                }
                CypherValue::DateTime(CypherDateTime {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    nanosecond,
                    utc_offset_s,
                    timezone_id,
                })
            }
            Wire::CypherDuration {
                months,
                days,
                seconds,
                nanoseconds,
            } => CypherValue::Duration(
                CypherDuration::new(months, days, seconds, nanoseconds)
                    .ok_or_else(|| ConversionError("CypherDuration: out of range".to_owned()))?,
            ),
        })
    }
}

fn node_from_wire(
    id: CypherValue,
    labels: CypherValue,
    props: CypherValue,
    element_id: Option<Box<CypherValue>>,
) -> Result<CypherNode, ConversionError> {
    let id = expect_int(id, "CypherNode.id")?;
    let labels = expect_list(labels, "CypherNode.labels")?
        .into_iter()
        .map(|l| expect_string(l, "CypherNode.labels"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CypherNode {
        id,
        labels,
        props: expect_map(props, "CypherNode.props")?,
        element_id: element_id_or(element_id, id, "CypherNode.elementId")?,
    })
}

fn node_to_wire(n: CypherNode) -> Wire {
    Wire::CypherNode {
        id: Box::new(CypherValue::Int(n.id)),
        labels: Box::new(CypherValue::List(
            n.labels.into_iter().map(CypherValue::String).collect(),
        )),
        props: Box::new(CypherValue::Map(n.props)),
        element_id: Some(Box::new(CypherValue::String(n.element_id))),
    }
}

fn relationship_to_wire(r: CypherRelationship) -> Wire {
    Wire::CypherRelationship {
        id: Box::new(CypherValue::Int(r.id)),
        start_node_id: Box::new(CypherValue::Int(r.start_node_id)),
        end_node_id: Box::new(CypherValue::Int(r.end_node_id)),
        rel_type: Box::new(CypherValue::String(r.rel_type)),
        props: Box::new(CypherValue::Map(r.props)),
        element_id: Some(Box::new(CypherValue::String(r.element_id))),
        start_node_element_id: Some(Box::new(CypherValue::String(r.start_node_element_id))),
        end_node_element_id: Some(Box::new(CypherValue::String(r.end_node_element_id))),
    }
}

impl From<CypherValue> for Wire {
    fn from(v: CypherValue) -> Wire {
        match v {
            CypherValue::Null => Wire::CypherNull {},
            CypherValue::Bool(value) => Wire::CypherBool { value },
            CypherValue::Int(value) => Wire::CypherInt { value },
            CypherValue::Float(f) => Wire::CypherFloat {
                value: float_to_repr(f),
            },
            CypherValue::String(value) => Wire::CypherString { value },
            CypherValue::Bytes(b) => Wire::CypherBytes {
                value: bytes_to_hex(&b),
            },
            CypherValue::List(value) => Wire::CypherList { value },
            CypherValue::Map(value) => Wire::CypherMap { value },
            CypherValue::Node(n) => node_to_wire(n),
            CypherValue::Relationship(r) => relationship_to_wire(r),
            CypherValue::Path(p) => Wire::CypherPath {
                nodes: Box::new(CypherValue::List(
                    p.nodes.into_iter().map(CypherValue::Node).collect(),
                )),
                relationships: Box::new(CypherValue::List(
                    p.relationships
                        .into_iter()
                        .map(CypherValue::Relationship)
                        .collect(),
                )),
            },
            CypherValue::Point(p) => Wire::CypherPoint {
                system: p.system,
                x: p.x,
                y: p.y,
                z: p.z,
            },
            CypherValue::Date(d) => Wire::CypherDate {
                year: d.year,
                month: d.month,
                day: d.day,
            },
            CypherValue::Time(t) => Wire::CypherTime {
                hour: t.hour,
                minute: t.minute,
                second: t.second,
                nanosecond: t.nanosecond,
                utc_offset_s: t.utc_offset_s,
            },
            CypherValue::DateTime(d) => Wire::CypherDateTime {
                year: d.year,
                month: d.month,
                day: d.day,
                hour: d.hour,
                minute: d.minute,
                second: d.second,
                nanosecond: d.nanosecond,
                utc_offset_s: d.utc_offset_s,
                timezone_id: d.timezone_id,
            },
            CypherValue::Duration(d) => Wire::CypherDuration {
                months: d.months,
                days: d.days,
                seconds: d.seconds,
                nanoseconds: d.nanoseconds,
            },
        }
    }
}

impl CypherValue {
    /// Testkit's name for the value's type (`CypherInt`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            CypherValue::Null => "CypherNull",
            CypherValue::Bool(_) => "CypherBool",
            CypherValue::Int(_) => "CypherInt",
            CypherValue::Float(_) => "CypherFloat",
            CypherValue::String(_) => "CypherString",
            CypherValue::Bytes(_) => "CypherBytes",
            CypherValue::List(_) => "CypherList",
            CypherValue::Map(_) => "CypherMap",
            CypherValue::Node(_) => "CypherNode",
            CypherValue::Relationship(_) => "CypherRelationship",
            CypherValue::Path(_) => "CypherPath",
            CypherValue::Point(_) => "CypherPoint",
            CypherValue::Date(_) => "CypherDate",
            CypherValue::Time(_) => "CypherTime",
            CypherValue::DateTime(_) => "CypherDateTime",
            CypherValue::Duration(_) => "CypherDuration",
        }
    }

    /// The PackStream value to send to the server (query parameters,
    /// transaction metadata).
    pub fn to_packstream(&self) -> Result<Value, ConversionError> {
        to_packstream(self)
    }

    /// The testkit form of a value received from the server.
    pub fn from_packstream(value: &Value) -> Result<CypherValue, ConversionError> {
        from_packstream(value)
    }
}

// ---------------------------------------------------------------------------
// testkit -> PackStream

fn offset_i32(offset: i64, what: &str) -> Result<i32, ConversionError> {
    if offset.unsigned_abs() > MAX_OFFSET_SECONDS.unsigned_abs() {
        return err(format!("{what}: UTC offset {offset}s is beyond ±18 hours"));
    }
    i32::try_from(offset).or_else(|_| err(format!("{what}: UTC offset {offset}s out of range")))
}

fn nanos_u32(nanos: i64, what: &str) -> Result<u32, ConversionError> {
    if !(0..NANOS_PER_SECOND).contains(&nanos) {
        return err(format!("{what}: nanosecond {nanos} out of range"));
    }
    u32::try_from(nanos).or_else(|_| err(format!("{what}: nanosecond {nanos} out of range")))
}

fn props_to_packstream(
    props: &BTreeMap<String, CypherValue>,
) -> Result<HashMap<String, Value>, ConversionError> {
    props
        .iter()
        .map(|(k, v)| Ok((k.clone(), to_packstream(v)?)))
        .collect()
}

fn node_to_packstream(n: &CypherNode) -> Result<Node, ConversionError> {
    Ok(Node {
        id: n.id,
        labels: n.labels.clone(),
        properties: props_to_packstream(&n.props)?,
        element_id: Some(n.element_id.clone()),
    })
}

fn path_to_packstream(p: &CypherPath) -> Result<Path, ConversionError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut rels: Vec<UnboundRelationship> = Vec::new();
    let mut indices = Vec::with_capacity(p.relationships.len() * 2);
    let node_index = |nodes: &mut Vec<Node>, n: &CypherNode| -> Result<i64, ConversionError> {
        let i = match nodes.iter().position(|x| x.id == n.id) {
            Some(i) => i,
            None => {
                nodes.push(node_to_packstream(n)?);
                nodes.len() - 1
            }
        };
        i64::try_from(i).or_else(|_| err("CypherPath: too many nodes"))
    };
    let Some(first) = p.nodes.first() else {
        return err("CypherPath: no nodes");
    };
    node_index(&mut nodes, first)?;
    for (step, rel) in p.relationships.iter().enumerate() {
        let (Some(from), Some(to)) = (p.nodes.get(step), p.nodes.get(step + 1)) else {
            return err("CypherPath: fewer nodes than relationships + 1");
        };
        let forward = if rel.start_node_id == from.id && rel.end_node_id == to.id {
            true
        } else if rel.start_node_id == to.id && rel.end_node_id == from.id {
            false
        } else {
            return err(format!(
                "CypherPath: relationship {} does not join nodes {} and {}",
                rel.id, from.id, to.id
            ));
        };
        let r = match rels.iter().position(|x| x.id == rel.id) {
            Some(i) => i,
            None => {
                rels.push(UnboundRelationship {
                    id: rel.id,
                    rel_type: rel.rel_type.clone(),
                    properties: props_to_packstream(&rel.props)?,
                    element_id: Some(rel.element_id.clone()),
                });
                rels.len() - 1
            }
        };
        let r = i64::try_from(r + 1).or_else(|_| err("CypherPath: too many relationships"))?;
        indices.push(if forward { r } else { -r });
        indices.push(node_index(&mut nodes, to)?);
    }
    Ok(Path {
        nodes,
        relationships: rels,
        indices,
    })
}

fn wall_seconds(d: &CypherDateTime) -> Result<i64, ConversionError> {
    seconds_from_civil(Civil {
        year: d.year,
        month: d.month,
        day: d.day,
        hour: d.hour,
        minute: d.minute,
        second: d.second,
    })
    .ok_or_else(|| {
        ConversionError(format!(
            "CypherDateTime: {}-{}-{}T{}:{}:{} is not a valid date-time",
            d.year, d.month, d.day, d.hour, d.minute, d.second
        ))
    })
}

/// Maps a testkit value to the PackStream value the driver sends.
pub fn to_packstream(v: &CypherValue) -> Result<Value, ConversionError> {
    Ok(match v {
        CypherValue::Null => Value::Null,
        CypherValue::Bool(b) => Value::Boolean(*b),
        CypherValue::Int(i) => Value::Integer(*i),
        CypherValue::Float(f) => Value::Float(*f),
        CypherValue::String(s) => Value::String(s.clone()),
        CypherValue::Bytes(b) => Value::Bytes(b.clone().into()),
        CypherValue::List(l) => Value::List(l.iter().map(to_packstream).collect::<Result<_, _>>()?),
        CypherValue::Map(m) => Value::Map(props_to_packstream(m)?),
        CypherValue::Node(n) => Value::Node(node_to_packstream(n)?),
        CypherValue::Relationship(r) => Value::Relationship(Relationship {
            id: r.id,
            start_node_id: r.start_node_id,
            end_node_id: r.end_node_id,
            rel_type: r.rel_type.clone(),
            properties: props_to_packstream(&r.props)?,
            element_id: Some(r.element_id.clone()),
            start_node_element_id: Some(r.start_node_element_id.clone()),
            end_node_element_id: Some(r.end_node_element_id.clone()),
        }),
        CypherValue::Path(p) => Value::Path(path_to_packstream(p)?),
        CypherValue::Point(p) => {
            let srid = match (p.system.as_str(), p.z.is_some()) {
                ("cartesian", false) => SRID_CARTESIAN,
                ("wgs84", false) => SRID_WGS84,
                ("cartesian", true) => SRID_CARTESIAN_3D,
                ("wgs84", true) => SRID_WGS84_3D,
                (other, _) => return err(format!("CypherPoint: unknown system {other:?}")),
            };
            match p.z {
                None => Value::Point2D(Point2D {
                    srid,
                    x: p.x,
                    y: p.y,
                }),
                Some(z) => Value::Point3D(Point3D {
                    srid,
                    x: p.x,
                    y: p.y,
                    z,
                }),
            }
        }
        CypherValue::Date(d) => Value::Date(Date {
            days: days_from_civil(d.year, d.month, d.day).ok_or_else(|| {
                ConversionError(format!(
                    "CypherDate: {}-{}-{} is not a valid date",
                    d.year, d.month, d.day
                ))
            })?,
        }),
        CypherValue::Time(t) => {
            let sod = seconds_of_day(t.hour, t.minute, t.second).ok_or_else(|| {
                ConversionError(format!(
                    "CypherTime: {}:{}:{} is not a valid time",
                    t.hour, t.minute, t.second
                ))
            })?;
            let nanos = i64::from(nanos_u32(t.nanosecond, "CypherTime")?);
            let nanoseconds = sod * NANOS_PER_SECOND + nanos;
            match t.utc_offset_s {
                None => Value::LocalTime(LocalTime { nanoseconds }),
                Some(o) => Value::Time(Time {
                    nanoseconds,
                    tz_offset_seconds: offset_i32(o, "CypherTime")?,
                }),
            }
        }
        CypherValue::DateTime(d) => {
            let wall = wall_seconds(d)?;
            let nanoseconds = nanos_u32(d.nanosecond, "CypherDateTime")?;
            match (d.utc_offset_s, &d.timezone_id) {
                (None, None) => Value::LocalDateTime(LocalDateTime {
                    seconds: wall,
                    nanoseconds,
                }),
                (Some(o), None) => {
                    // Validated first: a bounded offset cannot overflow below.
                    let tz_offset_seconds = offset_i32(o, "CypherDateTime")?;
                    Value::DateTime(DateTime {
                        seconds: wall - o,
                        nanoseconds,
                        tz_offset_seconds,
                    })
                }
                (Some(o), Some(zone)) => {
                    offset_i32(o, "CypherDateTime")?;
                    Value::DateTimeZoneId(DateTimeZoneId {
                        seconds: wall - o,
                        nanoseconds,
                        tz_id: zone.clone(),
                        basis: TimeBasis::Utc,
                    })
                }
                (None, Some(zone)) => {
                    let o = offset_at_wall_clock(zone, wall)?;
                    Value::DateTimeZoneId(DateTimeZoneId {
                        seconds: wall - o,
                        nanoseconds,
                        tz_id: zone.clone(),
                        basis: TimeBasis::Utc,
                    })
                }
            }
        }
        CypherValue::Duration(d) => {
            // Normalised: nanoseconds are below one billion and fit an i32.
            let nanoseconds = i32::try_from(d.nanoseconds).or_else(|_| {
                err(format!(
                    "CypherDuration: nanoseconds {} out of range",
                    d.nanoseconds
                ))
            })?;
            Value::Duration(Duration {
                months: d.months,
                days: d.days,
                seconds: d.seconds,
                nanoseconds,
            })
        }
    })
}

// ---------------------------------------------------------------------------
// PackStream -> testkit

fn zone(tz_id: &str) -> Result<chrono_tz::Tz, ConversionError> {
    tz_id
        .parse::<chrono_tz::Tz>()
        .or_else(|_| err(format!("unknown time zone id {tz_id:?}")))
}

fn naive(seconds: i64) -> Result<chrono::NaiveDateTime, ConversionError> {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|d| d.naive_utc())
        .ok_or_else(|| {
            ConversionError(format!(
                "date-time {seconds}s from the epoch is out of the zone database's range"
            ))
        })
}

/// The UTC offset (seconds east) in force in zone `tz_id` at the instant
/// `utc_seconds` since the epoch.
pub fn offset_at_instant(tz_id: &str, utc_seconds: i64) -> Result<i64, ConversionError> {
    let tz = zone(tz_id)?;
    let at = naive(utc_seconds)?;
    Ok(i64::from(
        tz.offset_from_utc_datetime(&at).fix().local_minus_utc(),
    ))
}

/// The UTC offset in force in zone `tz_id` at the wall-clock reading
/// `wall_seconds`; in a fold (clocks going back) the earlier reading wins.
pub fn offset_at_wall_clock(tz_id: &str, wall_seconds: i64) -> Result<i64, ConversionError> {
    let tz = zone(tz_id)?;
    let at = naive(wall_seconds)?;
    match tz.offset_from_local_datetime(&at).earliest() {
        Some(o) => Ok(i64::from(o.fix().local_minus_utc())),
        None => err(format!(
            "the wall-clock time does not exist in zone {tz_id:?} (a gap)"
        )),
    }
}

fn civil_date_time(
    wall: i64,
    nanosecond: u32,
    utc_offset_s: Option<i64>,
    timezone_id: Option<String>,
) -> Result<CypherValue, ConversionError> {
    let c = civil_from_seconds(wall).ok_or_else(|| {
        ConversionError(format!("date-time {wall}s from the epoch is out of range"))
    })?;
    if i64::from(nanosecond) >= NANOS_PER_SECOND {
        return err(format!("date-time nanosecond {nanosecond} out of range"));
    }
    Ok(CypherValue::DateTime(CypherDateTime {
        year: c.year,
        month: c.month,
        day: c.day,
        hour: c.hour,
        minute: c.minute,
        second: c.second,
        nanosecond: i64::from(nanosecond),
        utc_offset_s,
        timezone_id,
    }))
}

fn time_of_day(
    nanoseconds: i64,
    utc_offset_s: Option<i64>,
) -> Result<CypherValue, ConversionError> {
    if !(0..NANOS_PER_DAY).contains(&nanoseconds) {
        return err(format!("time of day {nanoseconds}ns out of range"));
    }
    let secs = nanoseconds / NANOS_PER_SECOND;
    Ok(CypherValue::Time(CypherTime {
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
        nanosecond: nanoseconds % NANOS_PER_SECOND,
        utc_offset_s,
    }))
}

fn props_from_packstream(
    props: &HashMap<String, Value>,
) -> Result<BTreeMap<String, CypherValue>, ConversionError> {
    props
        .iter()
        .map(|(k, v)| Ok((k.clone(), from_packstream(v)?)))
        .collect()
}

fn node_from_packstream(n: &Node) -> Result<CypherNode, ConversionError> {
    Ok(CypherNode {
        id: n.id,
        labels: n.labels.clone(),
        props: props_from_packstream(&n.properties)?,
        element_id: n.element_id(),
    })
}

fn legacy_or(element_id: &Option<String>, id: i64) -> String {
    element_id.clone().unwrap_or_else(|| id.to_string())
}

/// Maps a PackStream value received from the server to testkit's form.
pub fn from_packstream(v: &Value) -> Result<CypherValue, ConversionError> {
    Ok(match v {
        Value::Null => CypherValue::Null,
        Value::Boolean(b) => CypherValue::Bool(*b),
        Value::Integer(i) => CypherValue::Int(*i),
        Value::Float(f) => CypherValue::Float(*f),
        Value::Bytes(b) => CypherValue::Bytes(b.to_vec()),
        Value::String(s) => CypherValue::String(s.clone()),
        Value::List(l) => {
            CypherValue::List(l.iter().map(from_packstream).collect::<Result<_, _>>()?)
        }
        Value::Map(m) => CypherValue::Map(props_from_packstream(m)?),
        Value::Node(n) => CypherValue::Node(node_from_packstream(n)?),
        Value::Relationship(r) => CypherValue::Relationship(CypherRelationship {
            id: r.id,
            start_node_id: r.start_node_id,
            end_node_id: r.end_node_id,
            rel_type: r.rel_type.clone(),
            props: props_from_packstream(&r.properties)?,
            element_id: legacy_or(&r.element_id, r.id),
            start_node_element_id: legacy_or(&r.start_node_element_id, r.start_node_id),
            end_node_element_id: legacy_or(&r.end_node_element_id, r.end_node_id),
        }),
        Value::Path(p) => {
            let segments = p
                .segments()
                .ok_or_else(|| ConversionError("path with invalid indices".to_owned()))?;
            let first = p
                .nodes
                .first()
                .ok_or_else(|| ConversionError("path without nodes".to_owned()))?;
            let mut nodes = vec![node_from_packstream(first)?];
            let mut relationships = Vec::with_capacity(segments.len());
            for s in &segments {
                let (start, end) = if s.forward {
                    (s.start, s.end)
                } else {
                    (s.end, s.start)
                };
                let r = s.relationship;
                relationships.push(CypherRelationship {
                    id: r.id,
                    start_node_id: start.id,
                    end_node_id: end.id,
                    rel_type: r.rel_type.clone(),
                    props: props_from_packstream(&r.properties)?,
                    element_id: legacy_or(&r.element_id, r.id),
                    start_node_element_id: start.element_id(),
                    end_node_element_id: end.element_id(),
                });
                nodes.push(node_from_packstream(s.end)?);
            }
            CypherValue::Path(CypherPath {
                nodes,
                relationships,
            })
        }
        Value::Date(d) => {
            let (year, month, day) = civil_from_days(d.days).ok_or_else(|| {
                ConversionError(format!(
                    "date {} days from the epoch is out of range",
                    d.days
                ))
            })?;
            CypherValue::Date(CypherDate { year, month, day })
        }
        Value::Time(t) => time_of_day(t.nanoseconds, Some(i64::from(t.tz_offset_seconds)))?,
        Value::LocalTime(t) => time_of_day(t.nanoseconds, None)?,
        Value::LocalDateTime(d) => civil_date_time(d.seconds, d.nanoseconds, None, None)?,
        Value::DateTime(d) => {
            let offset = i64::from(d.tz_offset_seconds);
            let wall = d
                .seconds
                .checked_add(offset)
                .ok_or_else(|| ConversionError("date-time out of range".to_owned()))?;
            civil_date_time(wall, d.nanoseconds, Some(offset), None)?
        }
        Value::DateTimeZoneId(d) => {
            let (wall, offset) = match d.basis {
                TimeBasis::Utc => {
                    let offset = offset_at_instant(&d.tz_id, d.seconds)?;
                    let wall = d
                        .seconds
                        .checked_add(offset)
                        .ok_or_else(|| ConversionError("date-time out of range".to_owned()))?;
                    (wall, offset)
                }
                TimeBasis::WallClock => (d.seconds, offset_at_wall_clock(&d.tz_id, d.seconds)?),
            };
            civil_date_time(wall, d.nanoseconds, Some(offset), Some(d.tz_id.clone()))?
        }
        Value::Duration(d) => CypherValue::Duration(
            CypherDuration::new(d.months, d.days, d.seconds, i64::from(d.nanoseconds))
                .ok_or_else(|| ConversionError("duration out of range".to_owned()))?,
        ),
        Value::Point2D(p) => CypherValue::Point(CypherPoint {
            system: point_system(p.srid)?.to_owned(),
            x: p.x,
            y: p.y,
            z: None,
        }),
        Value::Point3D(p) => CypherValue::Point(CypherPoint {
            system: point_system(p.srid)?.to_owned(),
            x: p.x,
            y: p.y,
            z: Some(p.z),
        }),
        Value::UnboundRelationship(_) => {
            return err("a relationship outside a path has no testkit form")
        }
        Value::Vector(_) => return err("this testkit version has no vector type"),
        Value::Unsupported(_) => {
            return err("the server sent a type unsupported at this protocol version")
        }
    })
}

fn point_system(srid: u32) -> Result<&'static str, ConversionError> {
    match srid {
        SRID_CARTESIAN | SRID_CARTESIAN_3D => Ok("cartesian"),
        SRID_WGS84 | SRID_WGS84_3D => Ok("wgs84"),
        other => err(format!("point with SRID {other} has no testkit form")),
    }
}

/// A PackStream value as plain JSON (not Cypher-typed), for the summary
/// fields testkit compares as plain data: notifications, plans, profiles.
/// Non-finite floats become their testkit strings; graph, temporal and
/// spatial values have no plain form and are an error.
pub fn to_plain_json(v: &Value) -> Result<serde_json::Value, ConversionError> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Integer(i) => J::from(*i),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => J::Number(n),
            None => match float_to_repr(*f) {
                FloatRepr::Text(t) => J::String(t),
                FloatRepr::Number(_) => J::Null,
            },
        },
        Value::String(s) => J::String(s.clone()),
        Value::List(l) => J::Array(l.iter().map(to_plain_json).collect::<Result<_, _>>()?),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), to_plain_json(v)?)))
                .collect::<Result<_, ConversionError>>()?,
        ),
        other => return err(format!("{} has no plain JSON form", other.type_name())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(j: serde_json::Value) -> CypherValue {
        match serde_json::from_value(j.clone()) {
            Ok(v) => v,
            Err(e) => panic!("{j}: {e}"),
        }
    }

    fn round_trip_json(j: serde_json::Value) {
        let v = parse(j.clone());
        assert_eq!(serde_json::to_value(&v).ok(), Some(j));
    }

    fn both_ways(j: serde_json::Value, ps: Value) {
        let v = parse(j.clone());
        assert_eq!(to_packstream(&v), Ok(ps.clone()), "{j}");
        let back = from_packstream(&ps).map(|v| serde_json::to_value(v).ok());
        assert_eq!(back, Ok(Some(j)));
    }

    #[test]
    fn scalars() {
        both_ways(json!({"name": "CypherNull", "data": {}}), Value::Null);
        assert_eq!(
            parse(json!({"name": "CypherNull", "data": {"value": null}})),
            CypherValue::Null
        );
        both_ways(
            json!({"name": "CypherBool", "data": {"value": true}}),
            Value::Boolean(true),
        );
        both_ways(
            json!({"name": "CypherInt", "data": {"value": i64::MIN}}),
            Value::Integer(i64::MIN),
        );
        both_ways(
            json!({"name": "CypherFloat", "data": {"value": 1.5}}),
            Value::Float(1.5),
        );
        both_ways(
            json!({"name": "CypherString", "data": {"value": "ä\u{0}"}}),
            Value::String("ä\u{0}".into()),
        );
        both_ways(
            json!({"name": "CypherBytes", "data": {"value": "00 33 ff"}}),
            Value::Bytes(vec![0u8, 0x33, 0xff].into()),
        );
        both_ways(
            json!({"name": "CypherBytes", "data": {"value": ""}}),
            Value::Bytes(Vec::new().into()),
        );
    }

    #[test]
    fn special_floats() {
        both_ways(
            json!({"name": "CypherFloat", "data": {"value": "+Infinity"}}),
            Value::Float(f64::INFINITY),
        );
        both_ways(
            json!({"name": "CypherFloat", "data": {"value": "-Infinity"}}),
            Value::Float(f64::NEG_INFINITY),
        );
        let nan = parse(json!({"name": "CypherFloat", "data": {"value": "NaN"}}));
        assert!(matches!(to_packstream(&nan), Ok(Value::Float(f)) if f.is_nan()));
        assert_eq!(
            serde_json::to_value(CypherValue::Float(f64::NAN)).ok(),
            Some(json!({"name": "CypherFloat", "data": {"value": "NaN"}}))
        );
        // An integral JSON number is a float here; exact round trips.
        assert_eq!(
            parse(json!({"name": "CypherFloat", "data": {"value": 3}})),
            CypherValue::Float(3.0)
        );
        let tricky = 0.1 + 0.2;
        let text = serde_json::to_string(&CypherValue::Float(tricky)).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<CypherValue>(&text).ok(),
            Some(CypherValue::Float(tricky))
        );
        assert!(serde_json::from_value::<CypherValue>(
            json!({"name": "CypherFloat", "data": {"value": "x"}})
        )
        .is_err());
    }

    #[test]
    fn lists_and_maps() {
        both_ways(
            json!({"name": "CypherList", "data": {"value": [
                {"name": "CypherInt", "data": {"value": 1}},
                {"name": "CypherMap", "data": {"value": {"k": {"name": "CypherNull", "data": {}}}}}
            ]}}),
            Value::List(vec![
                Value::Integer(1),
                Value::Map([("k".to_owned(), Value::Null)].into_iter().collect()),
            ]),
        );
    }

    #[test]
    fn malformed_values_are_errors_not_panics() {
        for bad in [
            json!({"name": "CypherInt", "data": {"value": "1"}}),
            json!({"name": "CypherInt", "data": {"value": 1.5}}),
            json!({"name": "CypherInt"}),
            json!({"name": "CypherWhat", "data": {}}),
            json!({"data": {}}),
            json!({"name": "CypherBytes", "data": {"value": "0g"}}),
            json!({"name": "CypherBytes", "data": {"value": "abc"}}),
            json!({"name": "CypherPoint", "data": {"system": "mars", "x": 1.0, "y": 2.0}}),
            json!({"name": "CypherNode", "data": {"id": {"name": "CypherString", "data": {"value": "1"}},
                "labels": {"name": "CypherList", "data": {"value": []}},
                "props": {"name": "CypherMap", "data": {"value": {}}}}}),
            json!({"name": "CypherDateTime", "data": {"year": 2022, "month": 1, "day": 1, "hour": 0,
                "minute": 0, "second": 0, "nanosecond": 0, "utc_offset_s": null, "timezone_id": "Europe/Paris"}}),
            json!([1, 2]),
        ] {
            assert!(
                serde_json::from_value::<CypherValue>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        for bad in [
            json!({"name": "CypherDate", "data": {"year": 2023, "month": 2, "day": 29}}),
            json!({"name": "CypherTime", "data": {"hour": 24, "minute": 0, "second": 0, "nanosecond": 0}}),
            json!({"name": "CypherTime", "data": {"hour": 1, "minute": 0, "second": 0, "nanosecond": 1_000_000_000i64}}),
            json!({"name": "CypherTime", "data": {"hour": 1, "minute": 0, "second": 0, "nanosecond": 0, "utc_offset_s": 90_000}}),
            json!({"name": "CypherDateTime", "data": {"year": i64::MAX, "month": 1, "day": 1, "hour": 0,
                "minute": 0, "second": 0, "nanosecond": 0}}),
            json!({"name": "CypherDateTime", "data": {"year": 2000, "month": 1, "day": 1, "hour": 0,
                "minute": 0, "second": 0, "nanosecond": 0, "utc_offset_s": i64::MIN}}),
            json!({"name": "CypherDate", "data": {"year": i64::MIN, "month": 1, "day": 1}}),
        ] {
            assert!(to_packstream(&parse(bad.clone())).is_err(), "{bad}");
        }
    }

    fn node_json(id: i64, eid: &str) -> serde_json::Value {
        json!({"name": "CypherNode", "data": {
            "id": {"name": "CypherInt", "data": {"value": id}},
            "labels": {"name": "CypherList", "data": {"value": [{"name": "CypherString", "data": {"value": "L"}}]}},
            "props": {"name": "CypherMap", "data": {"value": {"p": {"name": "CypherInt", "data": {"value": 1}}}}},
            "elementId": {"name": "CypherString", "data": {"value": eid}}
        }})
    }

    fn node(id: i64, eid: Option<&str>) -> Node {
        Node {
            id,
            labels: vec!["L".into()],
            properties: [("p".to_owned(), Value::Integer(1))].into_iter().collect(),
            element_id: eid.map(str::to_owned),
        }
    }

    fn rel_json(id: i64, s: i64, e: i64) -> serde_json::Value {
        json!({"name": "CypherRelationship", "data": {
            "id": {"name": "CypherInt", "data": {"value": id}},
            "startNodeId": {"name": "CypherInt", "data": {"value": s}},
            "endNodeId": {"name": "CypherInt", "data": {"value": e}},
            "type": {"name": "CypherString", "data": {"value": "T"}},
            "props": {"name": "CypherMap", "data": {"value": {}}},
            "elementId": {"name": "CypherString", "data": {"value": format!("r{id}")}},
            "startNodeElementId": {"name": "CypherString", "data": {"value": format!("n{s}")}},
            "endNodeElementId": {"name": "CypherString", "data": {"value": format!("n{e}")}}
        }})
    }

    #[test]
    fn graph_values() {
        both_ways(node_json(1, "n1"), Value::Node(node(1, Some("n1"))));
        // Bolt 4.4: no element id, the legacy id stands in.
        assert_eq!(
            from_packstream(&Value::Node(node(7, None))).map(|v| serde_json::to_value(v).ok()),
            Ok(Some(node_json(7, "7")))
        );
        both_ways(
            rel_json(5, 1, 2),
            Value::Relationship(Relationship {
                id: 5,
                start_node_id: 1,
                end_node_id: 2,
                rel_type: "T".into(),
                properties: HashMap::new(),
                element_id: Some("r5".into()),
                start_node_element_id: Some("n1".into()),
                end_node_element_id: Some("n2".into()),
            }),
        );
    }

    #[test]
    fn paths_walk_both_directions() {
        // (1)-[5]->(2)<-[6]-(3)
        let path_json = json!({"name": "CypherPath", "data": {
            "nodes": {"name": "CypherList", "data": {"value": [node_json(1, "n1"), node_json(2, "n2"), node_json(3, "n3")]}},
            "relationships": {"name": "CypherList", "data": {"value": [rel_json(5, 1, 2), rel_json(6, 3, 2)]}}
        }});
        let unbound = |id| UnboundRelationship {
            id,
            rel_type: "T".into(),
            properties: HashMap::new(),
            element_id: Some(format!("r{id}")),
        };
        both_ways(
            path_json,
            Value::Path(Path {
                nodes: vec![
                    node(1, Some("n1")),
                    node(2, Some("n2")),
                    node(3, Some("n3")),
                ],
                relationships: vec![unbound(5), unbound(6)],
                indices: vec![1, 1, -2, 2],
            }),
        );
        let broken = Value::Path(Path {
            nodes: vec![node(1, None)],
            relationships: vec![],
            indices: vec![1],
        });
        assert!(from_packstream(&broken).is_err());
    }

    #[test]
    fn points() {
        for (j, ps) in [
            (
                json!({"name": "CypherPoint", "data": {"system": "cartesian", "x": 1.5, "y": -2.0, "z": null}}),
                Value::Point2D(Point2D {
                    srid: 7203,
                    x: 1.5,
                    y: -2.0,
                }),
            ),
            (
                json!({"name": "CypherPoint", "data": {"system": "wgs84", "x": 1.5, "y": -2.0, "z": 3.0}}),
                Value::Point3D(Point3D {
                    srid: 4979,
                    x: 1.5,
                    y: -2.0,
                    z: 3.0,
                }),
            ),
        ] {
            both_ways(j, ps);
        }
        assert!(from_packstream(&Value::Point2D(Point2D {
            srid: 1,
            x: 0.0,
            y: 0.0
        }))
        .is_err());
    }

    fn dt(offset: Option<i64>, zone: Option<&str>) -> serde_json::Value {
        json!({"name": "CypherDateTime", "data": {"year": 2022, "month": 6, "day": 7, "hour": 11,
            "minute": 52, "second": 5, "nanosecond": 1, "utc_offset_s": offset, "timezone_id": zone}})
    }

    #[test]
    fn temporals() {
        // 2022-06-07T11:52:05 wall clock = 1654602725 seconds.
        let wall = 1_654_602_725;
        both_ways(
            json!({"name": "CypherDate", "data": {"year": 2022, "month": 6, "day": 7}}),
            Value::Date(Date { days: 19_150 }),
        );
        both_ways(
            json!({"name": "CypherDate", "data": {"year": -5, "month": 12, "day": 31}}),
            Value::Date(Date {
                days: days_from_civil(-5, 12, 31).unwrap_or_default(),
            }),
        );
        both_ways(
            json!({"name": "CypherTime", "data": {"hour": 1, "minute": 2, "second": 3, "nanosecond": 4, "utc_offset_s": null}}),
            Value::LocalTime(LocalTime {
                nanoseconds: 3_723_000_000_004,
            }),
        );
        both_ways(
            json!({"name": "CypherTime", "data": {"hour": 1, "minute": 2, "second": 3, "nanosecond": 4, "utc_offset_s": -3600}}),
            Value::Time(Time {
                nanoseconds: 3_723_000_000_004,
                tz_offset_seconds: -3600,
            }),
        );
        both_ways(
            dt(None, None),
            Value::LocalDateTime(LocalDateTime {
                seconds: wall,
                nanoseconds: 1,
            }),
        );
        both_ways(
            dt(Some(7200), None),
            Value::DateTime(DateTime {
                seconds: wall - 7200,
                nanoseconds: 1,
                tz_offset_seconds: 7200,
            }),
        );
        both_ways(
            dt(Some(7200), Some("Europe/Stockholm")),
            Value::DateTimeZoneId(DateTimeZoneId {
                seconds: wall - 7200,
                nanoseconds: 1,
                tz_id: "Europe/Stockholm".into(),
                basis: TimeBasis::Utc,
            }),
        );
        // Legacy wall-clock basis: the zone's rules give the offset.
        let legacy = Value::DateTimeZoneId(DateTimeZoneId {
            seconds: wall,
            nanoseconds: 1,
            tz_id: "Europe/Stockholm".into(),
            basis: TimeBasis::WallClock,
        });
        assert_eq!(
            from_packstream(&legacy).map(|v| serde_json::to_value(v).ok()),
            Ok(Some(dt(Some(7200), Some("Europe/Stockholm"))))
        );
        // Winter: the same zone is one hour east.
        let winter = Value::DateTimeZoneId(DateTimeZoneId {
            seconds: 0,
            nanoseconds: 0,
            tz_id: "Europe/Stockholm".into(),
            basis: TimeBasis::Utc,
        });
        assert!(
            matches!(from_packstream(&winter), Ok(CypherValue::DateTime(d)) if d.utc_offset_s == Some(3600) && d.hour == 1)
        );
        let unknown = Value::DateTimeZoneId(DateTimeZoneId {
            seconds: 0,
            nanoseconds: 0,
            tz_id: "Europe/Neo4j".into(),
            basis: TimeBasis::Utc,
        });
        assert!(
            matches!(from_packstream(&unknown), Err(ConversionError(m)) if m.contains("Europe/Neo4j"))
        );
        // Before the epoch, with nanoseconds.
        both_ways(
            json!({"name": "CypherDateTime", "data": {"year": 1969, "month": 12, "day": 31, "hour": 23,
                "minute": 59, "second": 59, "nanosecond": 999_999_999, "utc_offset_s": null, "timezone_id": null}}),
            Value::LocalDateTime(LocalDateTime {
                seconds: -1,
                nanoseconds: 999_999_999,
            }),
        );
    }

    #[test]
    fn durations_are_normalised() {
        both_ways(
            json!({"name": "CypherDuration", "data": {"months": 1, "days": -2, "seconds": -4, "nanoseconds": 999_999_999}}),
            Value::Duration(Duration {
                months: 1,
                days: -2,
                seconds: -4,
                nanoseconds: 999_999_999,
            }),
        );
        assert_eq!(
            from_packstream(&Value::Duration(Duration {
                months: 0,
                days: 0,
                seconds: 1,
                nanoseconds: -1,
            })),
            Ok(CypherValue::Duration(CypherDuration {
                months: 0,
                days: 0,
                seconds: 0,
                nanoseconds: 999_999_999,
            }))
        );
        round_trip_json(
            json!({"name": "CypherDuration", "data": {"months": 0, "days": 0, "seconds": 0, "nanoseconds": 0}}),
        );
    }

    #[test]
    fn values_without_testkit_form() {
        assert!(from_packstream(&Value::Vector(boltline_packstream::Vector::I8(vec![1]))).is_err());
        assert!(
            from_packstream(&Value::UnboundRelationship(UnboundRelationship {
                id: 1,
                rel_type: "T".into(),
                properties: HashMap::new(),
                element_id: None,
            }))
            .is_err()
        );
    }

    #[test]
    fn plain_json() {
        let v = Value::Map(
            [
                (
                    "a".to_owned(),
                    Value::List(vec![Value::Integer(1), Value::Float(f64::NAN)]),
                ),
                ("b".to_owned(), Value::Null),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(to_plain_json(&v), Ok(json!({"a": [1, "NaN"], "b": null})));
        assert!(to_plain_json(&Value::Date(Date { days: 0 })).is_err());
    }
}
