//! boltline-ogm's destructive schema operations against a real Neo4j:
//! `drop_indexes`, `drop_constraints` and `remove_all_labels` clear the
//! whole database's schema, so they live in this test binary of their own
//! (cargo runs test binaries one after another) with a single test, and
//! never race the other OGM tests' `install_labels`. Its models are the
//! only ones of the binary, so `install_all_labels` installs exactly them.

use boltline::{AuthToken, Value};
use boltline_itests::server;
use boltline_ogm::prelude::*;
use boltline_ogm::{Map, ModelSchema};

fn db() -> Database {
    let s = server();
    Database::connect(s.uri(), AuthToken::basic(s.user(), s.password()))
        .expect("driver")
        .with_database("neo4j")
}

#[derive(Node, Debug)]
#[ogm(label = "OgmItDropA")]
struct DropA {
    id: ElementId,
    #[ogm(unique)]
    code: String,
    #[ogm(index)]
    rank: Option<i64>,
    #[ogm(fulltext)]
    text: Option<String>,
}

#[derive(Node, Debug)]
#[ogm(label = "OgmItDropB")]
struct DropB {
    id: ElementId,
    #[ogm(unique)]
    key: String,
    #[ogm(index)]
    group: Option<String>,
}

fn names(list: &[Map]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .filter_map(|m| m.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    v.sort();
    v
}

fn types(list: &[Map]) -> Vec<String> {
    list.iter()
        .filter_map(|m| m.get("type").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn drop_indexes_then_constraints_then_remove_all_labels() {
    let db = db();
    // The derive registered this binary's two models: one call, none
    // listed, installs both (neomodel's `install_all_labels`).
    let registered: Vec<&str> = ModelSchema::registered().iter().map(|m| m.model).collect();
    assert_eq!(registered, ["DropA", "DropB"]);
    db.install_all_labels().await.unwrap();
    let constraints = names(&db.list_constraints().await.unwrap());
    for c in ["OgmItDropA_code_unique", "OgmItDropB_key_unique"] {
        assert!(constraints.contains(&c.to_owned()), "{constraints:?}");
    }
    let indexes = names(&db.list_indexes(true).await.unwrap());
    for i in [
        "OgmItDropA_rank_index",
        "OgmItDropA_text_fulltext",
        "OgmItDropB_group_index",
        // The index behind a uniqueness constraint has the constraint's name.
        "OgmItDropA_code_unique",
    ] {
        assert!(indexes.contains(&i.to_owned()), "{indexes:?}");
    }
    let with_lookup = db.list_indexes(false).await.unwrap();
    assert!(
        types(&with_lookup).iter().any(|t| t == "LOOKUP"),
        "the built-in token lookup indexes are listed unless excluded"
    );

    // drop_indexes: the plain ones go; constraints and their indexes stay,
    // and so do the token lookup indexes.
    db.drop_indexes().await.unwrap();
    let indexes = db.list_indexes(true).await.unwrap();
    assert!(
        indexes
            .iter()
            .all(|m| m.get("owningConstraint").is_some_and(|v| !v.is_null())),
        "only constraint-backed indexes are left: {:?}",
        names(&indexes)
    );
    assert_eq!(
        names(&db.list_constraints().await.unwrap()),
        constraints,
        "drop_indexes leaves constraints alone"
    );
    assert!(types(&db.list_indexes(false).await.unwrap())
        .iter()
        .any(|t| t == "LOOKUP"));

    // drop_constraints: none left, and their indexes went with them.
    db.drop_constraints().await.unwrap();
    assert_eq!(
        names(&db.list_constraints().await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&db.list_indexes(true).await.unwrap()),
        Vec::<String>::new()
    );

    // Installing again works (nothing stale left), then remove_all_labels
    // clears both kinds in one call; a second call has nothing to do.
    db.install_labels::<DropA>().await.unwrap();
    db.install_labels::<DropB>().await.unwrap();
    assert_eq!(db.list_constraints().await.unwrap().len(), 2);
    assert_eq!(db.list_indexes(true).await.unwrap().len(), 5);
    db.remove_all_labels().await.unwrap();
    assert!(db.list_constraints().await.unwrap().is_empty());
    assert!(db.list_indexes(true).await.unwrap().is_empty());
    db.remove_all_labels().await.unwrap();
    assert!(types(&db.list_indexes(false).await.unwrap())
        .iter()
        .all(|t| t == "LOOKUP"));
}
