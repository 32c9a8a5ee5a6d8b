//! `serde_json::Value` rows and parameters (feature `serde_json`).
//!
//! - Parameters: a `serde_json::Value` serializes through this crate's
//!   serializer as is (objects become maps), and converts with
//!   `Value::from(json)`.
//! - Rows: `from_record::<serde_json::Value>` (or a
//!   `serde_json::Map<String, serde_json::Value>`) reads a record as a JSON
//!   object keyed by column; `serde_json::Value::from(value)` converts one
//!   decoded value. Both write temporal values as their ISO 8601 text.
//!
//! JSON has no counterpart for some values, so converting *to* JSON is
//! lossy but total: bytes become an array of numbers, a non-finite float
//! `null`, a node, relationship or path an object with its parts (the
//! deserializer gives a node or relationship as its properties only),
//! a point `{srid, x, y[, z]}`, a vector an array of numbers. Converting
//! *from* JSON keeps every value: an integer that does not fit `i64` (a
//! large `u64`) becomes a float.

use serde_json::{json, Map as JsonMap, Number, Value as Json};

use crate::{Node, Path, Relationship, UnboundRelationship, Value, Vector};

impl From<Json> for Value {
    fn from(j: Json) -> Self {
        match j {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Boolean(b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Integer(i),
                // A u64 above i64::MAX, or a float (always present).
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::String(s),
            Json::Array(items) => Value::List(items.into_iter().map(Value::from).collect()),
            Json::Object(m) => Value::from(m),
        }
    }
}

impl From<JsonMap<String, Json>> for Value {
    fn from(m: JsonMap<String, Json>) -> Self {
        Value::Map(m.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
    }
}

fn float(f: f64) -> Json {
    Number::from_f64(f).map_or(Json::Null, Json::Number)
}

fn properties(p: crate::Map) -> Json {
    Json::Object(p.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
}

fn node(n: Node) -> Json {
    json!({
        "id": n.id,
        "element_id": n.element_id,
        "labels": n.labels,
        "properties": properties(n.properties),
    })
}

fn relationship(r: Relationship) -> Json {
    json!({
        "id": r.id,
        "element_id": r.element_id,
        "type": r.rel_type,
        "start_node_id": r.start_node_id,
        "start_node_element_id": r.start_node_element_id,
        "end_node_id": r.end_node_id,
        "end_node_element_id": r.end_node_element_id,
        "properties": properties(r.properties),
    })
}

fn unbound(r: UnboundRelationship) -> Json {
    json!({
        "id": r.id,
        "element_id": r.element_id,
        "type": r.rel_type,
        "properties": properties(r.properties),
    })
}

fn path(p: Path) -> Json {
    json!({
        "nodes": p.nodes.into_iter().map(node).collect::<Vec<_>>(),
        "relationships": p.relationships.into_iter().map(unbound).collect::<Vec<_>>(),
        "indices": p.indices,
    })
}

fn vector(v: Vector) -> Json {
    match v {
        Vector::I8(items) => json!(items),
        Vector::I16(items) => json!(items),
        Vector::I32(items) => json!(items),
        Vector::I64(items) => json!(items),
        Vector::F32(items) => Json::Array(items.into_iter().map(|f| float(f64::from(f))).collect()),
        Vector::F64(items) => Json::Array(items.into_iter().map(float).collect()),
    }
}

impl From<Value> for Json {
    /// See the module docs for values JSON has no counterpart for.
    fn from(v: Value) -> Self {
        if let Some(text) = super::to_iso_string(&v) {
            return Json::String(text);
        }
        match v {
            Value::Null => Json::Null,
            Value::Boolean(b) => Json::Bool(b),
            Value::Integer(i) => Json::from(i),
            Value::Float(f) => float(f),
            Value::Bytes(b) => Json::Array(b.iter().map(|&x| Json::from(x)).collect()),
            Value::String(s) => Json::String(s),
            Value::List(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Map(m) => properties(m),
            Value::Node(n) => node(n),
            Value::Relationship(r) => relationship(r),
            Value::UnboundRelationship(r) => unbound(r),
            Value::Path(p) => path(p),
            Value::Point2D(p) => json!({"srid": p.srid, "x": float(p.x), "y": float(p.y)}),
            Value::Point3D(p) => {
                json!({"srid": p.srid, "x": float(p.x), "y": float(p.y), "z": float(p.z)})
            }
            Value::Vector(v) => vector(v),
            Value::Unsupported(u) => json!({"unsupported": u.name}),
            // Temporal values have text (above) unless out of range: their
            // type name then.
            other => Json::String(other.type_name().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_record, to_bytes, Date, Point2D};

    #[test]
    fn json_parameters_become_packstream_values() {
        let j = json!({"name": "Ada", "born": 1815, "tags": ["math", true, null], "ratio": 0.5,
                       "big": u64::MAX});
        let v = Value::from(j.clone());
        let m = v.as_map().unwrap();
        assert_eq!(m["born"], Value::Integer(1815));
        assert_eq!(
            m["tags"],
            Value::List(vec![Value::from("math"), Value::Boolean(true), Value::Null])
        );
        assert_eq!(m["big"], Value::Float(u64::MAX as f64));
        // Serialized directly, as a parameter map is.
        let bytes = to_bytes(&json!({"name": "Ada", "born": 1815})).unwrap();
        let direct = Value::decode_slice(&bytes).unwrap();
        assert_eq!(direct.as_map().unwrap()["born"], Value::Integer(1815));
        assert_eq!(direct.as_map().unwrap()["name"], Value::from("Ada"));
        // And back, for the values both sides have.
        let mut back = Json::from(v);
        back["big"] = json!(u64::MAX);
        assert_eq!(back, j);
    }

    #[test]
    fn values_convert_to_json() {
        assert_eq!(
            Json::from(Value::Date(Date { days: 19_782 })),
            json!("2024-02-29")
        );
        assert_eq!(Json::from(Value::Float(f64::NAN)), Json::Null);
        assert_eq!(Json::from(Value::from(vec![1_u8, 2])), json!([1, 2]));
        assert_eq!(
            Json::from(Value::Point2D(Point2D {
                srid: 7203,
                x: 1.0,
                y: 2.5
            })),
            json!({"srid": 7203, "x": 1.0, "y": 2.5})
        );
        let n = Node {
            id: 1,
            labels: vec!["Book".into()],
            properties: [("title".to_owned(), Value::from("Dune"))].into(),
            element_id: Some("4:x:1".into()),
        };
        assert_eq!(
            Json::from(Value::Node(n)),
            json!({"id": 1, "element_id": "4:x:1", "labels": ["Book"],
                   "properties": {"title": "Dune"}})
        );
    }

    #[test]
    fn records_read_into_json_objects() {
        let fields = to_bytes(&(
            "Dune",
            Value::Date(Date { days: -1 }),
            Value::List(vec![Value::Integer(1), Value::Float(1.5)]),
        ))
        .unwrap();
        let keys = ["title", "published", "xs"];
        let row: Json = from_record(&keys, &fields).unwrap();
        assert_eq!(
            row,
            json!({"title": "Dune", "published": "1969-12-31", "xs": [1, 1.5]})
        );
        let map: JsonMap<String, Json> = from_record(&keys, &fields).unwrap();
        assert_eq!(map["published"], json!("1969-12-31"));
    }
}
