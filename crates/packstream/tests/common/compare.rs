//! Comparing decoded values with what a round trip must produce.
//!
//! No test-framework dependencies: the fuzz targets include this file by path.

use std::collections::HashMap;

use boltline_packstream::{
    Dialect, Node, Path, Relationship, TimeBasis, UnboundRelationship, UnsupportedType, Value,
    Vector,
};

/// Structural equality where every float (plain, point coordinate or vector
/// element) is compared by its bit pattern, so `NaN` equals a `NaN` with the
/// same payload and `0.0` differs from `-0.0`. The codec copies float bits
/// verbatim, so this is the equality a round trip must preserve.
pub fn same(a: &Value, b: &Value) -> bool {
    use Value as V;
    match (a, b) {
        (V::Float(x), V::Float(y)) => x.to_bits() == y.to_bits(),
        (V::List(x), V::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (V::Map(x), V::Map(y)) => same_map(x, y),
        (V::Node(x), V::Node(y)) => same_node(x, y),
        (V::Relationship(x), V::Relationship(y)) => {
            x.id == y.id
                && x.start_node_id == y.start_node_id
                && x.end_node_id == y.end_node_id
                && x.rel_type == y.rel_type
                && x.element_id == y.element_id
                && x.start_node_element_id == y.start_node_element_id
                && x.end_node_element_id == y.end_node_element_id
                && same_map(&x.properties, &y.properties)
        }
        (V::UnboundRelationship(x), V::UnboundRelationship(y)) => same_unbound(x, y),
        (V::Path(x), V::Path(y)) => {
            x.indices == y.indices
                && x.nodes.len() == y.nodes.len()
                && x.nodes.iter().zip(&y.nodes).all(|(x, y)| same_node(x, y))
                && x.relationships.len() == y.relationships.len()
                && x.relationships
                    .iter()
                    .zip(&y.relationships)
                    .all(|(x, y)| same_unbound(x, y))
        }
        (V::Point2D(x), V::Point2D(y)) => {
            x.srid == y.srid && x.x.to_bits() == y.x.to_bits() && x.y.to_bits() == y.y.to_bits()
        }
        (V::Point3D(x), V::Point3D(y)) => {
            x.srid == y.srid
                && x.x.to_bits() == y.x.to_bits()
                && x.y.to_bits() == y.y.to_bits()
                && x.z.to_bits() == y.z.to_bits()
        }
        (V::Vector(x), V::Vector(y)) => same_vector(x, y),
        (V::Unsupported(x), V::Unsupported(y)) => {
            x.name == y.name
                && x.minimum_protocol_major == y.minimum_protocol_major
                && x.minimum_protocol_minor == y.minimum_protocol_minor
                && same_map(&x.extra, &y.extra)
        }
        // Every other variant holds no floats: PartialEq is exact.
        (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y) && x == y,
    }
}

fn same_map(a: &HashMap<String, Value>, b: &HashMap<String, Value>) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
}

fn same_node(a: &Node, b: &Node) -> bool {
    a.id == b.id
        && a.labels == b.labels
        && a.element_id == b.element_id
        && same_map(&a.properties, &b.properties)
}

fn same_unbound(a: &UnboundRelationship, b: &UnboundRelationship) -> bool {
    a.id == b.id
        && a.rel_type == b.rel_type
        && a.element_id == b.element_id
        && same_map(&a.properties, &b.properties)
}

fn same_vector(a: &Vector, b: &Vector) -> bool {
    match (a, b) {
        (Vector::F32(x), Vector::F32(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        (Vector::F64(x), Vector::F64(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        (x, y) => x == y,
    }
}

/// Why a round trip through a dialect cannot succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `Value::encode` must fail (the dialect cannot express the value).
    Encode,
    /// Encoding succeeds but the bytes are invalid on read (a field outside
    /// the range the spec allows, e.g. nanoseconds of one second or more).
    Decode,
}

/// What `Value::decode(encode(v, dialect))` must return: the model of the
/// codec's dialect rules.
///
/// * Element ids: a dialect with element ids writes `element_id`, or the
///   legacy id as text when there is none, so they come back `Some`; a
///   dialect without them drops them, so they come back `None`.
/// * `DateTime` is written with UTC seconds (tag `I`) or wall-clock seconds
///   (legacy `F`, seconds + offset) and converted back exactly, unless the
///   wall-clock seconds overflow `i64`: then encoding fails.
/// * `DateTimeZoneId` keeps its basis; only a dialect of the same basis can
///   write it (no zone database to convert), any other fails to encode.
/// * Nanoseconds of date-times must be below 1e9 to decode.
pub fn expected_roundtrip(v: &Value, dialect: Dialect) -> Result<Value, Failure> {
    const NANOS: u32 = 1_000_000_000;
    let id = |element_id: &Option<String>, id: i64| {
        dialect
            .element_ids
            .then(|| element_id.clone().unwrap_or_else(|| id.to_string()))
    };
    Ok(match v {
        Value::List(items) => {
            Value::List(all(items.iter().map(|i| expected_roundtrip(i, dialect)))?)
        }
        Value::Map(m) => Value::Map(expected_map(m, dialect)?),
        Value::Node(n) => Value::Node(expected_node(n, dialect)?),
        Value::Relationship(r) => Value::Relationship(Relationship {
            id: r.id,
            start_node_id: r.start_node_id,
            end_node_id: r.end_node_id,
            rel_type: r.rel_type.clone(),
            properties: expected_map(&r.properties, dialect)?,
            element_id: id(&r.element_id, r.id),
            start_node_element_id: id(&r.start_node_element_id, r.start_node_id),
            end_node_element_id: id(&r.end_node_element_id, r.end_node_id),
        }),
        Value::UnboundRelationship(r) => Value::UnboundRelationship(expected_unbound(r, dialect)?),
        Value::Path(p) => {
            let nodes = all(p.nodes.iter().map(|n| expected_node(n, dialect)));
            let relationships = all(p.relationships.iter().map(|r| expected_unbound(r, dialect)));
            let (nodes, relationships) = match (nodes, relationships) {
                (Ok(n), Ok(r)) => (n, r),
                (Err(Failure::Encode), _) | (_, Err(Failure::Encode)) => {
                    return Err(Failure::Encode)
                }
                _ => return Err(Failure::Decode),
            };
            Value::Path(Path {
                nodes,
                relationships,
                indices: p.indices.clone(),
            })
        }
        Value::DateTime(dt) => {
            if !dialect.utc_date_time
                && dt
                    .seconds
                    .checked_add(i64::from(dt.tz_offset_seconds))
                    .is_none()
            {
                return Err(Failure::Encode);
            }
            if dt.nanoseconds >= NANOS {
                return Err(Failure::Decode);
            }
            v.clone()
        }
        Value::DateTimeZoneId(dt) => {
            let writable = match dt.basis {
                TimeBasis::Utc => dialect.utc_date_time,
                TimeBasis::WallClock => !dialect.utc_date_time,
            };
            if !writable {
                return Err(Failure::Encode);
            }
            if dt.nanoseconds >= NANOS {
                return Err(Failure::Decode);
            }
            v.clone()
        }
        Value::LocalDateTime(dt) if dt.nanoseconds >= NANOS => return Err(Failure::Decode),
        Value::Unsupported(u) => Value::Unsupported(UnsupportedType {
            name: u.name.clone(),
            minimum_protocol_major: u.minimum_protocol_major,
            minimum_protocol_minor: u.minimum_protocol_minor,
            extra: expected_map(&u.extra, dialect)?,
        }),
        other => other.clone(),
    })
}

/// Collects results; when several fail, an encoding failure wins, as
/// encoding runs to completion before anything is decoded.
fn all<T>(results: impl Iterator<Item = Result<T, Failure>>) -> Result<Vec<T>, Failure> {
    let mut out = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(v) => out.push(v),
            Err(Failure::Encode) => return Err(Failure::Encode),
            Err(Failure::Decode) => failure = Some(Failure::Decode),
        }
    }
    failure.map_or(Ok(out), Err)
}

fn expected_map(
    m: &HashMap<String, Value>,
    dialect: Dialect,
) -> Result<HashMap<String, Value>, Failure> {
    let entries = all(m
        .iter()
        .map(|(k, v)| Ok((k.clone(), expected_roundtrip(v, dialect)?))))?;
    Ok(entries.into_iter().collect())
}

fn expected_node(n: &Node, dialect: Dialect) -> Result<Node, Failure> {
    Ok(Node {
        id: n.id,
        labels: n.labels.clone(),
        properties: expected_map(&n.properties, dialect)?,
        element_id: dialect
            .element_ids
            .then(|| n.element_id.clone().unwrap_or_else(|| n.id.to_string())),
    })
}

fn expected_unbound(
    r: &UnboundRelationship,
    dialect: Dialect,
) -> Result<UnboundRelationship, Failure> {
    Ok(UnboundRelationship {
        id: r.id,
        rel_type: r.rel_type.clone(),
        properties: expected_map(&r.properties, dialect)?,
        element_id: dialect
            .element_ids
            .then(|| r.element_id.clone().unwrap_or_else(|| r.id.to_string())),
    })
}
