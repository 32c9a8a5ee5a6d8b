//! The codec on its own: query parameters out through serde, a server's
//! RECORD back into a user struct, and a hostile length refused.
//!
//! Run with `cargo run -p boltline-packstream --example codec_demo`.

use boltline_packstream::{from_record, to_bytes, Date, Dialect, Map, Node, Value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Book {
    title: String,
    year: i64,
    tags: Vec<String>,
    published: Option<Date>,
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> Result<(), boltline_packstream::Error> {
    // 1. Parameters: any Serialize value encodes straight to PackStream.
    let params = Book {
        title: "Dune".into(),
        year: 1965,
        tags: vec!["sf".into()],
        published: Some(Date { days: -1_614 }),
    };
    let encoded = to_bytes(&params)?;
    println!("parameters ({} bytes): {}", encoded.len(), hex(&encoded));

    // 2. A record as a server sends it: one column `b` holding a node.
    let mut props = Map::new();
    props.insert("title".into(), Value::from("Dune"));
    props.insert("year".into(), Value::from(1965));
    props.insert("tags".into(), Value::List(vec![Value::from("sf")]));
    props.insert("published".into(), Value::Null);
    let node = Node {
        id: 1,
        labels: vec!["Book".into()],
        properties: props,
        element_id: Some("4:demo:1".into()),
    };
    let record = Value::List(vec![Value::Node(node)]).to_bytes(Dialect::BOLT_5)?;
    println!("record     ({} bytes): {}", record.len(), hex(&record));

    #[derive(Debug, Deserialize)]
    struct Row {
        b: Node<Book>,
    }
    let row: Row = from_record(&["b"], &record)?;
    println!(
        "decoded    {:?} labels={:?} element_id={:?}",
        row.b.properties, row.b.labels, row.b.element_id
    );

    // 3. Hostile input: a string claiming 4 GiB inside 10 bytes.
    let hostile = [0xD2, 0xFF, 0xFF, 0xFF, 0xFF, b'a', b'b', b'c', b'd', b'e'];
    match Value::decode_slice(&hostile) {
        Err(e) => println!("hostile    refused: {e}"),
        Ok(v) => println!("hostile    unexpectedly decoded: {v:?}"),
    }
    Ok(())
}
