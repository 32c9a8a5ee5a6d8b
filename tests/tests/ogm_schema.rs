//! boltline-ogm schema against a real Neo4j: `install_labels` creates the
//! declared constraints and indexes idempotently (checked with SHOW
//! CONSTRAINTS / SHOW INDEXES), uniqueness violations surface as
//! `UniqueProperty`, and concurrent `get_or_create`s on a unique key make
//! one node.
//!
//! The server is shared, so the test touches only its own label's
//! constraints and indexes (dropping them by name at the end), never
//! `drop_constraints`/`remove_all_labels`, which clear the whole database.

use boltline::{Query, Value};
use boltline_itests::{ogm_db as db, unique_tag};
use boltline_ogm::cypher::SchemaStatement;
use boltline_ogm::prelude::*;
use boltline_ogm::{Email, Error, ModelSchema};

fn tag() -> String {
    unique_tag("ogm")
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "OgmItAccount")]
struct Account {
    id: ElementId,
    #[ogm(unique)]
    email: Email,
    #[ogm(index)]
    tag: String,
    #[ogm(fulltext)]
    bio: Option<String>,
    #[ogm(vector(dimensions = 3, similarity = "euclidean"))]
    embedding: Option<Vec<f64>>,
}

fn account(tag: &str, email: &str) -> Account {
    Account {
        id: ElementId::unsaved(),
        email: Email::new(format!("{email}.{tag}.org")).unwrap(),
        tag: tag.into(),
        bio: None,
        embedding: Some(vec![0.5, 1.0, 2.0]),
    }
}

fn names(list: &[boltline::Map]) -> Vec<String> {
    list.iter()
        .filter_map(|m| m.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The entry of `list` (SHOW INDEXES or SHOW CONSTRAINTS) called `name`.
fn find_named<'a>(list: &'a [boltline::Map], name: &str) -> Option<&'a boltline::Map> {
    list.iter()
        .find(|m| m.get("name").and_then(Value::as_str) == Some(name))
}

/// The entry of `list` called `name`; panics naming the `what`s there are.
#[track_caller]
fn named<'a>(list: &'a [boltline::Map], name: &str, what: &str) -> &'a boltline::Map {
    find_named(list, name).unwrap_or_else(|| panic!("{what} missing: {:?}", names(list)))
}

#[tokio::test]
async fn install_labels_unique_and_concurrent_get_or_create() {
    let db = db();
    let t = tag();
    // Twice: IF NOT EXISTS makes it idempotent.
    db.install_labels::<Account>().await.unwrap();
    db.install_models(&[ModelSchema::of::<Account>()])
        .await
        .unwrap();

    let constraints = db.list_constraints().await.unwrap();
    let c = named(&constraints, "OgmItAccount_email_unique", "constraint");
    assert_eq!(c.get("type").and_then(Value::as_str), Some("UNIQUENESS"));
    assert_eq!(
        c.get("labelsOrTypes"),
        Some(&Value::List(vec![Value::from("OgmItAccount")]))
    );
    assert_eq!(
        c.get("properties"),
        Some(&Value::List(vec![Value::from("email")]))
    );
    let indexes = db.list_indexes(true).await.unwrap();
    let idx = names(&indexes);
    assert!(
        idx.contains(&"OgmItAccount_tag_index".to_owned()),
        "{idx:?}"
    );
    assert!(
        idx.contains(&"OgmItAccount_bio_fulltext".to_owned()),
        "{idx:?}"
    );
    assert!(
        indexes
            .iter()
            .all(|m| m.get("type").and_then(Value::as_str) != Some("LOOKUP")),
        "token lookup indexes are excluded"
    );
    let vector = find_named(&indexes, "OgmItAccount_embedding_vector")
        .and_then(|m| m.get("type").and_then(Value::as_str).map(str::to_owned));
    assert_eq!(vector.as_deref(), Some("VECTOR"));
    let fulltext = find_named(&indexes, "OgmItAccount_bio_fulltext")
        .and_then(|m| m.get("type").and_then(Value::as_str).map(str::to_owned));
    assert_eq!(fulltext.as_deref(), Some("FULLTEXT"));
    assert_eq!(
        names(&db.list_constraints().await.unwrap())
            .iter()
            .filter(|n| n.starts_with("OgmItAccount_"))
            .count(),
        1,
        "installing twice made no second constraint"
    );

    // The constraint refuses a duplicate: UniqueProperty.
    let mut a = account(&t, "a@x");
    a.save(&db).await.unwrap();
    let mut dup = account(&t, "a@x");
    let err = dup.save(&db).await.unwrap_err();
    assert!(matches!(err, Error::UniqueProperty { .. }), "{err:?}");
    assert!(dup.element_id().is_none());
    let found = Account::nodes()
        .filter(Account::email().endswith(format!(".{t}.org")))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(found.email, a.email);
    assert_eq!(found.embedding, Some(vec![0.5, 1.0, 2.0]));

    // Concurrent get_or_create on one unique key: one node, one id for all.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            let t = t.clone();
            tokio::spawn(async move {
                Account::get_or_create(vec![account(&t, "race@x")], &db)
                    .await
                    .map(|mut v| v.remove(0))
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        let acc = task.await.unwrap().unwrap();
        ids.push(acc.element_id().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        Account::nodes()
            .filter(Account::tag().exact(t.clone()))
            .count(&db)
            .await
            .unwrap(),
        2
    );

    db.cypher_query(
        Query::new("MATCH (n:OgmItAccount) WHERE n.tag = $tag DETACH DELETE n").param("tag", t),
    )
    .await
    .unwrap();
    for st in [
        SchemaStatement::DropConstraint("OgmItAccount_email_unique".into()),
        SchemaStatement::DropIndex("OgmItAccount_tag_index".into()),
        SchemaStatement::DropIndex("OgmItAccount_bio_fulltext".into()),
        SchemaStatement::DropIndex("OgmItAccount_embedding_vector".into()),
    ] {
        db.cypher_query(st.render().into_query()).await.unwrap();
    }
    let left = names(&db.list_indexes(true).await.unwrap());
    assert!(
        !left.iter().any(|n| n.starts_with("OgmItAccount_")),
        "{left:?}"
    );
}

#[derive(boltline_ogm::Relationship, Debug, Default)]
struct OgmItFollows {
    #[ogm(index)]
    since: Option<i64>,
    #[ogm(unique)]
    ref_code: Option<String>,
}

#[derive(Node, Debug)]
#[ogm(label = "OgmItFollower")]
struct Follower {
    id: ElementId,
    name: String,
    #[ogm(rel = "OGM_IT_FOLLOWS")]
    follows: Relation<Follower, ZeroOrMore, ZeroOrMore, OgmItFollows>,
}

#[tokio::test]
async fn install_labels_covers_relationship_properties() {
    let db = db();
    db.install_labels::<Follower>().await.unwrap();
    db.install_labels::<Follower>().await.unwrap();
    let indexes = db.list_indexes(true).await.unwrap();
    let since = named(&indexes, "OGM_IT_FOLLOWS_since_index", "index");
    assert_eq!(
        since.get("entityType").and_then(Value::as_str),
        Some("RELATIONSHIP")
    );
    assert_eq!(
        since.get("labelsOrTypes"),
        Some(&Value::List(vec![Value::from("OGM_IT_FOLLOWS")]))
    );
    let constraints = db.list_constraints().await.unwrap();
    let unique = named(&constraints, "OGM_IT_FOLLOWS_ref_code_unique", "constraint");
    assert_eq!(
        unique.get("type").and_then(Value::as_str),
        Some("RELATIONSHIP_UNIQUENESS")
    );
    for st in [
        SchemaStatement::DropConstraint("OGM_IT_FOLLOWS_ref_code_unique".into()),
        SchemaStatement::DropIndex("OGM_IT_FOLLOWS_since_index".into()),
    ] {
        db.cypher_query(st.render().into_query()).await.unwrap();
    }
}
