//! The serde data format: parameters out, records and structures in.

use std::collections::{BTreeMap, HashMap};

use boltline_packstream::{
    from_record, from_slice, from_value, to_buf, to_bytes, Date, DateTime, DateTimeZoneId, Dialect,
    Duration, LocalDateTime, LocalTime, Map, Node, Path, Point2D, Point3D, Relationship, Time,
    TimeBasis, UnboundRelationship, Value, Vector,
};
use bytes::BytesMut;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Person {
    name: String,
    age: i64,
    email: Option<String>,
    tags: Vec<String>,
}

fn alice() -> Person {
    Person {
        name: "Alice".into(),
        age: 33,
        email: None,
        tags: vec!["a".into(), "b".into()],
    }
}

fn props(p: &Person) -> Map {
    let mut m = Map::new();
    m.insert("name".into(), Value::from(p.name.as_str()));
    m.insert("age".into(), Value::from(p.age));
    m.insert("email".into(), Value::from(p.email.clone()));
    m.insert(
        "tags".into(),
        Value::List(p.tags.iter().map(|t| Value::from(t.as_str())).collect()),
    );
    m
}

fn encode(v: &Value, d: Dialect) -> Vec<u8> {
    v.to_bytes(d).unwrap().to_vec()
}

#[test]
fn struct_round_trips_and_serializes_as_the_equivalent_map() {
    let p = alice();
    let bytes = to_bytes(&p).unwrap();
    assert_eq!(Value::decode(&bytes).unwrap(), Value::Map(props(&p)));
    assert_eq!(from_slice::<Person>(&bytes).unwrap(), p);
}

#[test]
fn strings_are_borrowed_from_the_input() {
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        #[serde(borrow)]
        name: &'a str,
        #[serde(borrow)]
        raw: &'a [u8],
    }
    let mut m = Map::new();
    m.insert("name".into(), Value::from("zero-copy"));
    m.insert("raw".into(), Value::from(vec![1u8, 2, 3]));
    let bytes = encode(&Value::Map(m), Dialect::BOLT_5);
    let b: Borrowed = from_slice(&bytes).unwrap();
    assert_eq!(b.name, "zero-copy");
    assert_eq!(b.raw, &[1, 2, 3]);
    let range = bytes.as_ptr_range();
    assert!(
        range.contains(&b.name.as_ptr()),
        "name must point into the input"
    );
    assert!(
        range.contains(&b.raw.as_ptr()),
        "raw must point into the input"
    );
}

fn person_node() -> Node {
    Node {
        id: 7,
        labels: vec!["Person".into(), "Admin".into()],
        properties: props(&alice()),
        element_id: Some("4:abc:7".into()),
    }
}

#[test]
fn a_node_deserializes_into_a_struct_from_its_properties() {
    for dialect in [Dialect::BOLT_5, Dialect::BOLT_4_4] {
        let bytes = encode(&Value::Node(person_node()), dialect);
        assert_eq!(from_slice::<Person>(&bytes).unwrap(), alice());
    }
}

#[test]
fn a_node_keeps_id_labels_and_element_id_in_node_of_t() {
    let bytes = encode(&Value::Node(person_node()), Dialect::BOLT_5);
    let n: Node<Person> = from_slice(&bytes).unwrap();
    assert_eq!(n.id, 7);
    assert_eq!(n.labels, vec!["Person", "Admin"]);
    assert_eq!(n.element_id.as_deref(), Some("4:abc:7"));
    assert_eq!(n.properties, alice());

    let legacy = encode(&Value::Node(person_node()), Dialect::BOLT_4_4);
    let n: Node<Person> = from_slice(&legacy).unwrap();
    assert_eq!(n.element_id, None);
    assert_eq!(n.element_id(), "7");
}

#[test]
fn relationships_deserialize_with_and_without_element_ids() {
    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    struct Since {
        since: i64,
    }
    let mut p = Map::new();
    p.insert("since".into(), Value::from(1999));
    let r = Relationship {
        id: 1,
        start_node_id: 2,
        end_node_id: 3,
        rel_type: "KNOWS".into(),
        properties: p.clone(),
        element_id: Some("5:x:1".into()),
        start_node_element_id: Some("4:x:2".into()),
        end_node_element_id: Some("4:x:3".into()),
    };
    let bytes = encode(&Value::Relationship(r.clone()), Dialect::BOLT_5);
    assert_eq!(from_slice::<Since>(&bytes).unwrap(), Since { since: 1999 });
    let typed: Relationship<Since> = from_slice(&bytes).unwrap();
    assert_eq!(typed.rel_type, "KNOWS");
    assert_eq!(typed.end_node_element_id.as_deref(), Some("4:x:3"));
    let legacy = encode(&Value::Relationship(r), Dialect::BOLT_4_4);
    let typed: Relationship<Since> = from_slice(&legacy).unwrap();
    assert_eq!((typed.start_node_id, typed.element_id), (2, None));

    let u = UnboundRelationship {
        id: 9,
        rel_type: "R".into(),
        properties: p,
        element_id: None,
    };
    let bytes = encode(&Value::UnboundRelationship(u), Dialect::BOLT_4_4);
    assert_eq!(from_slice::<Since>(&bytes).unwrap().since, 1999);
}

#[test]
fn records_deserialize_by_column_name() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Row {
        n: i64,
        name: String,
        missing: Option<i64>,
    }
    let fields = encode(
        &Value::List(vec![Value::from(5), Value::from("x")]),
        Dialect::BOLT_5,
    );
    let row: Row = from_record(&["n", "name"], &fields).unwrap();
    assert_eq!(
        row,
        Row {
            n: 5,
            name: "x".into(),
            missing: None
        }
    );
    // Positional targets take the list as is.
    let t: (i64, String) = from_record(&["n", "name"], &fields).unwrap();
    assert_eq!(t, (5, "x".to_owned()));
    let m: BTreeMap<String, Value> = from_record(&["n", "name"], &fields).unwrap();
    assert_eq!(m["name"], Value::from("x"));
    // A single column deserializes into a plain value.
    let one = encode(&Value::List(vec![Value::from(42)]), Dialect::BOLT_5);
    assert_eq!(from_record::<_, i64>(&["x"], &one).unwrap(), 42);
    // But not when there are several.
    assert!(from_record::<_, i64>(&["n", "name"], &fields).is_err());
    // Keys and fields must agree.
    assert!(from_record::<_, Row>(&["n"], &fields).is_err());
}

#[test]
fn a_node_column_deserializes_into_a_struct_field() {
    #[derive(Debug, Deserialize)]
    struct Row {
        p: Node<Person>,
        friend: Person,
    }
    let fields = encode(
        &Value::List(vec![Value::Node(person_node()), Value::Node(person_node())]),
        Dialect::BOLT_5,
    );
    let row: Row = from_record(&["p", "friend"], &fields).unwrap();
    assert_eq!(row.p.labels.len(), 2);
    assert_eq!(row.friend, alice());
}

fn all_structures() -> Vec<Value> {
    vec![
        Value::Date(Date { days: -719_162 }),
        Value::Time(Time {
            nanoseconds: 3_600_000_000_123,
            tz_offset_seconds: -5 * 3600,
        }),
        Value::LocalTime(LocalTime { nanoseconds: 1 }),
        Value::DateTime(DateTime {
            seconds: 1_700_000_000,
            nanoseconds: 999_999_999,
            tz_offset_seconds: 3600,
        }),
        Value::DateTimeZoneId(DateTimeZoneId {
            seconds: -1,
            nanoseconds: 0,
            tz_id: "Europe/Stockholm".into(),
            basis: TimeBasis::Utc,
        }),
        Value::LocalDateTime(LocalDateTime {
            seconds: 0,
            nanoseconds: 5,
        }),
        Value::Duration(Duration {
            months: 14,
            days: -3,
            seconds: 70,
            nanoseconds: 1,
        }),
        Value::Point2D(Point2D {
            srid: 7203,
            x: 1.5,
            y: -2.0,
        }),
        Value::Point3D(Point3D {
            srid: 4979,
            x: 1.0,
            y: 2.0,
            z: 3.0,
        }),
        Value::Vector(Vector::F32(vec![0.5, -1.0])),
        Value::Vector(Vector::I16(vec![1, -2, 300])),
        Value::Node(person_node()),
        Value::Path(Path {
            nodes: vec![person_node()],
            relationships: vec![],
            indices: vec![],
        }),
    ]
}

#[test]
fn structures_serialize_exactly_as_the_value_codec_writes_them() {
    let utc_with_vectors = Dialect {
        vectors: true,
        ..Dialect::BOLT_4_4_UTC
    };
    for dialect in [Dialect::BOLT_6, utc_with_vectors] {
        for v in all_structures() {
            let mut buf = BytesMut::new();
            to_buf(&v, &mut buf, dialect).unwrap();
            assert_eq!(&buf[..], &encode(&v, dialect)[..], "{v:?} in {dialect:?}");
        }
    }
}

#[test]
fn legacy_dialect_rewrites_date_times_and_drops_element_ids() {
    let dt = Value::DateTime(DateTime {
        seconds: 1000,
        nanoseconds: 1,
        tz_offset_seconds: -7200,
    });
    let mut buf = BytesMut::new();
    to_buf(&dt, &mut buf, Dialect::BOLT_4_4).unwrap();
    assert_eq!(&buf[..], &encode(&dt, Dialect::BOLT_4_4)[..]);
    assert_eq!(buf[1], 0x46, "legacy DateTime tag");
    assert_eq!(Value::decode_slice(&buf).unwrap(), dt);

    let node = Value::Node(person_node());
    let mut buf = BytesMut::new();
    to_buf(&node, &mut buf, Dialect::BOLT_4_4).unwrap();
    assert_eq!(&buf[..], &encode(&node, Dialect::BOLT_4_4)[..]);
    assert_eq!(buf[0], 0xB3, "three fields without element id");

    let zoned = DateTimeZoneId {
        seconds: 1,
        nanoseconds: 0,
        tz_id: "UTC".into(),
        basis: TimeBasis::Utc,
    };
    assert!(to_buf(&zoned, &mut BytesMut::new(), Dialect::BOLT_4_4).is_err());
}

#[test]
fn typed_structures_round_trip_through_serde() {
    fn check<T>(v: T)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let bytes = to_bytes(&v).unwrap();
        assert_eq!(from_slice::<T>(&bytes).unwrap(), v);
    }
    check(Date { days: 19_000 });
    check(Time {
        nanoseconds: 10,
        tz_offset_seconds: 60,
    });
    check(LocalTime {
        nanoseconds: 86_399_999_999_999,
    });
    check(DateTime {
        seconds: -5,
        nanoseconds: 7,
        tz_offset_seconds: 0,
    });
    check(LocalDateTime {
        seconds: 10,
        nanoseconds: 0,
    });
    check(Duration::default());
    check(Point2D {
        srid: 4326,
        x: 12.5,
        y: 55.6,
    });
    check(Vector::I64(vec![i64::MIN, 0, i64::MAX]));
    check(Vector::F64(vec![]));
    check(person_node());
    check(Some(Date { days: 1 }));
    check(None::<Date>);
    for v in all_structures() {
        check(v);
    }
}

#[test]
fn a_structure_of_the_wrong_kind_is_an_error() {
    let bytes = encode(&Value::Date(Date { days: 1 }), Dialect::BOLT_5);
    let err = from_slice::<LocalTime>(&bytes).unwrap_err();
    assert!(err.to_string().contains("LocalTime"), "{err}");
    let invalid_nanos = [0xB3, 0x49, 0x01, 0xCA, 0x3B, 0x9A, 0xCA, 0x00, 0x00];
    assert!(from_slice::<DateTime>(&invalid_nanos).is_err());
}

#[test]
fn values_deserialize_exactly_through_serde() {
    let mut m = Map::new();
    m.insert("when".into(), Value::Date(Date { days: 3 }));
    m.insert("list".into(), Value::List(all_structures()));
    m.insert("bytes".into(), Value::from(vec![0u8, 255]));
    let v = Value::Map(m);
    let bytes = encode(&v, Dialect::BOLT_6);
    assert_eq!(from_slice::<Value>(&bytes).unwrap(), v);
    let hm: HashMap<String, Value> = from_slice(&bytes).unwrap();
    assert_eq!(hm["when"], Value::Date(Date { days: 3 }));
    assert_eq!(from_value::<HashMap<String, Value>>(&v).unwrap(), hm);
}

#[test]
fn enums_use_names_and_single_entry_maps() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Empty,
        Circle(f64),
        Rect { w: i64, h: i64 },
        Pair(i64, i64),
    }
    for s in [
        Shape::Empty,
        Shape::Circle(1.5),
        Shape::Rect { w: 2, h: 3 },
        Shape::Pair(4, 5),
    ] {
        let bytes = to_bytes(&s).unwrap();
        assert_eq!(from_slice::<Shape>(&bytes).unwrap(), s);
    }
    assert_eq!(
        Value::decode(&to_bytes(&Shape::Empty).unwrap()).unwrap(),
        Value::from("Empty")
    );
}

#[test]
fn sequences_of_unknown_length_get_the_right_header() {
    struct Evens(u32);
    impl Serialize for Evens {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            // `filter` gives no exact length, so the header is written last.
            s.collect_seq((0..self.0).filter(|i| i % 2 == 0))
        }
    }
    for n in [0u32, 10, 40, 600] {
        let bytes = to_bytes(&Evens(n)).unwrap();
        let expected: Vec<i64> = (0..i64::from(n)).filter(|i| i % 2 == 0).collect();
        assert_eq!(from_slice::<Vec<i64>>(&bytes).unwrap(), expected);
    }
    #[derive(Serialize)]
    struct Flat {
        a: i64,
        #[serde(flatten)]
        rest: BTreeMap<String, i64>,
    }
    let mut rest = BTreeMap::new();
    rest.insert("b".to_owned(), 2);
    let bytes = to_bytes(&Flat { a: 1, rest }).unwrap();
    let back: BTreeMap<String, i64> = from_slice(&bytes).unwrap();
    assert_eq!(back.len(), 2);
}

#[test]
fn unrepresentable_values_are_errors() {
    assert!(to_bytes(&u64::MAX).is_err());
    assert!(to_bytes(&(i64::MAX as u64)).is_ok());
    let mut m = HashMap::new();
    m.insert(1, 2);
    assert!(to_bytes(&m).is_err(), "non-string keys");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let bytes = to_bytes(&alice()).unwrap();
    for cut in 0..bytes.len() {
        assert!(from_slice::<Person>(&bytes[..cut]).is_err());
    }
    let mut extra = bytes.to_vec();
    extra.push(0x01);
    assert!(from_slice::<Person>(&extra).is_err());
    // Too many items for a tuple.
    let three = to_bytes(&(1, 2, 3)).unwrap();
    assert!(from_slice::<(i64, i64)>(&three).is_err());
    // Deep nesting hits the depth limit rather than the stack.
    let mut deep = vec![0x91u8; 10_000];
    deep.push(0x01);
    assert!(from_slice::<Value>(&deep).is_err());
    assert!(from_slice::<serde::de::IgnoredAny>(&deep).is_err());
}

#[test]
fn out_of_range_nanoseconds_are_refused_on_both_paths() {
    let bad = DateTime {
        seconds: 0,
        nanoseconds: 1_000_000_000,
        tz_offset_seconds: 0,
    };
    assert!(to_bytes(&bad).is_err());
    assert!(Value::DateTime(bad).to_bytes(Dialect::BOLT_5).is_err());
    let bad = LocalDateTime {
        seconds: 0,
        nanoseconds: u32::MAX,
    };
    assert!(to_bytes(&bad).is_err());
    assert!(Value::LocalDateTime(bad).to_bytes(Dialect::BOLT_5).is_err());
}

#[test]
fn vectors_deserialize_into_vecs_of_numbers() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Embeddings {
        f32s: Vec<f32>,
        f64s: Vec<f64>,
        i8s: Vec<i8>,
        i16s: Vec<i16>,
        i32s: Vec<i32>,
        i64s: Vec<i64>,
        // A narrower vector into a wider element type.
        widened: Vec<f64>,
        // The vector itself still decodes as such.
        itself: Vector,
    }
    let mut m = Map::new();
    let mut put = |k: &str, v: Vector| m.insert(k.into(), Value::Vector(v));
    put("f32s", Vector::F32(vec![0.5, -1.0]));
    put("f64s", Vector::F64(vec![1e300]));
    put("i8s", Vector::I8(vec![-128, 127]));
    put("i16s", Vector::I16(vec![300]));
    put("i32s", Vector::I32(vec![-70000]));
    put("i64s", Vector::I64(vec![i64::MAX]));
    put("widened", Vector::F32(vec![0.25]));
    put("itself", Vector::I8(vec![1, 2]));
    let bytes = encode(&Value::Map(m), Dialect::BOLT_6);
    let e: Embeddings = from_slice(&bytes).unwrap();
    assert_eq!(
        e,
        Embeddings {
            f32s: vec![0.5, -1.0],
            f64s: vec![1e300],
            i8s: vec![-128, 127],
            i16s: vec![300],
            i32s: vec![-70000],
            i64s: vec![i64::MAX],
            widened: vec![0.25],
            itself: Vector::I8(vec![1, 2]),
        }
    );
    // An element that does not fit the field is an error, not a wrap.
    let bytes = encode(&Value::Vector(Vector::I16(vec![300])), Dialect::BOLT_6);
    assert!(matches!(
        from_slice::<Vec<i8>>(&bytes),
        Err(boltline_packstream::Error::Custom(msg)) if msg.contains("300")
    ));
}
