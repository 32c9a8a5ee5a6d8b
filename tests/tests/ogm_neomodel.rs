//! boltline-ogm reading and writing a graph in neomodel's storage formats:
//! a node written as neomodel writes it (raw Cypher, the values neomodel
//! stores) reads back exactly and, saved again, leaves every property
//! byte-identical.

use boltline::{Query, Value};
use boltline_itests::{ogm_db as db, unique_tag};
use boltline_ogm::neomodel::{
    DateProperty, DateTimeFormat, DateTimeFormatProperty, DateTimeProperty, JsonProperty,
    UniqueIdProperty,
};
use boltline_ogm::prelude::*;
use boltline_ogm::{Email, Map};

fn tag() -> String {
    unique_tag("ogm")
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Prefs {
    theme: String,
    langs: Vec<String>,
    ratio: f64,
}

/// `DateTimeFormatProperty(format="%d/%m/%Y %I:%M %p")`.
struct Clock;
impl DateTimeFormat for Clock {
    const FORMAT: &'static str = "%d/%m/%Y %I:%M %p";
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItNeoUser")]
struct User {
    id: ElementId,
    tag: String,
    uid: UniqueIdProperty,
    born: DateProperty,
    joined: DateTimeProperty,
    /// neomodel's default format, `"%Y-%m-%d"`.
    renewed: DateTimeFormatProperty,
    seen: DateTimeFormatProperty<Clock>,
    prefs: JsonProperty<Prefs>,
    nicknames: Vec<String>,
    email: Email,
    #[ogm(regex = "^[A-Z]{2}$")]
    country: String,
}

/// The properties as stored, by name.
async fn stored(db: &Database, t: &str) -> Map {
    let records = db
        .cypher_query(
            Query::new("MATCH (n:OgmItNeoUser {tag: $tag}) RETURN properties(n) AS p")
                .param("tag", t),
        )
        .await
        .unwrap();
    assert_eq!(records.records().len(), 1);
    match records.records()[0].get("p").unwrap() {
        Value::Map(m) => m,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_graph_in_neomodel_formats_reads_back_and_writes_back_identically() {
    let db = db();
    let t = tag();
    // What neomodel 5 stores for these values (json.dumps with its default
    // separators and ASCII escaping; the datetime as float epoch seconds).
    let prefs_text =
        r#"{"theme": "dark", "langs": ["fr", "\u00e9\u00e9", "\ud83d\ude00"], "ratio": 1e-05}"#;
    db.cypher_query(
        Query::new(
            "CREATE (n:OgmItNeoUser {tag: $tag, uid: $uid, born: $born, joined: $joined, \
             renewed: $renewed, seen: $seen, prefs: $prefs, nicknames: $nicknames, email: $email, country: $country})",
        )
        .param("tag", t.as_str())
        .param("uid", "67e5504410b1426f9247bb680e5fe0c8")
        .param("born", "2000-02-29")
        .param("joined", 1_709_210_096.789_012_f64)
        // `datetime.strftime` of 2024-03-01 and of 2024-02-29 13:05.
        .param("renewed", "2024-03-01")
        .param("seen", "29/02/2024 01:05 PM")
        .param("prefs", prefs_text)
        .param(
            "nicknames",
            Value::List(vec![Value::from("Al"), Value::from("Bert")]),
        )
        .param("email", "al@example.org")
        .param("country", "FR"),
    )
    .await
    .unwrap();
    let before = stored(&db, &t).await;

    let mut u = User::nodes()
        .filter(User::tag().exact(t.clone()))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(u.uid.as_str(), "67e5504410b1426f9247bb680e5fe0c8");
    assert_eq!(u.born.ymd(), (2000, 2, 29));
    assert_eq!(u.joined.micros, 1_709_210_096_789_012);
    assert_eq!(u.renewed.parts(), (2024, 3, 1, 0, 0, 0, 0));
    assert_eq!(u.seen.parts(), (2024, 2, 29, 13, 5, 0, 0));
    assert_eq!(
        u.prefs.0,
        Prefs {
            theme: "dark".into(),
            langs: vec!["fr".into(), "éé".into(), "😀".into()],
            ratio: 1e-5,
        }
    );
    assert_eq!(u.nicknames, ["Al", "Bert"]);
    assert_eq!(u.email.to_string(), "al@example.org");

    // Saved again unchanged: every stored value is byte-identical.
    u.save(&db).await.unwrap();
    assert_eq!(stored(&db, &t).await, before);
    assert_eq!(before["prefs"], Value::from(prefs_text));

    // A change is written in neomodel's formats too.
    u.born = DateProperty::from_ymd(1999, 12, 31).unwrap();
    u.joined = DateTimeProperty { micros: 1_500_000 };
    u.seen = DateTimeFormatProperty::from_parts(1999, 12, 31, 0, 7, 0, 0).unwrap();
    u.save(&db).await.unwrap();
    let after = stored(&db, &t).await;
    assert_eq!(after["born"], Value::from("1999-12-31"));
    assert_eq!(after["joined"], Value::Float(1.5));
    assert_eq!(after["seen"], Value::from("31/12/1999 12:07 AM"));

    db.cypher_query(
        Query::new("MATCH (n:OgmItNeoUser {tag: $tag}) DETACH DELETE n").param("tag", t.as_str()),
    )
    .await
    .unwrap();
}

/// neomodel's `__abstract_node__`.
#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(abstract_node)]
struct Stamped {
    id: ElementId,
    tag: String,
    created: DateTimeProperty,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItNeoNote")]
struct Note {
    id: ElementId,
    #[ogm(parent)]
    stamped: Stamped,
    text: String,
}

#[tokio::test]
async fn an_abstract_base_adds_no_label() {
    let db = db();
    let t = tag();
    let mut n = Note {
        id: ElementId::unsaved(),
        stamped: Stamped {
            id: ElementId::unsaved(),
            tag: t.clone(),
            created: DateTimeProperty { micros: 2_000_000 },
        },
        text: "hello".into(),
    };
    n.save(&db).await.unwrap();
    let records = db
        .cypher_query(
            Query::new("MATCH (n {tag: $tag}) RETURN labels(n) AS l, n.created AS c")
                .param("tag", t.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(records.records().len(), 1);
    let labels: Vec<String> = records.records()[0].get_as("l").unwrap();
    assert_eq!(labels, ["OgmItNeoNote"]);
    assert_eq!(records.records()[0].get("c").unwrap(), Value::Float(2.0));
    let back = Note::nodes()
        .filter(Note::text().exact("hello"))
        .filter(Stamped::tag().exact(t.clone()).lift())
        .get(&db)
        .await
        .unwrap();
    assert_eq!(back, n);
    // The lazy read: element ids only.
    let ids = Note::nodes()
        .filter(Stamped::tag().exact(t.clone()).lift())
        .element_ids(&db)
        .await
        .unwrap();
    assert_eq!(ids, [n.element_id().unwrap()]);
    db.cypher_query(Query::new("MATCH (n {tag: $tag}) DETACH DELETE n").param("tag", t.as_str()))
        .await
        .unwrap();
}
