//! serde benchmarks: records decoded straight into user structs (no `Value`
//! tree) and parameters encoded from structs. Each record is a RECORD field
//! list in its own slice, as the Bolt layer hands them over after
//! de-chunking.
//!
//! `cargo bench -p boltline-packstream --bench serde`

#![allow(missing_docs)]

use std::hint::black_box;
use std::ops::Range;

use boltline_packstream::{from_record, from_slice, to_buf, Dialect, Map, Node, Value};
use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde::{Deserialize, Serialize};

/// Many encoded records back to back, and where each one is.
struct Records {
    buf: Vec<u8>,
    spans: Vec<Range<usize>>,
}

impl Records {
    fn new(n: usize, mut record: impl FnMut(usize) -> Value) -> Records {
        let mut buf = BytesMut::new();
        let mut spans = Vec::with_capacity(n);
        for i in 0..n {
            let start = buf.len();
            Value::List(vec![record(i)])
                .encode(&mut buf, Dialect::BOLT_5)
                .expect("encodable");
            spans.push(start..buf.len());
        }
        Records {
            buf: buf.to_vec(),
            spans,
        }
    }

    fn many(n: usize, mut fields: impl FnMut(usize) -> Vec<Value>) -> Records {
        let mut buf = BytesMut::new();
        let mut spans = Vec::with_capacity(n);
        for i in 0..n {
            let start = buf.len();
            Value::List(fields(i))
                .encode(&mut buf, Dialect::BOLT_5)
                .expect("encodable");
            spans.push(start..buf.len());
        }
        Records {
            buf: buf.to_vec(),
            spans,
        }
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.spans.iter().map(|s| &self.buf[s.clone()])
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct IntRow {
    n: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct StringRow {
    a: String,
    b: String,
    c: String,
    d: String,
    e: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BorrowedStringRow<'a> {
    a: &'a str,
    b: &'a str,
    c: &'a str,
    d: &'a str,
    e: &'a str,
}

#[derive(Debug, Serialize, Deserialize)]
struct Person {
    name: String,
    age: i64,
    score: f64,
    active: bool,
}

#[derive(Debug, Deserialize)]
struct NodeRow {
    p: Node<Person>,
}

#[derive(Debug, Deserialize)]
struct PropsRow {
    p: Person,
}

fn person_node(i: usize) -> Value {
    let mut props = Map::new();
    props.insert("name".into(), Value::from(format!("person-{i}")));
    props.insert("age".into(), Value::from((i % 90) as i64));
    props.insert("score".into(), Value::from(i as f64 * 0.5));
    props.insert("active".into(), Value::from(i.is_multiple_of(2)));
    Value::Node(Node {
        id: i as i64,
        labels: vec!["Person".into()],
        properties: props,
        element_id: Some(format!("4:5e7c2a10-0b55-4f0a-9d0e-3c1f2a7b9d11:{i}")),
    })
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("serde_decode");
    g.sample_size(20);

    let ints = Records::new(1_000_000, |i| Value::from(i as i64));
    g.throughput(Throughput::Elements(ints.spans.len() as u64));
    g.bench_function("a_1M_int_records_into_struct", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for r in ints.iter() {
                let row: IntRow = from_record(&["n"], r).expect("decodes");
                sum = sum.wrapping_add(row.n);
            }
            black_box(sum)
        })
    });

    let strings = Records::many(200_000, |i| {
        (0..5).map(|k| Value::from(format!("s{k}-{i}"))).collect()
    });
    const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];
    g.throughput(Throughput::Elements(strings.spans.len() as u64));
    g.bench_function("b_5_string_records_into_owned_struct", |b| {
        b.iter(|| {
            for r in strings.iter() {
                let row: StringRow = from_record(&KEYS, r).expect("decodes");
                black_box(row);
            }
        })
    });
    g.bench_function("b_5_string_records_into_borrowed_struct", |b| {
        b.iter(|| {
            for r in strings.iter() {
                let row: BorrowedStringRow = from_record(&KEYS, r).expect("decodes");
                black_box(row);
            }
        })
    });

    let nodes = Records::new(200_000, person_node);
    g.throughput(Throughput::Elements(nodes.spans.len() as u64));
    g.bench_function("c_node_records_into_node_of_struct", |b| {
        b.iter(|| {
            for r in nodes.iter() {
                let row: NodeRow = from_record(&["p"], r).expect("decodes");
                black_box(row.p);
            }
        })
    });

    g.bench_function("c_node_records_into_struct_from_properties", |b| {
        b.iter(|| {
            for r in nodes.iter() {
                let row: PropsRow = from_record(&["p"], r).expect("decodes");
                black_box(row.p);
            }
        })
    });

    let list: Vec<u8> = Value::List((0..100_000i64).map(Value::from).collect())
        .to_bytes(Dialect::BOLT_5)
        .expect("encodable")
        .to_vec();
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("d_list_of_100k_ints_into_vec", |b| {
        b.iter(|| black_box(from_slice::<Vec<i64>>(&list).expect("decodes")))
    });
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("serde_encode");
    g.sample_size(20);

    let rows: Vec<IntRow> = (0..1_000_000).map(|n| IntRow { n }).collect();
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("a_1M_int_structs", |b| {
        b.iter_batched_ref(
            || BytesMut::with_capacity(8 << 20),
            |buf| {
                for r in &rows {
                    to_buf(r, buf, Dialect::BOLT_5).expect("encodes");
                }
            },
            BatchSize::LargeInput,
        )
    });

    let rows: Vec<StringRow> = (0..200_000)
        .map(|i| StringRow {
            a: format!("s0-{i}"),
            b: format!("s1-{i}"),
            c: format!("s2-{i}"),
            d: format!("s3-{i}"),
            e: format!("s4-{i}"),
        })
        .collect();
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("b_5_string_structs", |b| {
        b.iter_batched_ref(
            || BytesMut::with_capacity(8 << 20),
            |buf| {
                for r in &rows {
                    to_buf(r, buf, Dialect::BOLT_5).expect("encodes");
                }
            },
            BatchSize::LargeInput,
        )
    });

    let people: Vec<Person> = (0..200_000usize)
        .map(|i| Person {
            name: format!("person-{i}"),
            age: (i % 90) as i64,
            score: i as f64 * 0.5,
            active: i.is_multiple_of(2),
        })
        .collect();
    g.throughput(Throughput::Elements(people.len() as u64));
    g.bench_function("c_4_property_structs", |b| {
        b.iter_batched_ref(
            || BytesMut::with_capacity(16 << 20),
            |buf| {
                for p in &people {
                    to_buf(p, buf, Dialect::BOLT_5).expect("encodes");
                }
            },
            BatchSize::LargeInput,
        )
    });

    let list: Vec<i64> = (0..100_000).collect();
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("d_vec_of_100k_ints", |b| {
        b.iter_batched_ref(
            || BytesMut::with_capacity(1 << 20),
            |buf| to_buf(&list, buf, Dialect::BOLT_5).expect("encodes"),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
