//! boltline-ogm and vector indexes against a real Neo4j: a model with a
//! vector property, `install_labels` creating its vector index, and a
//! nearest-neighbour query through the OGM returning the models in order.
//!
//! The embedding is a `Vec<f64>`, stored as a list of floats: vector indexes
//! cover those on Neo4j 5.26 and 2025.x alike, and Community servers cannot
//! store native vector properties (see `vectors.rs`), so this runs the same
//! on both servers.

use boltline::{Query, Value};
use boltline_itests::{ogm_db as db, unique_tag};
use boltline_ogm::cypher::SchemaStatement;
use boltline_ogm::prelude::*;

const INDEX: &str = "OgmItDoc_embedding_vector";

fn tag() -> String {
    unique_tag("ogmvec")
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "OgmItDoc")]
struct Doc {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(vector(dimensions = 3, similarity = "euclidean"))]
    embedding: Vec<f64>,
}

#[tokio::test]
async fn install_labels_creates_a_vector_index_and_nearest_neighbours_come_in_order() {
    let db = db();
    let t = tag();
    db.install_labels::<Doc>().await.unwrap();
    let indexes = db.list_indexes(true).await.unwrap();
    let index = indexes
        .iter()
        .find(|m| m.get("name").and_then(Value::as_str) == Some(INDEX))
        .unwrap_or_else(|| panic!("no {INDEX} in {indexes:?}"));
    assert_eq!(index.get("type").and_then(Value::as_str), Some("VECTOR"));
    assert_eq!(
        index.get("properties"),
        Some(&Value::List(vec![Value::from("embedding")]))
    );

    // Saved in an order unrelated to their distance from [1, 0, 0]; well
    // apart, as the index may quantize (its scores are approximate), and
    // non-negative, which quantization keeps best.
    for (name, embedding) in [
        ("far", vec![0.0, 1.0, 1.0]),
        ("exact", vec![1.0, 0.0, 0.0]),
        ("side", vec![0.5, 0.5, 0.0]),
        ("near", vec![0.9, 0.1, 0.0]),
    ] {
        let mut doc = Doc {
            id: ElementId::unsaved(),
            tag: t.clone(),
            name: name.into(),
            embedding,
        };
        doc.save(&db).await.unwrap();
    }
    // The index fills in the background.
    db.cypher_query("CALL db.awaitIndexes(120)").await.unwrap();

    let nearest: Vec<Doc> = db
        .cypher_query_as(
            Query::new(
                "CALL db.index.vector.queryNodes($index, 100, $q) YIELD node, score \
                 WHERE node.tag = $tag \
                 RETURN node ORDER BY score DESC",
            )
            .param("index", INDEX)
            .param("q", Value::List(vec![1.0.into(), 0.0.into(), 0.0.into()]))
            .param("tag", t.as_str()),
            "node",
        )
        .await
        .unwrap();
    let names: Vec<&str> = nearest.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["exact", "near", "side", "far"]);
    assert_eq!(nearest[1].embedding, vec![0.9, 0.1, 0.0]);

    db.cypher_query(Query::new("MATCH (n:OgmItDoc) WHERE n.tag = $tag DELETE n").param("tag", t))
        .await
        .unwrap();
    db.cypher_query(
        SchemaStatement::DropIndex(INDEX.into())
            .render()
            .into_query(),
    )
    .await
    .unwrap();
}
