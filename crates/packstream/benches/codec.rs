//! Criterion benchmarks of the PackStream codec through the dynamic `Value`.
//!
//! Each case is a function that builds its input: the values and their
//! Bolt 5 encoding, back to back (see [`Case`]). A record is the field list
//! of a RECORD message body, i.e. one PackStream list. Serde benchmarks can
//! reuse the same inputs next to `bench_value`.
//!
//! Every case is measured twice per direction, once per throughput unit, so
//! criterion reports both elements/s and bytes/s.

use std::hint::black_box;
use std::time::Duration;

use boltline_packstream::bytes::{Bytes, BytesMut};
use boltline_packstream::{Dialect, Map, Node, Unpacker, Value};
use criterion::{criterion_main, Criterion, SamplingMode, Throughput};

/// One benchmark input.
struct Case {
    /// Group name in criterion's report.
    name: &'static str,
    /// The values encoded back to back (records, or one big list).
    values: Vec<Value>,
    /// What one iteration processes, for `Throughput::Elements`: records,
    /// or the items of the one list.
    elements: u64,
    /// `values` encoded with `Dialect::BOLT_5`, back to back.
    encoded: Bytes,
}

impl Case {
    fn new(name: &'static str, values: Vec<Value>, elements: u64) -> Case {
        let mut buf = BytesMut::new();
        encode_all(&values, &mut buf);
        Case {
            name,
            values,
            elements,
            encoded: buf.freeze(),
        }
    }
}

/// (a) 1M records holding one integer each: `[id]`.
fn int_records(n: i64) -> Case {
    let values = (0..n)
        .map(|i| Value::List(vec![Value::Integer(i)]))
        .collect();
    Case::new("int_records_1m", values, n.unsigned_abs())
}

/// (b) Records of five short strings.
fn string_records(n: usize) -> Case {
    let values = (0..n)
        .map(|i| {
            Value::List(vec![
                Value::String(format!("user-{i}")),
                Value::from("Ada"),
                Value::from("Lovelace"),
                Value::from("London"),
                Value::String(format!("{i:08x}")),
            ])
        })
        .collect();
    Case::new("string5_records_100k", values, n as u64)
}

/// (c) Records of one node with four properties, Bolt 5 form (element id).
fn node_records(n: i64) -> Case {
    let values = (0..n)
        .map(|i| {
            let properties: Map = [
                ("name", Value::String(format!("person {i}"))),
                ("age", Value::Integer(20 + i % 60)),
                ("score", Value::Float(i as f64 * 0.5)),
                ("active", Value::Boolean(i % 2 == 0)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            Value::List(vec![Value::Node(Node {
                id: i,
                labels: vec!["Person".to_owned()],
                properties,
                element_id: Some(format!("4:0f5b6c1e-7a52-4b0e-9d2e-3c8f1a6b9e01:{i}")),
            })])
        })
        .collect();
    Case::new("node_records_100k", values, n.unsigned_abs())
}

/// (d) One list of 100k integers.
fn int_list(n: i64) -> Case {
    let list = Value::List((0..n).map(Value::Integer).collect());
    Case::new("int_list_100k", vec![list], n.unsigned_abs())
}

fn encode_all(values: &[Value], buf: &mut BytesMut) {
    for v in values {
        v.encode(buf, Dialect::BOLT_5).expect("encodable");
    }
}

fn decode_all(input: &Bytes) -> usize {
    let mut u = Unpacker::from_bytes(input);
    let mut n = 0;
    while !u.is_empty() {
        black_box(u.read_value().expect("decodable"));
        n += 1;
    }
    n
}

/// Encode and decode through `Value`, reported per element and per byte.
fn bench_value(c: &mut Criterion, case: &Case) {
    let mut group = c.benchmark_group(case.name);
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let len = case.encoded.len() as u64;
    for (unit, throughput) in [
        ("elements", Throughput::Elements(case.elements)),
        ("bytes", Throughput::Bytes(len)),
    ] {
        group.throughput(throughput);
        let mut buf = BytesMut::with_capacity(case.encoded.len());
        group.bench_function(format!("encode/{unit}"), |b| {
            b.iter(|| {
                buf.clear();
                encode_all(black_box(&case.values), &mut buf);
                black_box(buf.len())
            })
        });
        group.bench_function(format!("decode/{unit}"), |b| {
            b.iter(|| decode_all(black_box(&case.encoded)))
        });
    }
    group.finish();
}

fn codec(c: &mut Criterion) {
    for case in [
        int_records(1_000_000),
        string_records(100_000),
        node_records(100_000),
        int_list(100_000),
    ] {
        // Sanity: the input decodes to what was encoded.
        assert_eq!(decode_all(&case.encoded), case.values.len());
        eprintln!(
            "{}: {} value(s), {} element(s), {} bytes",
            case.name,
            case.values.len(),
            case.elements,
            case.encoded.len()
        );
        bench_value(c, &case);
    }
}

/// The benchmark group (what `criterion_group!` would generate, with docs).
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    codec(&mut c);
}

criterion_main!(benches);
