//! A small neomodel application ported to boltline-ogm, step by step. The
//! Python it ports is quoted before each step; the graph it writes uses
//! neomodel's storage formats, so the Python application could share it.
//!
//! `cargo run -p boltline-ogm --example neomodel_port` (against `cargo
//! xtask neo4j start`). It deletes what it created at the end.
//!
//! ```python
//! class Entity(AsyncStructuredNode):
//!     __abstract_node__ = True
//!     uid = UniqueIdProperty()
//!     created = DateTimeProperty(default_now=True)
//!
//! class Knows(AsyncStructuredRel):
//!     how = StringProperty()
//!     since = DateTimeProperty(default_now=True)
//!
//! class City(Entity):
//!     __label__ = "PortCity"
//!     name = StringProperty(unique_index=True)
//!     facts = JSONProperty()
//!
//! class Person(Entity):
//!     __label__ = "PortPerson"
//!     name = StringProperty(unique_index=True, max_length=40)
//!     born = DateProperty()
//!     knows = AsyncRelationshipTo("Person", "PORT_KNOWS", model=Knows)
//!     lives_in = AsyncRelationshipTo(City, "PORT_LIVES_IN", cardinality=AsyncZeroOrOne)
//! ```

mod common;

use boltline_ogm::neomodel::{DateProperty, DateTimeProperty, JsonProperty, UniqueIdProperty};
use boltline_ogm::prelude::*;
use boltline_ogm::Relationship;

/// `__abstract_node__ = True`: shared properties, no label.
#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(abstract_node)]
struct Entity {
    id: ElementId,
    uid: UniqueIdProperty,
    created: DateTimeProperty,
}

impl Entity {
    fn new() -> Self {
        Entity {
            id: ElementId::unsaved(),
            uid: UniqueIdProperty::new(),
            created: DateTimeProperty::now(),
        }
    }
}

/// `since` is the time of the first `connect`: kept out of the MERGE
/// pattern, so connecting again finds the relationship (in neomodel a
/// fresh `default_now` would make a new one each time).
#[derive(Relationship, Debug, Clone, Default, PartialEq)]
struct Knows {
    how: Option<String>,
    #[ogm(on_create)]
    since: Option<DateTimeProperty>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "PortCity")]
struct City {
    id: ElementId,
    #[ogm(parent)]
    entity: Entity,
    #[ogm(unique)]
    name: String,
    facts: JsonProperty<serde_json::Value>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "PortPerson")]
struct Person {
    id: ElementId,
    #[ogm(parent)]
    entity: Entity,
    #[ogm(unique, max_length = 40)]
    name: String,
    born: DateProperty,
    #[ogm(rel = "PORT_KNOWS")]
    knows: Relation<Person, ZeroOrMore, ZeroOrMore, Knows>,
    #[ogm(rel = "PORT_LIVES_IN")]
    lives_in: Relation<City, ZeroOrOne>,
}

fn person(name: &str, (y, m, d): (i64, u32, u32)) -> Person {
    Person {
        id: ElementId::unsaved(),
        entity: Entity::new(),
        name: name.into(),
        born: DateProperty::from_ymd(y, m, d).expect("a real date"),
        knows: Relation::default(),
        lives_in: Relation::default(),
    }
}

fn knows(how: &str) -> Knows {
    Knows {
        how: Some(how.into()),
        since: Some(DateTimeProperty::now()),
    }
}

#[tokio::main]
async fn main() -> boltline_ogm::Result<()> {
    let db = common::database()?;
    // await adb.install_labels(City); await adb.install_labels(Person)
    db.install_labels::<City>().await?;
    db.install_labels::<Person>().await?;

    // async with adb.transaction:
    //     lyon = await City(name="Lyon", facts={"river": "Rhône", "rank": 3}).save()
    //     ada = await Person(name="Ada", born=date(1990, 2, 28)).save()
    //     bob = await Person(name="Bob", born=date(1988, 7, 14)).save()
    //     await ada.lives_in.connect(lyon); await bob.lives_in.connect(lyon)
    //     await ada.knows.connect(bob, {"how": "work"})
    let mut tx = db.begin().await?;
    let mut lyon = City {
        id: ElementId::unsaved(),
        entity: Entity::new(),
        name: "Lyon".into(),
        facts: JsonProperty(serde_json::json!({"rank": 3, "river": "Rhône"})),
    };
    lyon.save(&mut tx).await?;
    let mut ada = person("Ada", (1990, 2, 28));
    let mut bob = person("Bob", (1988, 7, 14));
    ada.save(&mut tx).await?;
    bob.save(&mut tx).await?;
    Person::lives_in().of(&ada).connect(&lyon, &mut tx).await?;
    Person::lives_in().of(&bob).connect(&lyon, &mut tx).await?;
    Person::knows()
        .of(&ada)
        .connect_with(&bob, knows("work"), &mut tx)
        .await?;
    tx.commit().await?;

    // await ada.knows.connect(bob, {"how": "work"})   # MERGE: still one
    Person::knows()
        .of(&ada)
        .connect_with(&bob, knows("work"), &db)
        .await?;
    let rels = Person::knows()
        .of(&ada)
        .all_relationships(&bob, &db)
        .await?;
    assert_eq!(rels.len(), 1, "connecting twice leaves one relationship");

    // rel = await ada.knows.relationship(bob); rel.how = "school"; await rel.save()
    let mut rel = rels.into_iter().next().expect("one relationship");
    rel.props.how = Some("school".into());
    rel.save(&db).await?;
    println!(
        "Ada knows Bob from {:?} (relationship {})",
        rel.props.how,
        rel.element_id()
    );

    // Traversal: each person, the people they know, and where those live.
    // neomodel: Person.nodes.traverse_relations(...) ; here one statement.
    let rows = Person::nodes()
        .filter(Person::name().is_in(vec!["Ada".to_owned(), "Bob".to_owned()]))
        .order_by(Person::name().asc())
        .traverse(Person::knows().then(Person::lives_in()))
        .all(&db)
        .await?;
    for (p, known) in &rows {
        for (friend, cities) in known {
            let cities: Vec<&str> = cities.iter().map(|c| c.name.as_str()).collect();
            println!(
                "{} knows {}, who lives in {:?}",
                p.name, friend.name, cities
            );
        }
    }
    assert_eq!(rows[0].1.len(), 1, "Ada knows one person");

    // The stored values are neomodel's: text dates, float timestamps,
    // uuid4().hex ids and json.dumps text.
    let stored = db
        .cypher_query(boltline_ogm::boltline::Query::new(
            "MATCH (c:PortCity {name: 'Lyon'}) RETURN c.facts AS facts, c.uid AS uid",
        ))
        .await?;
    let facts: String = stored.records()[0].get_as("facts")?;
    println!("Lyon's facts as stored: {facts}");
    assert_eq!(facts, r#"{"rank": 3, "river": "Rh\u00f4ne"}"#);

    // Cleanup.
    for mut p in [ada, bob] {
        p.delete(&db).await?;
    }
    lyon.delete(&db).await?;
    db.close().await;
    Ok(())
}
