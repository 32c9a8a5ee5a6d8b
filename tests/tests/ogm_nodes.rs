//! boltline-ogm against a real Neo4j: saving, reading back, filtering,
//! batches and explicit transactions.
//!
//! Every node carries the run's `tag`, queries filter on it, and each test
//! deletes its nodes at the end, so runs and tests never see each other's data.

use std::sync::atomic::{AtomicU64, Ordering};

use boltline::{AuthToken, Query, Value};
use boltline_itests::{ogm_db as db, server, unique_tag};
use boltline_ogm::prelude::*;
use boltline_ogm::{Date, Error, Map};

fn tag() -> String {
    unique_tag("ogm")
}

fn zero() -> i64 {
    0
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPerson", extra_label = "OgmItHuman")]
struct Person {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(db_property = "years")]
    age: Option<i64>,
    born: Option<Date>,
    #[ogm(default = zero)]
    score: i64,
    nicknames: Vec<String>,
}

impl Person {
    fn new(tag: &str, name: &str, age: Option<i64>) -> Self {
        Person {
            id: ElementId::unsaved(),
            tag: tag.into(),
            name: name.into(),
            age,
            born: None,
            score: 0,
            nicknames: Vec::new(),
        }
    }

    fn tagged(tag: &str) -> NodeSet<Person> {
        Person::nodes().filter(Person::tag().exact(tag))
    }
}

#[derive(Node, Debug)]
#[ogm(label = "OgmItPerson")]
struct LoosePerson {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(extra)]
    extra: Map,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPerson")]
struct Base {
    id: ElementId,
    tag: String,
    name: String,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItEmployee")]
struct Employee {
    id: ElementId,
    #[ogm(parent)]
    person: Base,
    salary: i64,
}

#[tokio::test]
async fn inherited_labels_and_properties() {
    let db = db();
    let t = tag();
    let mut e = Employee {
        id: ElementId::unsaved(),
        person: Base {
            id: ElementId::unsaved(),
            tag: t.clone(),
            name: "Eve".into(),
        },
        salary: 100,
    };
    e.save(&db).await.unwrap();
    let mut labels = e.labels_in_db(&db).await.unwrap();
    labels.sort();
    assert_eq!(labels, ["OgmItEmployee", "OgmItPerson"]);
    // Found as the parent model, and as itself with the parent's filters.
    let as_base = Base::nodes()
        .filter(Base::tag().exact(t.clone()))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(as_base.element_id(), e.element_id());
    let found = Employee::nodes()
        .filter(Base::tag().exact(t.clone()).lift() & Employee::salary().gt(50))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(found, e);
    cleanup(&db, &t).await;
}

static HOOK_CALLS: AtomicU64 = AtomicU64::new(0);

/// Hooks: `pre_save` normalises, the others count.
#[derive(Node, Debug)]
#[ogm(label = "OgmItPerson", hooks)]
struct Hooked {
    id: ElementId,
    tag: String,
    name: String,
}

impl NodeHooks for Hooked {
    fn pre_save(&mut self) -> boltline_ogm::Result<()> {
        self.name = self.name.trim().to_lowercase();
        Ok(())
    }
    fn post_create(&mut self) -> boltline_ogm::Result<()> {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn post_save(&mut self) -> boltline_ogm::Result<()> {
        HOOK_CALLS.fetch_add(10, Ordering::SeqCst);
        Ok(())
    }
    fn pre_delete(&mut self) -> boltline_ogm::Result<()> {
        HOOK_CALLS.fetch_add(100, Ordering::SeqCst);
        Ok(())
    }
    fn post_delete(&mut self) -> boltline_ogm::Result<()> {
        HOOK_CALLS.fetch_add(1000, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn hooks_run_around_writes() {
    let db = db();
    let t = tag();
    let mut h = Hooked {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "  MiXed ".into(),
    };
    h.save(&db).await.unwrap(); // post_create + post_save
    assert_eq!(h.name, "mixed");
    h.save(&db).await.unwrap(); // post_save
    let stored = Hooked::get_by_element_id(h.element_id().unwrap(), &db)
        .await
        .unwrap();
    assert_eq!(stored.name, "mixed");
    h.delete(&db).await.unwrap(); // pre_delete + post_delete
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 1121);
    cleanup(&db, &t).await;
}

async fn cleanup(db: &Database, tag: &str) {
    db.cypher_query(
        Query::new("MATCH (n:OgmItPerson) WHERE n.tag = $tag DETACH DELETE n").param("tag", tag),
    )
    .await
    .expect("cleanup");
}

#[tokio::test]
async fn save_update_refresh_delete() {
    let db = db();
    let t = tag();
    let mut p = Person::new(&t, "Alice", Some(30));
    p.born = Some(Date { days: 4000 });
    p.save(&db).await.unwrap();
    let id = p.element_id().expect("saved").to_owned();

    // Stored natively: a DATE, an integer under the renamed key.
    let raw = db
        .cypher_query(
            Query::new("MATCH (n) WHERE elementId(n) = $id RETURN n.born AS born, n.years AS years, n.age AS age, labels(n) AS labels")
                .param("id", id.clone()),
        )
        .await
        .unwrap();
    let r = &raw.records()[0];
    assert_eq!(r.get("born").unwrap(), Value::Date(Date { days: 4000 }));
    assert_eq!(r.get("years").unwrap(), Value::from(30));
    assert_eq!(r.get("age").unwrap(), Value::Null);
    let mut labels: Vec<String> = r.get_as("labels").unwrap();
    labels.sort();
    assert_eq!(labels, ["OgmItHuman", "OgmItPerson"]);
    let mut in_db = p.labels_in_db(&db).await.unwrap();
    in_db.sort();
    assert_eq!(in_db, labels);

    // Update in place; clearing an optional removes the property.
    p.age = None;
    p.name = "Alicia".into();
    p.save(&db).await.unwrap();
    assert_eq!(p.element_id(), Some(id.as_str()));
    let back = Person::get_by_element_id(&id, &db).await.unwrap();
    assert_eq!(back, p);

    // Undeclared properties survive a save (SET +=), and refresh reads
    // changes made elsewhere.
    db.cypher_query(
        Query::new("MATCH (n) WHERE elementId(n) = $id SET n.weight = 70, n.score = 5")
            .param("id", id.clone()),
    )
    .await
    .unwrap();
    p.save(&db).await.unwrap();
    p.refresh(&db).await.unwrap();
    assert_eq!(p.score, 0, "save wrote the declared score back");
    let loose = LoosePerson::get_by_element_id(&id, &db).await.unwrap();
    assert_eq!(loose.extra.get("weight"), Some(&Value::from(70)));
    assert_eq!(loose.name, "Alicia");

    // $self in custom Cypher.
    let rows = p
        .cypher(
            Query::new("MATCH (n) WHERE elementId(n) = $self RETURN n.name AS name"),
            &db,
        )
        .await
        .unwrap();
    assert_eq!(rows[0].get_as::<String>("name").unwrap(), "Alicia");

    p.delete(&db).await.unwrap();
    assert_eq!(p.element_id(), None);
    assert!(matches!(
        Person::get_by_element_id(&id, &db).await,
        Err(Error::DoesNotExist { .. })
    ));
    assert!(matches!(p.refresh(&db).await, Err(Error::NotSaved { .. })));
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn required_property_missing_in_the_database() {
    let db = db();
    let t = tag();
    db.cypher_query(
        Query::new("CREATE (:OgmItPerson:OgmItHuman {tag: $tag, nicknames: []})")
            .param("tag", t.clone()),
    )
    .await
    .unwrap();
    let err = Person::tagged(&t).all(&db).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::RequiredProperty {
                property: "name",
                ..
            }
        ),
        "{err:?}"
    );
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn semi_structured_nodes_keep_extra_properties() {
    let db = db();
    let t = tag();
    let mut extra = Map::new();
    extra.insert("weight".into(), Value::from(11));
    let mut tim = LoosePerson {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "Tim".into(),
        extra,
    };
    tim.save(&db).await.unwrap();
    let back = LoosePerson::get_by_element_id(tim.element_id().unwrap(), &db)
        .await
        .unwrap();
    assert_eq!(back.extra.get("weight"), Some(&Value::from(11)));
    tim.extra.insert("name".into(), Value::from("clash"));
    assert!(matches!(
        tim.save(&db).await,
        Err(Error::DeflateConflict { .. })
    ));
    cleanup(&db, &t).await;
}

async fn people(db: &Database, t: &str) -> Vec<Person> {
    let rows = [
        ("Alice", Some(30)),
        ("alfred", Some(17)),
        ("Bob", Some(45)),
        ("Carol", None),
        ("Dave", Some(30)),
    ];
    let batch = rows.iter().map(|(n, a)| Person::new(t, n, *a)).collect();
    let created = Person::create(batch, db).await.unwrap();
    assert!(created.iter().all(|p| p.element_id().is_some()));
    assert_eq!(created[2].name, "Bob");
    created
}

async fn names(set: NodeSet<Person>, db: &Database) -> Vec<String> {
    let mut v: Vec<String> = set
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn filters_every_operator() {
    let db = db();
    let t = tag();
    let created = people(&db, &t).await;
    let all = || Person::tagged(&t);

    assert_eq!(
        names(all().filter(Person::name().startswith("Al")), &db).await,
        ["Alice"]
    );
    assert_eq!(
        names(all().filter(Person::name().istartswith("AL")), &db).await,
        ["Alice", "alfred"]
    );
    assert_eq!(
        names(all().filter(Person::name().endswith("ol")), &db).await,
        ["Carol"]
    );
    assert_eq!(
        names(all().filter(Person::name().iendswith("ICE")), &db).await,
        ["Alice"]
    );
    assert_eq!(
        names(all().filter(Person::name().contains("o")), &db).await,
        ["Bob", "Carol"]
    );
    assert_eq!(
        names(all().filter(Person::name().icontains("A")), &db).await,
        ["Alice", "Carol", "Dave", "alfred"]
    );
    assert_eq!(
        names(all().filter(Person::name().iexact("BOB")), &db).await,
        ["Bob"]
    );
    assert_eq!(
        names(all().filter(Person::name().exact("bob")), &db).await,
        Vec::<String>::new()
    );
    assert_eq!(
        names(all().filter(Person::name().regex("[A-C].*")), &db).await,
        ["Alice", "Bob", "Carol"]
    );
    assert_eq!(
        names(all().filter(Person::age().lt(30)), &db).await,
        ["alfred"]
    );
    assert_eq!(
        names(all().filter(Person::age().lte(30)), &db).await,
        ["Alice", "Dave", "alfred"]
    );
    assert_eq!(
        names(all().filter(Person::age().gt(30)), &db).await,
        ["Bob"]
    );
    assert_eq!(
        names(all().filter(Person::age().gte(30)), &db).await,
        ["Alice", "Bob", "Dave"]
    );
    assert_eq!(
        names(all().filter(Person::age().ne(30)), &db).await,
        ["Bob", "alfred"]
    );
    assert_eq!(
        names(all().filter(Person::age().is_in([17, 45])), &db).await,
        ["Bob", "alfred"]
    );
    assert_eq!(
        names(all().filter(Person::age().isnull(true)), &db).await,
        ["Carol"]
    );
    assert_eq!(
        names(all().exclude(Person::age().isnull(false)), &db).await,
        ["Carol"]
    );
    assert_eq!(
        names(
            all().filter(Person::age().exact(30) | Person::name().exact("Bob")),
            &db
        )
        .await,
        ["Alice", "Bob", "Dave"]
    );
    assert_eq!(
        names(
            all().filter(Person::age().exact(30) & !Person::name().startswith("A")),
            &db
        )
        .await,
        ["Dave"]
    );
    // Values that look like Cypher stay values.
    assert_eq!(
        names(all().filter(Person::name().exact("x' OR 1=1 //")), &db).await,
        Vec::<String>::new()
    );

    // Order, skip, limit, first, get, count, is_empty, contains.
    let ordered: Vec<String> = all()
        .order_by(Person::age().desc())
        .order_by(Person::name().asc())
        .skip(1)
        .limit(3)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    // NULLs sort last ascending, first descending in Cypher.
    assert_eq!(ordered, ["Bob", "Alice", "Dave"]);
    assert_eq!(all().count(&db).await.unwrap(), 5);
    assert_eq!(all().skip(1).limit(2).count(&db).await.unwrap(), 2);
    assert_eq!(
        all()
            .filter(Person::age().exact(30))
            .count(&db)
            .await
            .unwrap(),
        2
    );
    let first = all()
        .order_by(Person::name().asc())
        .first(&db)
        .await
        .unwrap();
    assert_eq!(first.name, "Alice");
    assert_eq!(
        all()
            .filter(Person::name().exact("Bob"))
            .get(&db)
            .await
            .unwrap(),
        created[2]
    );
    assert!(matches!(
        all().filter(Person::age().exact(30)).get(&db).await,
        Err(Error::MultipleNodesReturned { .. })
    ));
    assert!(matches!(
        all().filter(Person::name().exact("Zed")).get(&db).await,
        Err(Error::DoesNotExist { .. })
    ));
    assert!(all()
        .filter(Person::name().exact("Zed"))
        .get_or_none(&db)
        .await
        .unwrap()
        .is_none());
    assert!(all()
        .filter(Person::name().exact("Zed"))
        .first_or_none(&db)
        .await
        .unwrap()
        .is_none());
    assert!(all()
        .filter(Person::name().exact("Zed"))
        .is_empty(&db)
        .await
        .unwrap());
    assert!(!all().is_empty(&db).await.unwrap());
    assert!(all()
        .filter(Person::age().gt(40))
        .contains(&created[2], &db)
        .await
        .unwrap());
    assert!(!all()
        .filter(Person::age().gt(40))
        .contains(&created[0], &db)
        .await
        .unwrap());
    assert!(all().distinct().count(&db).await.unwrap() == 5);

    // Results resolved into models from raw Cypher.
    let raw: Vec<Person> = db
        .cypher_query_as(
            Query::new("MATCH (p:OgmItPerson) WHERE p.tag = $tag AND p.years > 40 RETURN p")
                .param("tag", t.clone()),
            "p",
        )
        .await
        .unwrap();
    assert_eq!(raw, std::slice::from_ref(&created[2]));
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn get_or_create_and_create_or_update_merge_on_required_keys() {
    let db = db();
    let t = tag();
    // No unique property: the merge key is every required one
    // (tag, name, score has a default, nicknames is required).
    let a = Person::new(&t, "Ann", Some(1));
    let first = Person::get_or_create(vec![a.clone(), Person::new(&t, "Ben", None)], &db)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|p| p.element_id().is_some()));
    let again = Person::get_or_create(vec![Person::new(&t, "Ann", Some(99))], &db)
        .await
        .unwrap();
    assert_eq!(again[0].element_id(), first[0].element_id());
    assert_eq!(
        again[0].age,
        Some(1),
        "get_or_create leaves existing nodes alone"
    );
    let updated = Person::create_or_update(vec![Person::new(&t, "Ann", Some(99))], &db)
        .await
        .unwrap();
    assert_eq!(updated[0].element_id(), first[0].element_id());
    assert_eq!(updated[0].age, Some(99));
    assert_eq!(Person::tagged(&t).count(&db).await.unwrap(), 2);
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn explicit_transactions_span_operations() {
    let db = db();
    let t = tag();
    let mut tx = db.begin().await.unwrap();
    let mut a = Person::new(&t, "InTx", Some(5));
    a.save(&mut tx).await.unwrap();
    Person::create(vec![Person::new(&t, "InTx2", None)], &mut tx)
        .await
        .unwrap();
    assert_eq!(Person::tagged(&t).count(&mut tx).await.unwrap(), 2);
    tx.rollback().await.unwrap();
    assert_eq!(Person::tagged(&t).count(&db).await.unwrap(), 0);

    let mut tx = db.begin().await.unwrap();
    a.set_element_id(None);
    a.save(&mut tx).await.unwrap();
    let found = Person::tagged(&t).get(&mut tx).await.unwrap();
    assert_eq!(found.element_id(), a.element_id());
    tx.commit().await.unwrap();
    assert_eq!(Person::tagged(&t).count(&db).await.unwrap(), 1);
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn connect_by_url() {
    let s = server();
    let url = s
        .uri()
        .replacen("://", &format!("://{}:{}@", s.user(), s.password()), 1)
        + "/neo4j";
    let db = Database::from_url(&url).unwrap();
    let n = db.cypher_query("RETURN 1 AS one").await.unwrap();
    assert_eq!(n.records()[0].get("one").unwrap(), Value::from(1));
    db.close().await;
    assert!(matches!(
        Database::from_url("no-scheme"),
        Err(Error::InvalidUrl(_))
    ));
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPerson")]
struct Profile {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(default = boltline_ogm::Uuid::new_v4)]
    uid: boltline_ogm::Uuid,
    prefs: boltline_ogm::Json<std::collections::BTreeMap<String, Vec<i64>>>,
    raw: Option<serde_json::Value>,
    #[ogm(optional_label = "OgmItRetired")]
    retired: bool,
}

#[tokio::test]
async fn json_uuid_and_optional_labels() {
    let db = db();
    let t = tag();
    let mut prefs = std::collections::BTreeMap::new();
    prefs.insert("b".to_owned(), vec![2, 3]);
    prefs.insert("a".to_owned(), vec![1]);
    let mut ann = Profile {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "Ann".into(),
        uid: boltline_ogm::Uuid::new_v4(),
        prefs: boltline_ogm::Json(prefs.clone()),
        raw: Some(serde_json::json!({"nested": {"list": [1, "two", null]}})),
        retired: true,
    };
    ann.save(&db).await.unwrap();
    let more = Profile::create(
        vec![
            Profile {
                name: "Bob".into(),
                uid: boltline_ogm::Uuid::new_v4(),
                retired: false,
                raw: None,
                ..ann.clone()
            },
            Profile {
                name: "Cid".into(),
                uid: boltline_ogm::Uuid::new_v4(),
                retired: true,
                ..ann.clone()
            },
        ],
        &db,
    )
    .await
    .unwrap();
    assert!(more.iter().all(|p| p.element_id().is_some()));
    let ann_id = ann.element_id().unwrap().to_owned();

    // Stored as text (JSON with sorted keys, the UUID's canonical form),
    // and the optional label on the node, not as a property.
    let raw = db
        .cypher_query(
            Query::new(
                "MATCH (n) WHERE elementId(n) = $id \
                 RETURN n.prefs AS prefs, n.uid AS uid, n.raw AS raw, labels(n) AS labels, \
                 n.retired IS NULL AS no_prop",
            )
            .param("id", ann_id.clone()),
        )
        .await
        .unwrap();
    let r = &raw.records()[0];
    assert_eq!(
        r.get_as::<String>("prefs").unwrap(),
        r#"{"a":[1],"b":[2,3]}"#
    );
    assert_eq!(r.get_as::<String>("uid").unwrap(), ann.uid.to_string());
    assert_eq!(
        r.get_as::<String>("raw").unwrap(),
        r#"{"nested":{"list":[1,"two",null]}}"#
    );
    assert!(r
        .get_as::<Vec<String>>("labels")
        .unwrap()
        .contains(&"OgmItRetired".to_owned()));
    assert!(r.get_as::<bool>("no_prop").unwrap());

    // Read back equal; filters on JSON, UUID and the label.
    let back = Profile::get_by_element_id(&ann_id, &db).await.unwrap();
    assert_eq!(back, ann);
    let tagged = || Profile::nodes().filter(Profile::tag().exact(t.clone()));
    let by_uid = tagged()
        .filter(Profile::uid().exact(more[0].uid))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(by_uid.name, "Bob");
    assert!(!by_uid.retired);
    assert_eq!(
        tagged()
            .filter(Profile::prefs().exact(prefs))
            .count(&db)
            .await
            .unwrap(),
        3
    );
    let retired: Vec<String> = tagged()
        .filter(Profile::retired().is(true))
        .order_by(Profile::name().asc())
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(retired, ["Ann", "Cid"]);

    // Saving with the flag off takes the label away; on puts it back.
    ann.retired = false;
    ann.save(&db).await.unwrap();
    assert!(!ann
        .labels_in_db(&db)
        .await
        .unwrap()
        .contains(&"OgmItRetired".to_owned()));
    assert_eq!(
        tagged()
            .filter(Profile::retired().is(false))
            .count(&db)
            .await
            .unwrap(),
        2
    );
    ann.refresh(&db).await.unwrap();
    assert!(!ann.retired);
    ann.retired = true;
    ann.save(&db).await.unwrap();
    assert!(ann
        .labels_in_db(&db)
        .await
        .unwrap()
        .contains(&"OgmItRetired".to_owned()));

    // A stored value that is not a UUID is a typed error on read.
    db.cypher_query(
        Query::new("MATCH (n) WHERE elementId(n) = $id SET n.uid = 'not-a-uuid'")
            .param("id", ann_id.clone()),
    )
    .await
    .unwrap();
    assert!(matches!(
        Profile::get_by_element_id(&ann_id, &db).await,
        Err(Error::PropertyType {
            property: "uid",
            ..
        })
    ));
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn impersonation_reaches_the_server() {
    // Impersonating a user that does not exist is refused by any edition
    // (Community refuses impersonation altogether); without the
    // impersonated user on the wire the same query would succeed.
    let db = db();
    let plain = db.cypher_query("SHOW CURRENT USER YIELD user").await;
    assert!(plain.is_ok(), "{plain:?}");
    let as_other = db.impersonate("ogm_no_such_user");
    let err = as_other
        .cypher_query("SHOW CURRENT USER YIELD user")
        .await
        .unwrap_err();
    let Error::Driver(e) = &err else {
        panic!("{err:?}")
    };
    let server = e.server_error().expect("a server error");
    assert!(server.code.starts_with("Neo.ClientError."), "{server:?}");
    // Explicit transactions carry it too.
    let tx = as_other.begin().await;
    let refused = match tx {
        Err(_) => true,
        Ok(mut tx) => tx.cypher_query("RETURN 1").await.is_err(),
    };
    assert!(refused);
    // The original handle is unchanged.
    assert!(db.cypher_query("RETURN 1").await.is_ok());
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "OgmItPerson")]
struct Coded {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(regex = r"[A-Z]{3}\d{2}")]
    code: Option<String>,
}

#[tokio::test]
async fn regex_validated_strings_are_checked_before_writing() {
    let db = db();
    let t = tag();
    let coded = |name: &str, code: &str| Coded {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: name.into(),
        code: Some(code.into()),
    };
    let mut ok = coded("Ok", "ABC12");
    ok.save(&db).await.unwrap();
    let mut bad = coded("Bad", "abc12");
    assert!(matches!(
        bad.save(&db).await,
        Err(Error::Validation {
            property: "code",
            ..
        })
    ));
    assert!(matches!(
        Coded::create(vec![coded("Bad2", "ABC123")], &db).await,
        Err(Error::Validation {
            property: "code",
            ..
        })
    ));
    // The refused ones never reached the database; a valid update does.
    let names: Vec<String> = Coded::nodes()
        .filter(Coded::tag().exact(t.clone()))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Ok"]);
    ok.code = Some("XYZ99".into());
    ok.save(&db).await.unwrap();
    ok.code = Some("nope".into());
    assert!(ok.save(&db).await.is_err());
    ok.refresh(&db).await.unwrap();
    assert_eq!(ok.code.as_deref(), Some("XYZ99"));
    cleanup(&db, &t).await;
}

#[derive(boltline_ogm::Choices, Debug, Clone, Copy, PartialEq)]
enum Mood {
    Calm,
    #[ogm(value = "over-the-moon")]
    Happy,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPerson")]
struct Typed {
    id: ElementId,
    tag: String,
    name: String,
    seen: boltline_ogm::DateTime,
    local: Option<boltline_ogm::LocalDateTime>,
    span: Option<boltline_ogm::Duration>,
    home: Option<boltline_ogm::Point2D>,
    weight: f64,
    active: bool,
    mood: Mood,
    readings: Vec<f64>,
}

#[tokio::test]
async fn native_types_and_choices_round_trip() {
    // Built on an existing driver this time.
    let s = server();
    let driver = boltline::Driver::new(s.uri(), AuthToken::basic(s.user(), s.password())).unwrap();
    let db = Database::from_driver(driver).with_database("neo4j");
    let t = tag();
    let at = |seconds| boltline_ogm::DateTime {
        seconds,
        nanoseconds: 500,
        tz_offset_seconds: 3600,
    };
    let mut a = Typed {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "A".into(),
        seen: at(1_700_000_000),
        local: Some(boltline_ogm::LocalDateTime {
            seconds: 1_600_000_000,
            nanoseconds: 7,
        }),
        span: Some(boltline_ogm::Duration {
            months: 1,
            days: 2,
            seconds: 3,
            nanoseconds: 4,
        }),
        home: Some(boltline_ogm::Point2D {
            srid: 7203,
            x: 1.5,
            y: -2.0,
        }),
        weight: 61.5,
        active: true,
        mood: Mood::Happy,
        readings: vec![0.5, 1.25],
    };
    a.save(&db).await.unwrap();
    let mut b = Typed {
        name: "B".into(),
        seen: at(1_800_000_000),
        local: None,
        span: None,
        home: None,
        active: false,
        mood: Mood::Calm,
        ..a.clone()
    };
    b.set_element_id(None);
    b.save(&db).await.unwrap();

    // Stored natively, the choice as its string.
    let raw = db
        .cypher_query(
            Query::new(
                "MATCH (n) WHERE elementId(n) = $id RETURN valueType(n.seen) AS seen, \
                 valueType(n.local) AS local, valueType(n.span) AS span, \
                 valueType(n.home) AS home, valueType(n.weight) AS weight, \
                 valueType(n.active) AS active, n.mood AS mood, valueType(n.readings) AS readings",
            )
            .param("id", a.element_id().unwrap()),
        )
        .await
        .unwrap();
    let r = &raw.records()[0];
    let ty = |k: &str| r.get_as::<String>(k).unwrap();
    assert_eq!(ty("seen"), "ZONED DATETIME NOT NULL");
    assert_eq!(ty("local"), "LOCAL DATETIME NOT NULL");
    assert_eq!(ty("span"), "DURATION NOT NULL");
    assert_eq!(ty("home"), "POINT NOT NULL");
    assert_eq!(ty("weight"), "FLOAT NOT NULL");
    assert_eq!(ty("active"), "BOOLEAN NOT NULL");
    assert_eq!(ty("mood"), "over-the-moon");
    assert_eq!(ty("readings"), "LIST<FLOAT NOT NULL> NOT NULL");

    // Read back equal; filters compare natively and on the choice.
    let tagged = || Typed::nodes().filter(Typed::tag().exact(t.clone()));
    let back = tagged()
        .filter(Typed::name().exact("A"))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(back, a);
    let later = tagged()
        .filter(Typed::seen().gt(at(1_750_000_000)))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(later.name, "B");
    let happy = tagged()
        .filter(Typed::mood().exact(Mood::Happy) & Typed::active().exact(true))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(happy.name, "A");
    assert_eq!(
        tagged()
            .filter(Typed::mood().is_in([Mood::Calm, Mood::Happy]))
            .count(&db)
            .await
            .unwrap(),
        2
    );
    // A stored string outside the choices is a typed error on read.
    db.cypher_query(
        Query::new("MATCH (n) WHERE elementId(n) = $id SET n.mood = 'grumpy'")
            .param("id", b.element_id().unwrap()),
    )
    .await
    .unwrap();
    assert!(matches!(
        b.refresh(&db).await,
        Err(Error::PropertyType {
            property: "mood",
            ..
        })
    ));
    cleanup(&db, &t).await;
    db.close().await;
}

#[tokio::test]
async fn merges_and_optional_labels() {
    let db = db();
    let t = tag();
    let dan = |retired| Profile {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "Dan".into(),
        uid: boltline_ogm::Uuid::new_v4(),
        prefs: boltline_ogm::Json(Default::default()),
        raw: None,
        retired,
    };
    let made = Profile::get_or_create(vec![dan(true)], &db).await.unwrap();
    assert!(made[0].retired, "a new node gets its optional labels");
    let got = Profile::get_or_create(vec![dan(false)], &db).await.unwrap();
    assert_eq!(got[0].element_id(), made[0].element_id());
    assert!(
        got[0].retired,
        "get-or-create leaves an existing node's labels"
    );
    let updated = Profile::create_or_update(vec![dan(false)], &db)
        .await
        .unwrap();
    assert_eq!(updated[0].element_id(), made[0].element_id());
    assert!(!updated[0].retired, "create-or-update takes the label off");
    let raw = db
        .cypher_query(
            Query::new(
                "MATCH (n:OgmItPerson {tag: $tag}) RETURN keys(n) AS keys, labels(n) AS labels",
            )
            .param("tag", t.clone()),
        )
        .await
        .unwrap();
    assert_eq!(raw.records().len(), 1);
    let keys: Vec<String> = raw.records()[0].get_as("keys").unwrap();
    assert!(
        !keys.iter().any(|k| k.starts_with("__boltline")),
        "{keys:?}"
    );
    let labels: Vec<String> = raw.records()[0].get_as("labels").unwrap();
    assert!(!labels.contains(&"OgmItRetired".to_owned()));
    cleanup(&db, &t).await;
}

/// chrono's types as properties (boltline-ogm's `chrono` feature).
#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItArticle")]
struct Article {
    id: ElementId,
    tag: String,
    published: Option<chrono::NaiveDate>,
    edited: chrono::NaiveDateTime,
    at: chrono::DateTime<chrono::Utc>,
}

#[tokio::test]
async fn chrono_properties_are_native_temporal_values() {
    let db = db();
    let t = tag();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2024, 2, d).unwrap();
    let article = |d: u32, published| {
        let edited = day(d).and_hms_micro_opt(13, 5, 7, 250_000).unwrap();
        Article {
            id: ElementId::unsaved(),
            tag: t.clone(),
            published,
            edited,
            at: edited.and_utc(),
        }
    };
    let mut a = article(28, Some(day(29)));
    a.save(&db).await.unwrap();
    Article::create(vec![article(1, None)], &db).await.unwrap();

    // Stored as Neo4j temporal values, not text.
    let r = db
        .cypher_query(
            Query::new(
                "MATCH (n:OgmItArticle {tag: $tag}) WHERE n.published IS NOT NULL \
                 RETURN valueType(n.published) AS p, valueType(n.edited) AS e, valueType(n.at) AS z",
            )
            .param("tag", t.as_str()),
        )
        .await
        .unwrap();
    let rec = &r.records()[0];
    assert_eq!(rec.get_as::<String>("p").unwrap(), "DATE NOT NULL");
    assert_eq!(
        rec.get_as::<String>("e").unwrap(),
        "LOCAL DATETIME NOT NULL"
    );
    assert_eq!(
        rec.get_as::<String>("z").unwrap(),
        "ZONED DATETIME NOT NULL"
    );

    // Read back exactly; filters compare them as dates.
    let found = Article::nodes()
        .filter(Article::tag().exact(t.clone()) & Article::published().gte(day(1)))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(found, [a.clone()]);
    let older = Article::nodes()
        .filter(Article::tag().exact(t.clone()) & Article::edited().lt(a.edited))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(older.published, None);
    assert_eq!(
        older.edited,
        day(1).and_hms_micro_opt(13, 5, 7, 250_000).unwrap()
    );

    db.cypher_query(
        Query::new("MATCH (n:OgmItArticle {tag: $tag}) DETACH DELETE n").param("tag", t.as_str()),
    )
    .await
    .unwrap();
}
