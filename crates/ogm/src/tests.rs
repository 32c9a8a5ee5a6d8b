//! Unit tests of models and the Cypher they produce (no database).

use boltline::Value;

use crate::prelude::*;
use crate::{statements, Date, Error, Map, ModelSchema};

fn ten() -> i64 {
    10
}

fn not_blank(s: &str) -> Result<(), &'static str> {
    if s.trim().is_empty() {
        Err("blank")
    } else {
        Ok(())
    }
}

#[derive(Node, Debug, PartialEq)]
#[ogm(label = "Person", extra_label = "Human")]
struct Person {
    id: ElementId,
    #[ogm(unique, validate = not_blank)]
    name: String,
    #[ogm(index, db_property = "years")]
    age: Option<i64>,
    #[ogm(default = ten)]
    score: i64,
    born: Option<Date>,
    tags: Vec<String>,
}

#[derive(crate::Choices, Debug, Clone, Copy, PartialEq)]
enum Genre {
    Fantasy,
    #[ogm(value = "sci-fi")]
    SciFi,
}

#[derive(Node, Debug, PartialEq)]
struct Novel {
    id: ElementId,
    genre: Genre,
    alt: Option<Genre>,
}

#[test]
fn choices_are_strings_and_typed_in_filters() {
    let n = Novel {
        id: ElementId::unsaved(),
        genre: Genre::SciFi,
        alt: None,
    };
    let m = n.deflate().unwrap();
    assert_eq!(m["genre"], Value::from("sci-fi"));
    assert_eq!(Novel::inflate_properties(m.clone(), None).unwrap(), n);
    let mut bad = m;
    bad.insert("genre".into(), Value::from("romance"));
    let err = Novel::inflate_properties(bad, None).unwrap_err();
    assert!(err.to_string().contains("Genre's choices"), "{err}");
    let r = Novel::nodes()
        .filter(Novel::genre().exact(Genre::Fantasy) | Novel::alt().is_in([Genre::SciFi]))
        .statement()
        .render();
    assert_eq!(r.params["p0"], Value::from("Fantasy"));
    assert_eq!(r.params["p1"], Value::List(vec![Value::from("sci-fi")]));
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "Animal")]
struct Animal {
    id: ElementId,
    #[ogm(unique)]
    name: String,
    legs: i64,
}

/// neomodel's `__abstract_node__`: shared properties, no label.
#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(abstract_node)]
struct Stamped {
    id: ElementId,
    created: i64,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "Note")]
struct Note {
    id: ElementId,
    #[ogm(parent)]
    stamped: Stamped,
    text: String,
}

#[derive(Node, Debug)]
#[ogm(alias(body = text))]
struct Tweet {
    id: ElementId,
    #[ogm(max_length = 5)]
    text: String,
    #[ogm(max_length = 2)]
    lang: Option<String>,
}

#[test]
fn an_alias_filters_on_the_property_it_names() {
    let r = Tweet::nodes()
        .filter(Tweet::body().exact("hi"))
        .statement()
        .render();
    assert_eq!(r.text, "MATCH (n:Tweet) WHERE n.text = $p0\nRETURN n AS n");
    // Never stored under its own name.
    let t = Tweet {
        id: ElementId::unsaved(),
        text: "hi".into(),
        lang: None,
    };
    let stored = t.deflate().unwrap();
    assert!(stored.contains_key("text") && !stored.contains_key("body"));
}

#[test]
fn max_length_is_checked_before_writes() {
    let ok = Tweet {
        id: ElementId::unsaved(),
        text: "héllo".into(),
        lang: None,
    };
    assert!(ok.deflate().is_ok());
    let long = Tweet {
        id: ElementId::unsaved(),
        text: "hello!".into(),
        lang: Some("fr".into()),
    };
    assert!(matches!(
        long.deflate(),
        Err(Error::Validation { property: "text", ref message, .. }) if message.contains("at most 5")
    ));
    let lang = Tweet {
        id: ElementId::unsaved(),
        text: "hi".into(),
        lang: Some("fra".into()),
    };
    assert!(matches!(
        lang.deflate(),
        Err(Error::Validation {
            property: "lang",
            ..
        })
    ));
}

#[test]
fn element_ids_only_is_the_lazy_read() {
    let r = Note::nodes()
        .filter(Note::text().exact("x"))
        .order_by(Note::text().asc())
        .limit(2)
        .element_ids_statement()
        .render();
    assert_eq!(
        r.text,
        "MATCH (n:Note) WHERE n.text = $p0\nWITH n AS n ORDER BY n.text LIMIT $p1\n\
         RETURN elementId(n) AS id"
    );
}

#[test]
fn clear_order_drops_the_sort_keys() {
    let set = Note::nodes()
        .order_by(Note::text().desc())
        .order_by_expr(crate::cypher::Expr::var("n").prop("created"), false);
    assert!(set.statement().render().text.contains("ORDER BY"));
    let r = set.clear_order().limit(3).statement().render();
    assert_eq!(r.text, "MATCH (n:Note)\nRETURN n AS n LIMIT $p0");
}

#[test]
fn an_abstract_base_adds_properties_but_no_label() {
    assert!(Stamped::labels().is_empty());
    assert_eq!(Note::labels(), ["Note"]);
    let fields: Vec<_> = Note::properties().iter().map(|p| p.db_name).collect();
    assert_eq!(fields, ["text", "created"]);
    let n = Note {
        id: ElementId::unsaved(),
        stamped: Stamped {
            id: ElementId::unsaved(),
            created: 5,
        },
        text: "hi".into(),
    };
    let r = crate::ops::statements::create::<Note>(n.deflate().unwrap(), &[]).render();
    assert!(r.text.starts_with("CREATE (n:Note)"), "{}", r.text);
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "Dog", extra_label = "Pet")]
struct Dog {
    id: ElementId,
    #[ogm(parent)]
    animal: Animal,
    breed: Option<String>,
    #[ogm(extra)]
    extra: Map,
}

#[test]
fn a_parent_brings_labels_properties_and_filters() {
    assert_eq!(Dog::labels(), &["Dog", "Pet", "Animal"]);
    let names: Vec<&str> = Dog::properties().iter().map(|p| p.db_name).collect();
    assert_eq!(names, ["breed", "name", "legs"]);
    assert_eq!(Dog::merge_keys(), ["name"]);
    let mut d = Dog {
        id: ElementId::unsaved(),
        animal: Animal {
            id: ElementId::unsaved(),
            name: "Rex".into(),
            legs: 4,
        },
        breed: Some("collie".into()),
        extra: Map::new(),
    };
    d.set_element_id(Some("4:d:1".into()));
    assert_eq!(d.animal.element_id(), Some("4:d:1"));
    let mut m = d.deflate().unwrap();
    assert_eq!(m["name"], Value::from("Rex"));
    assert_eq!(m["breed"], Value::from("collie"));
    m.insert("tricks".into(), Value::from(3));
    let back = Dog::inflate_properties(m, Some("4:d:1".into())).unwrap();
    assert_eq!(back.animal, d.animal);
    assert_eq!(back.extra.len(), 1, "only undeclared properties are extra");
    d.extra.insert("legs".into(), Value::from(3));
    assert!(matches!(d.deflate(), Err(Error::DeflateConflict { .. })));

    let r = Dog::nodes()
        .filter(Animal::legs().gte(4).lift() & Dog::breed().isnull(false))
        .order_by(Animal::name().asc().lift())
        .statement()
        .render();
    assert_eq!(
        r.text,
        "MATCH (n:Dog:Pet:Animal) WHERE n.legs >= $p0 AND n.breed IS NOT NULL\n\
         RETURN n AS n ORDER BY n.name"
    );
}

#[derive(Node, Debug)]
struct Loose {
    id: ElementId,
    name: String,
    #[ogm(extra)]
    extra: Map,
}

fn alice() -> Person {
    Person {
        id: ElementId::unsaved(),
        name: "Alice".into(),
        age: Some(30),
        score: 1,
        born: Some(Date { days: 3000 }),
        tags: vec!["a".into()],
    }
}

#[derive(Node, Debug)]
struct AllOptional {
    id: ElementId,
    note: Option<String>,
}

#[test]
fn merging_needs_a_key() {
    assert!(AllOptional::merge_keys().is_empty());
    let item = AllOptional {
        id: ElementId::unsaved(),
        note: None,
    };
    // The executor is never reached: the check comes first.
    struct Unreachable;
    impl crate::Executor for Unreachable {
        async fn run(self, _: boltline::Query) -> crate::Result<Vec<boltline::Record>> {
            unreachable!("no statement may run")
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt
        .block_on(AllOptional::get_or_create(vec![item], Unreachable))
        .unwrap_err();
    assert!(matches!(err, Error::NoMergeKey { .. }), "{err:?}");
}

#[test]
fn derive_metadata() {
    assert_eq!(Person::labels(), &["Person", "Human"]);
    let props = Person::properties();
    assert_eq!(props.len(), 5);
    assert_eq!(props[0].db_name, "name");
    assert!(props[0].required && props[0].unique);
    assert_eq!((props[1].field, props[1].db_name), ("age", "years"));
    assert!(!props[1].required && props[1].index);
    assert!(!props[2].required, "a default makes it not required");
    assert_eq!(Person::merge_keys(), vec!["name"]);
    assert_eq!(Loose::merge_keys(), vec!["name"]);
}

#[test]
fn deflate_and_inflate() {
    let p = alice();
    let map = p.deflate().unwrap();
    assert_eq!(map["name"], Value::from("Alice"));
    assert_eq!(map["years"], Value::from(30));
    assert_eq!(map["born"], Value::Date(Date { days: 3000 }));
    assert!(!map.contains_key("age"));
    let back = Person::inflate_properties(map, Some("4:x:1".into())).unwrap();
    assert_eq!(back.element_id(), Some("4:x:1"));
    assert_eq!(back.name, "Alice");
    assert_eq!(back.age, Some(30));

    // Missing optional -> None, missing with default -> default,
    // missing required -> RequiredProperty, wrong type -> PropertyType.
    let mut m = Map::new();
    m.insert("name".into(), Value::from("Bob"));
    m.insert("tags".into(), Value::List(vec![]));
    let bob = Person::inflate_properties(m.clone(), None).unwrap();
    assert_eq!((bob.age, bob.score, bob.born), (None, 10, None));
    m.remove("name");
    assert!(matches!(
        Person::inflate_properties(m.clone(), None),
        Err(Error::RequiredProperty {
            property: "name",
            ..
        })
    ));
    m.insert("name".into(), Value::from(5));
    assert!(matches!(
        Person::inflate_properties(m, None),
        Err(Error::PropertyType {
            property: "name",
            ..
        })
    ));
    assert!(matches!(
        Person::inflate(Value::from(1)),
        Err(Error::NotANode { .. })
    ));
}

#[test]
fn validation_runs_on_deflate() {
    let mut p = alice();
    p.name = "  ".into();
    assert!(matches!(
        p.deflate(),
        Err(Error::Validation {
            property: "name",
            ..
        })
    ));
}

#[test]
fn semi_structured_keeps_and_checks_extra_properties() {
    let mut m = Map::new();
    m.insert("name".into(), Value::from("x"));
    m.insert("weight".into(), Value::from(11));
    let mut l = Loose::inflate_properties(m, None).unwrap();
    assert_eq!(l.extra["weight"], Value::from(11));
    assert_eq!(l.deflate().unwrap()["weight"], Value::from(11));
    l.extra.insert("name".into(), Value::from("clash"));
    assert!(matches!(l.deflate(), Err(Error::DeflateConflict { .. })));
}

#[test]
fn nodeset_renders_typed_filters_as_parameters() {
    let set = Person::nodes()
        .filter(Person::name().startswith("Al") | Person::name().iendswith("CE"))
        .exclude(Person::age().lt(18))
        .filter(Person::age().is_in([30, 40]))
        .filter(Person::born().isnull(false))
        .order_by(Person::name().asc())
        .order_by(Person::age().desc())
        .skip(2)
        .limit(5);
    let r = set.statement().render();
    assert_eq!(
        r.text,
        "MATCH (n:Person:Human) WHERE (n.name STARTS WITH $p0 OR toLower(n.name) ENDS WITH \
         toLower($p1)) AND NOT (n.years < $p2) AND n.years IN $p3 AND n.born IS NOT NULL\n\
         RETURN n AS n ORDER BY n.name, n.years DESC SKIP $p4 LIMIT $p5"
    );
    assert_eq!(r.params["p0"], Value::from("Al"));
    assert_eq!(r.params["p1"], Value::from("CE"));
    assert_eq!(r.params["p2"], Value::from(18));
    assert_eq!(
        r.params["p3"],
        Value::List(vec![Value::from(30), Value::from(40)])
    );
    let c = set.count_statement().render();
    assert_eq!(
        c.text,
        "MATCH (n:Person:Human) WHERE (n.name STARTS WITH $p0 OR toLower(n.name) ENDS WITH \
         toLower($p1)) AND NOT (n.years < $p2) AND n.years IN $p3 AND n.born IS NOT NULL\n\
         WITH n AS n SKIP $p4 LIMIT $p5\nRETURN count(DISTINCT n) AS count"
    );
    let plain = Person::nodes().count_statement().render();
    assert_eq!(
        plain.text,
        "MATCH (n:Person:Human)\nRETURN count(DISTINCT n) AS count"
    );
}

#[test]
fn every_text_operator_is_a_parameter() {
    let evil = "') OR 1=1 //";
    let qs = [
        Person::name().exact(evil),
        Person::name().ne(evil),
        Person::name().iexact(evil),
        Person::name().contains(evil),
        Person::name().icontains(evil),
        Person::name().startswith(evil),
        Person::name().istartswith(evil),
        Person::name().endswith(evil),
        Person::name().iendswith(evil),
        Person::name().regex(evil),
        Person::name().gt(evil),
        Person::name().lte(evil),
    ];
    let ops = [
        "=",
        "<>",
        "=",
        "CONTAINS",
        "CONTAINS",
        "STARTS WITH",
        "STARTS WITH",
        "ENDS WITH",
        "ENDS WITH",
        "=~",
        ">",
        "<=",
    ];
    for (q, op) in qs.into_iter().zip(ops) {
        let r = Person::nodes().filter(q).statement().render();
        assert!(!r.text.contains(evil), "{}", r.text);
        assert!(r.text.contains(&format!(" {op} ")), "{op}: {}", r.text);
        assert_eq!(r.params["p0"], Value::from(evil));
    }
}

#[test]
fn write_statements() {
    let p = alice();
    let r = statements::create::<Person>(p.deflate().unwrap(), &[]).render();
    assert_eq!(
        r.text,
        "CREATE (n:Person:Human)\nSET n = $p0\nRETURN elementId(n) AS id"
    );
    assert!(matches!(r.params["p0"], Value::Map(_)));
    let r = statements::update::<Person>("4:x:1", p.deflate().unwrap(), &[]).render();
    assert_eq!(
        r.text,
        "MATCH (n:Person:Human) WHERE elementId(n) = $p0\nSET n += $p1\nRETURN elementId(n) AS id"
    );
    let r =
        statements::merge_many::<Person>(vec![(p.deflate().unwrap(), Vec::new())], true).render();
    assert_eq!(
        r.text,
        "UNWIND $p0 AS row\nMERGE (n:Person:Human {name: row.props.name}) ON CREATE SET n = \
         row.props ON MATCH SET n += row.props\nRETURN row.i AS i, n AS n"
    );
    let r = statements::create_many::<Person>(vec![(p.deflate().unwrap(), Vec::new())]).render();
    assert_eq!(
        r.text,
        "UNWIND $p0 AS row\nCREATE (n:Person:Human)\nSET n = row.props\nRETURN row.i AS i, elementId(n) AS id"
    );
}

#[test]
fn schema_of_a_model() {
    let s = ModelSchema::of::<Person>();
    let texts: Vec<String> = s.statements.iter().map(|s| s.render().text).collect();
    assert_eq!(
        texts,
        [
            "CREATE CONSTRAINT Person_name_unique IF NOT EXISTS FOR (x:Person) REQUIRE x.name IS UNIQUE",
            "CREATE INDEX Person_years_index IF NOT EXISTS FOR (x:Person) ON (x.years)",
        ]
    );
}

#[test]
fn the_derive_registers_every_concrete_model() {
    let all = ModelSchema::registered();
    let names: Vec<&str> = all.iter().map(|m| m.model).collect();
    // Models of this module and of nested ones, in name order; the
    // abstract base is not there (it has no label to install on).
    for m in ["Animal", "Note", "Novel", "Person", "Tweet"] {
        assert!(names.contains(&m), "{m} missing from {names:?}");
    }
    assert!(!names.contains(&"Stamped"), "{names:?}");
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    // Each registered schema is the model's own.
    let person = all.iter().find(|m| m.model == "Person").unwrap();
    assert_eq!(*person, ModelSchema::of::<Person>());
}

mod relations {
    use super::*;
    use crate::cardinality::RelProps;
    use crate::{One, Relationship};

    #[derive(Relationship, Debug, Default, PartialEq)]
    struct Wrote {
        year: Option<i64>,
    }

    #[derive(Node, Debug)]
    struct Author {
        id: ElementId,
        name: String,
        #[ogm(rel = "AUTHOR", incoming)]
        books: Relation<Book, ZeroOrMore, One, Wrote>,
    }

    #[derive(Node, Debug)]
    struct Book {
        id: ElementId,
        title: String,
        #[ogm(rel = "AUTHOR")]
        author: Relation<Author, One, ZeroOrMore, Wrote>,
    }

    #[test]
    fn related_filters_are_exists_subqueries() {
        let q = Book::author().any(Author::name().exact("Rowling"))
            & Book::author().any_with(Wrote::year().lt(2000), None);
        let r = Book::nodes().filter(q).statement().render();
        assert_eq!(
            r.text,
            "MATCH (n:Book) WHERE EXISTS { MATCH (n)-[r0:AUTHOR]->(m0:Author) WHERE m0.name = $p0 } \
             AND EXISTS { MATCH (n)-[r0:AUTHOR]->(m0:Author) WHERE r0.year < $p1 }\nRETURN n AS n"
        );
        // Nested: authors of a book by someone named like this.
        let q = Author::books().any(Book::author().any(Author::name().startswith("J")));
        let r = Author::nodes().filter(q).statement().render();
        assert_eq!(
            r.text,
            "MATCH (n:Author) WHERE EXISTS { MATCH (n)<-[r0:AUTHOR]-(m0:Book) WHERE EXISTS { MATCH \
             (m0)-[r1:AUTHOR]->(m1:Author) WHERE m1.name STARTS WITH $p0 } }\nRETURN n AS n"
        );
    }

    #[test]
    fn get_or_create_under_a_node_merges_the_whole_path() {
        let author = Author {
            id: ElementId::unsaved(),
            name: "Le Guin".into(),
            books: Relation::default(),
        };
        let rows = vec![(author.deflate().unwrap(), Vec::new())];
        let r = Book::author()
            .merge_under_statement("b:1", rows, false)
            .render();
        assert_eq!(
            r.text,
            "MATCH (a:Book) WHERE elementId(a) = $p0\n\
             SET a.__boltline_lock = true\n\
             REMOVE a.__boltline_lock\n\
             WITH a, COUNT { MATCH (a)-[:AUTHOR]->(:Author) } AS from_source\n\
             UNWIND $p1 AS row\n\
             WITH a, from_source, collect(row) AS rows, sum(CASE WHEN EXISTS { MATCH \
             (a)-[:AUTHOR]->(:Author {name: row.props.name}) } THEN $p2 ELSE $p3 END) AS missing\n\
             WITH a, from_source, rows, missing, missing <= ($p4 - from_source) AS ok\n\
             CALL { WITH a, ok, rows UNWIND CASE WHEN ok THEN rows ELSE [] END AS row \
             MERGE (a)-[:AUTHOR]->(n:Author {name: row.props.name}) ON CREATE SET n = row.props \
             RETURN collect({i: row.i, n: n}) AS merged }\n\
             RETURN ok, from_source, missing, merged"
        );
        assert_eq!(r.params["p0"], Value::from("b:1"));
        // A book has `One` author: no more than one minus those it has.
        assert_eq!(r.params["p4"], Value::from(1));
        let Value::List(rows) = &r.params["p1"] else {
            panic!("rows: {:?}", r.params["p1"]);
        };
        let Value::Map(row) = &rows[0] else {
            panic!("row: {:?}", rows[0]);
        };
        assert_eq!(row["i"], Value::from(0));
        let Value::Map(props) = &row["props"] else {
            panic!("props: {:?}", row["props"]);
        };
        assert_eq!(props["name"], Value::from("Le Guin"));

        // create_or_update: found nodes get the properties; an unbounded
        // side (an author's books) is never refused; the incoming
        // direction is kept.
        let book = Book {
            id: ElementId::unsaved(),
            title: "Earthsea".into(),
            author: Relation::default(),
        };
        let rows = vec![(book.deflate().unwrap(), Vec::new())];
        let r = Author::books()
            .merge_under_statement("a:1", rows, true)
            .render();
        assert!(
            r.text.contains(
                "WITH a, from_source, rows, missing, true AS ok\n\
                 CALL { WITH a, ok, rows UNWIND CASE WHEN ok THEN rows ELSE [] END AS row \
                 MERGE (a)<-[:AUTHOR]-(n:Book {title: row.props.title}) ON CREATE SET n = \
                 row.props ON MATCH SET n += row.props RETURN"
            ),
            "{}",
            r.text
        );
    }

    #[test]
    fn unique_variables_share_a_path_between_traversals() {
        let pair = || {
            (
                Author::books().matching(Book::title().exact("Dune")),
                Author::books().then(Book::author()),
            )
        };
        // By default each traversal has its own books: the second fetches
        // the authors of every book.
        let r = Author::nodes().fetch_related(pair()).statement().render();
        assert_eq!(
            r.text,
            "MATCH (n:Author)\nRETURN n AS n, [[(n)<-[r0:AUTHOR]-(t0:Book) WHERE t0.title = $p0 | t0], \
             [(n)<-[r0:AUTHOR]-(t0:Book) | [t0, [(t0)-[r1:AUTHOR]->(t1:Author) | t1]]]] AS related"
        );
        // Shared: the books of both are those matching, as one variable.
        let r = Author::nodes()
            .fetch_related(pair())
            .unique_variables(Author::books())
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Author)\nRETURN n AS n, [[(n)<-[r0:AUTHOR]-(t0:Book) WHERE t0.title = $p0 | t0], \
             [(n)<-[r0:AUTHOR]-(t0:Book) WHERE t0.title = $p1 | [t0, [(t0)-[r1:AUTHOR]->(t1:Author) | t1]]]] AS related"
        );
        assert_eq!(r.params["p1"], Value::from("Dune"));
        // A two-hop path shares both steps; conditions on both sides are
        // combined; another path (the second hop alone is not the root's)
        // is left alone; relationship conditions are never shared.
        let r = Author::nodes()
            .fetch_related((
                Author::books()
                    .matching(Book::title().startswith("D"))
                    .then(Book::author().matching(Author::name().exact("Frank"))),
                Author::books()
                    .matching_rel(Wrote::year().gt(1960))
                    .matching(Book::title().endswith("e"))
                    .then(Book::author()),
            ))
            .unique_variables(Author::books().then(Book::author()))
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Author)\nRETURN n AS n, [[(n)<-[r0:AUTHOR]-(t0:Book) WHERE t0.title STARTS WITH $p0 \
             AND t0.title ENDS WITH $p1 | [t0, [(t0)-[r1:AUTHOR]->(t1:Author) WHERE t1.name = $p2 | t1]]], \
             [(n)<-[r0:AUTHOR]-(t0:Book) WHERE (t0.title STARTS WITH $p3 AND t0.title ENDS WITH $p4) \
             AND r0.year > $p5 | [t0, [(t0)-[r1:AUTHOR]->(t1:Author) WHERE t1.name = $p6 | t1]]]] AS related"
        );
    }

    #[test]
    fn fetch_related_in_the_same_query() {
        let r = Book::nodes()
            .filter(Book::title().startswith("H"))
            .fetch_related(Book::author())
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Book) WHERE n.title STARTS WITH $p0\n\
             RETURN n AS n, [(n)-[r0:AUTHOR]->(t0:Author) | t0] AS related"
        );
    }

    #[test]
    fn multi_hop_and_shaped_traversals_are_one_statement() {
        // Book -> its author -> the author's books, filtered on the way.
        let r = Book::nodes()
            .traverse(
                Book::author()
                    .matching(Author::name().startswith("J"))
                    .then(Author::books().matching_rel(Wrote::year().gte(1990))),
            )
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Book)\nRETURN n AS n, [(n)-[r0:AUTHOR]->(t0:Author) WHERE t0.name STARTS WITH $p0 \
             | [t0, [(t0)<-[r1:AUTHOR]-(t1:Book) WHERE r1.year >= $p1 | t1]]] AS related"
        );
        assert_eq!(r.params["p0"], Value::from("J"));
        assert_eq!(r.params["p1"], Value::from(1990));
        // Relationships with their nodes, and two traversals side by side.
        let r = Author::nodes()
            .fetch_related((Author::books().with_rel(), Author::books()))
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Author)\nRETURN n AS n, [[(n)<-[r0:AUTHOR]-(t0:Book) | [r0, t0]], \
             [(n)<-[r0:AUTHOR]-(t0:Book) | t0]] AS related"
        );
    }

    #[test]
    fn annotate_subquery_and_transform_render_in_order() {
        let body = crate::cypher::Statement::new()
            .match_(
                crate::cypher::Pattern::node(crate::cypher::NodePattern::var("n")).then(
                    crate::cypher::RelPattern::new(
                        None,
                        "AUTHOR",
                        crate::cypher::Direction::Incoming,
                    ),
                    crate::cypher::NodePattern::labelled("b", &["Book"]),
                ),
                None,
            )
            .return_(crate::cypher::Projection::of(
                crate::cypher::Expr::Func("max", vec![crate::cypher::Expr::var("b").prop("title")]),
                Some("last_title"),
            ));
        let set = Author::nodes()
            .filter(Author::name().ne("x"))
            .subquery(body, &["last_title"])
            .intermediate_transform(crate::Transform {
                items: vec![(Author::books().count(), "n_books".into())],
                where_: Some(
                    crate::cypher::Expr::var("n_books")
                        .binary(crate::cypher::BinOp::Gt, crate::cypher::Expr::value(1)),
                ),
                ..Default::default()
            })
            .annotate("titles", Author::books().collect(Book::title()))
            .order_by_expr(crate::cypher::Expr::var("n_books"), true)
            .limit(5);
        let r = set.annotated_statement().render();
        assert_eq!(
            r.text,
            "MATCH (n:Author) WHERE n.name <> $p0\n\
             CALL { WITH n MATCH (n)<-[:AUTHOR]-(b:Book) RETURN max(b.title) AS last_title }\n\
             WITH n, last_title, COUNT { MATCH (n)<-[:AUTHOR]-(:Book) } AS n_books WHERE n_books > $p1\n\
             RETURN n AS n, last_title AS last_title, n_books AS n_books, \
             [(n)<-[:AUTHOR]-(c:Book) | c.title] AS titles ORDER BY n_books DESC LIMIT $p2"
        );
        // count and get go through the same stages.
        let r = set.count_statement().render();
        assert!(r.text.contains("CALL { WITH n"), "{}", r.text);
        assert!(r.text.contains("WHERE n_books > $p1"), "{}", r.text);
    }

    #[test]
    fn connect_merges_on_the_pair_and_non_null_properties() {
        let mut props = Map::new();
        props.insert("year".into(), Value::from(1997));
        let r = Book::author()
            .connect_statement("b:1", "a:1", props, Wrote::on_create())
            .render();
        assert_eq!(
            r.text,
            "MATCH (a:Book) WHERE elementId(a) = $p0\n\
             MATCH (b:Author) WHERE elementId(b) = $p1\n\
             SET a.__boltline_lock = true, b.__boltline_lock = true\n\
             REMOVE a.__boltline_lock, b.__boltline_lock\n\
             WITH a, b, COUNT { MATCH (a)-[:AUTHOR]->(:Author) } AS from_source, \
             COUNT { MATCH (s:Book)-[:AUTHOR]->(b) } AS to_target, \
             COUNT { MATCH (a)-[:AUTHOR {year: $p2}]->(b) } AS existing\n\
             WITH a, b, from_source, to_target, existing > $p3 OR from_source < $p4 AS ok\n\
             FOREACH (_ IN CASE WHEN ok THEN [true] ELSE [] END | \
             MERGE (a)-[r:AUTHOR {year: $p5}]->(b) ON CREATE SET r = $p6 ON MATCH SET r += $p7)\n\
             RETURN DISTINCT ok, from_source, to_target"
        );
        assert_eq!(r.params["p0"], Value::from("b:1"));
        assert_eq!(r.params["p2"], Value::from(1997));
        assert_eq!(r.params["p3"], Value::from(0));
        assert_eq!(r.params["p4"], Value::from(1));
        // A null property is not part of the pattern (it is removed from a
        // matched relationship by `+=`).
        let mut props = Map::new();
        props.insert("year".into(), Value::Null);
        let r = Author::books()
            .connect_statement("a:1", "b:1", props, Wrote::on_create())
            .render();
        assert!(
            r.text.contains("MERGE (a)<-[r:AUTHOR]-(b) ON CREATE"),
            "{}",
            r.text
        );
        assert!(
            r.text
                .contains("COUNT { MATCH (a)<-[:AUTHOR]-(b) } AS existing"),
            "{}",
            r.text
        );
        // From the other side, the Book's `One` is the far end's maximum.
        assert!(r.text.contains("OR to_target < $p"), "{}", r.text);
    }

    #[derive(Relationship, Debug, Default, PartialEq)]
    struct Met {
        place: Option<String>,
        #[ogm(on_create, db_property = "metAt")]
        at: Option<i64>,
    }

    #[test]
    fn on_create_properties_stay_out_of_the_merge_pattern() {
        assert_eq!(Met::on_create(), &["metAt"]);
        assert!(Wrote::on_create().is_empty());
        let rel = crate::Rel::<Book, Author, ZeroOrMore, ZeroOrMore, Met>::new(
            "MET",
            crate::cypher::Direction::Either,
        );
        let props = Met {
            place: Some("Paris".into()),
            at: Some(1_700_000_000),
        }
        .deflate()
        .unwrap();
        let r = rel
            .connect_statement("b:1", "a:1", props, Met::on_create())
            .render();
        // No maximum on either end: always allowed.
        assert!(r.text.contains("true AS ok"), "{}", r.text);
        assert!(
            r.text.contains(
                "MERGE (a)-[r:MET {place: $p3}]-(b) ON CREATE SET r = $p4 ON MATCH SET r += $p5"
            ),
            "{}",
            r.text
        );
        let Value::Map(created) = &r.params["p4"] else {
            panic!("{:?}", r.params["p4"]);
        };
        assert_eq!(created["metAt"], Value::from(1_700_000_000));
        let Value::Map(matched) = &r.params["p5"] else {
            panic!("{:?}", r.params["p5"]);
        };
        assert_eq!(matched.get("metAt"), None);
        assert_eq!(matched["place"], Value::from("Paris"));
    }

    fn handle() -> crate::RelHandle<Book, Author, One, ZeroOrMore, Wrote> {
        let rel = boltline::Relationship {
            id: 7,
            start_node_id: 1,
            end_node_id: 2,
            rel_type: "AUTHOR".into(),
            properties: [("year".to_owned(), Value::from(1997))]
                .into_iter()
                .collect(),
            element_id: Some("r:7".into()),
            start_node_element_id: Some("b:1".into()),
            end_node_element_id: Some("a:2".into()),
        };
        crate::RelHandle::from_value(Book::author(), Value::Relationship(rel), "b:1", "a:2")
            .unwrap()
    }

    #[test]
    fn a_relationship_handle_is_saved_refreshed_and_deleted_by_element_id() {
        let mut h = handle();
        assert_eq!(h.element_id(), "r:7");
        assert_eq!((h.start_node_id(), h.end_node_id()), ("b:1", "a:2"));
        assert_eq!((h.source_id(), h.target_id()), ("b:1", "a:2"));
        assert_eq!(h.props, Wrote { year: Some(1997) });
        h.props.year = Some(1998);
        let r = h.save_statement().unwrap().render();
        assert_eq!(
            r.text,
            "MATCH ()-[r:AUTHOR]->() WHERE elementId(r) = $p0\nSET r = $p1\nRETURN r AS r"
        );
        assert_eq!(r.params["p0"], Value::from("r:7"));
        let Value::Map(props) = &r.params["p1"] else {
            panic!("{:?}", r.params["p1"]);
        };
        assert_eq!(props["year"], Value::from(1998));
        assert_eq!(
            h.refresh_statement().render().text,
            "MATCH ()-[r:AUTHOR]->() WHERE elementId(r) = $p0\nRETURN r AS r"
        );
        assert_eq!(
            h.delete_statement().render().text,
            "MATCH ()-[r:AUTHOR]->() WHERE elementId(r) = $p0\nDELETE r\nRETURN count(*) AS removed"
        );
    }

    #[test]
    fn connect_parallel_always_creates_after_checking_both_ends() {
        let mut props = Map::new();
        props.insert("year".into(), Value::from(1997));
        let r = Book::author()
            .connect_parallel_statement("b:1", "a:1", props)
            .render();
        assert_eq!(
            r.text,
            "MATCH (a:Book) WHERE elementId(a) = $p0\n\
             MATCH (b:Author) WHERE elementId(b) = $p1\n\
             SET a.__boltline_lock = true, b.__boltline_lock = true\n\
             REMOVE a.__boltline_lock, b.__boltline_lock\n\
             WITH a, b, COUNT { MATCH (a)-[:AUTHOR]->(:Author) } AS from_source, \
             COUNT { MATCH (s:Book)-[:AUTHOR]->(b) } AS to_target\n\
             WITH a, b, from_source, to_target, from_source < $p2 AS ok\n\
             FOREACH (_ IN CASE WHEN ok THEN [true] ELSE [] END | CREATE (a)-[r:AUTHOR]->(b) SET r = $p3)\n\
             RETURN DISTINCT ok, from_source, to_target"
        );
        assert_eq!(r.params["p0"], Value::from("b:1"));
        assert_eq!(r.params["p2"], Value::from(1));
        let r = Author::books()
            .connect_parallel_statement("a:1", "b:1", Map::new())
            .render();
        assert!(r.text.contains("CREATE (a)<-[r:AUTHOR]-(b)"), "{}", r.text);
        assert!(r.text.contains("to_target < $p2 AS ok"), "{}", r.text);
    }

    #[derive(Debug)]
    enum Either {
        Book(Book),
        Author(Author),
    }

    impl crate::FromNode for Either {
        fn from_node(node: boltline::Node) -> crate::Result<Self> {
            if node.labels.iter().any(|l| l == "Author") {
                Author::from_node(node).map(Either::Author)
            } else {
                Book::from_node(node).map(Either::Book)
            }
        }
    }

    fn node(id: i64, label: &str, key: &str, value: &str) -> boltline::Node {
        let mut properties = Map::new();
        properties.insert(key.into(), Value::from(value));
        boltline::Node {
            id,
            labels: vec![label.into()],
            properties,
            element_id: Some(format!("4:x:{id}")),
        }
    }

    fn rel(id: i64, year: i64) -> boltline::UnboundRelationship {
        let mut properties = Map::new();
        properties.insert("year".into(), Value::from(year));
        boltline::UnboundRelationship {
            id,
            rel_type: "AUTHOR".into(),
            properties,
            element_id: None,
        }
    }

    #[test]
    fn paths_resolve_into_models() {
        // (emma:Book)-[:AUTHOR]->(jane:Author)<-[:AUTHOR]-(persuasion:Book)
        let path = boltline::Path {
            nodes: vec![
                node(1, "Book", "title", "Emma"),
                node(2, "Author", "name", "Jane"),
                node(3, "Book", "title", "Persuasion"),
            ],
            relationships: vec![rel(10, 1815), rel(11, 1817)],
            indices: vec![1, 1, -2, 2],
        };
        let p = crate::ModelPath::<Either, Wrote>::from_value(Value::Path(path.clone())).unwrap();
        assert_eq!(p.nodes.len(), 3);
        assert!(matches!(&p.nodes[0], Either::Book(b) if b.title == "Emma"));
        assert!(matches!(&p.nodes[1], Either::Author(a) if a.name == "Jane"));
        assert!(matches!(&p.nodes[2], Either::Book(b) if b.title == "Persuasion"));
        assert_eq!(
            p.relationships,
            [Wrote { year: Some(1815) }, Wrote { year: Some(1817) }]
        );
        assert_eq!(p.forward, [true, false]);
        assert_eq!(p.rel_types, ["AUTHOR", "AUTHOR"]);
        // All nodes as one model: the author is not a Book.
        assert!(matches!(
            crate::ModelPath::<Book, Wrote>::from_value(Value::Path(path.clone())),
            Err(Error::NotANode { model: "Book", .. })
        ));
        // Bad indices and non-paths are errors, not panics.
        let mut bad = path;
        bad.indices = vec![5, 1];
        assert!(crate::ModelPath::<Either, Wrote>::from_value(Value::Path(bad)).is_err());
        assert!(crate::ModelPath::<Either, Wrote>::from_value(Value::Null).is_err());
    }

    #[test]
    fn delete_keeps_far_end_minimums() {
        // A book needs its one author: deleting an author is checked.
        assert_eq!(Book::delete_checks(), vec![]);
        assert_eq!(
            statements::delete_checked::<Book>("b:1").render().text,
            "MATCH (n) WHERE elementId(n) = $p0\nDETACH DELETE n"
        );
        let checks = Author::delete_checks();
        assert_eq!(checks.len(), 1);
        assert_eq!((checks[0].target, checks[0].min), ("Book", 1));
        let r = statements::delete_checked::<Author>("a:1").render();
        assert_eq!(
            r.text,
            "MATCH (n) WHERE elementId(n) = $p0\n\
             FOREACH (x IN [(n)<-[:AUTHOR]-(t0:Book) | t0] | SET x.__boltline_lock = true REMOVE x.__boltline_lock)\n\
             WITH n, EXISTS { MATCH (n)<-[:AUTHOR]-(t0:Book) WHERE COUNT { MATCH (s0:Author)<-[:AUTHOR]-(t0) } <= $p1 } AS c0\n\
             WITH n, c0, NOT c0 AS ok\n\
             FOREACH (_ IN CASE WHEN ok THEN [true] ELSE [] END | DETACH DELETE n)\n\
             RETURN ok, c0"
        );
        assert_eq!(r.params["p1"], Value::from(1));
    }

    #[test]
    fn create_connected_makes_node_and_relationship_in_one_statement() {
        let mut node = Map::new();
        node.insert("title".into(), Value::from("Emma"));
        let r = Book::author()
            .create_connected_statement(node, &[], "a:1", Map::new())
            .render();
        assert_eq!(
            r.text,
            "MATCH (b:Author) WHERE elementId(b) = $p0\n\
             SET b.__boltline_lock = true\n\
             REMOVE b.__boltline_lock\n\
             WITH b, COUNT { MATCH (s:Book)-[:AUTHOR]->(b) } AS to_target\n\
             WITH b, to_target, true AS ok\n\
             CALL { WITH b, ok UNWIND CASE WHEN ok THEN [true] ELSE [] END AS _ \
             CREATE (a:Book) SET a = $p1 CREATE (a)-[r:AUTHOR]->(b) SET r = $p2 \
             RETURN collect(elementId(a)) AS created }\n\
             RETURN ok, to_target, created"
        );
        assert_eq!(r.params["p0"], Value::from("a:1"));
        assert!(matches!(&r.params["p1"], Value::Map(m) if m["title"] == Value::from("Emma")));
        // An author created for a book: the book's `One` is checked.
        let r = Author::books()
            .create_connected_statement(Map::new(), &[], "b:1", Map::new())
            .render();
        assert!(r.text.contains("to_target < $p1 AS ok"), "{}", r.text);
        assert!(r.text.contains("CREATE (a)<-[r:AUTHOR]-(b)"), "{}", r.text);
        assert_eq!(r.params["p1"], Value::from(1));
    }
}

mod extras {
    use super::*;
    use crate::{Json, Relationship, Uuid};

    #[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
    struct Settings {
        theme: String,
    }

    #[derive(Relationship, Debug, Default)]
    struct Rated {
        #[ogm(index)]
        stars: Option<i64>,
        #[ogm(unique)]
        review_id: Option<String>,
    }

    #[derive(Node, Debug, PartialEq)]
    struct Member {
        id: ElementId,
        #[ogm(unique, default = Uuid::new_v4)]
        uid: Uuid,
        settings: Json<Settings>,
        raw: Option<serde_json::Value>,
        #[ogm(optional_label = "Retired")]
        retired: bool,
        #[ogm(rel = "RATED")]
        rated: Relation<Member, ZeroOrMore, ZeroOrMore, Rated>,
        #[ogm(rel = "ALSO_RATED")]
        also: Relation<Member, ZeroOrMore, ZeroOrMore, Rated>,
    }

    #[derive(Node, Debug)]
    #[ogm(label = "Staff")]
    struct Staff {
        id: ElementId,
        #[ogm(parent)]
        member: Member,
        #[ogm(optional_label = "Manager")]
        manager: bool,
    }

    fn member(retired: bool) -> Member {
        Member {
            id: ElementId::unsaved(),
            uid: Uuid::parse("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap(),
            settings: Json(Settings {
                theme: "dark".into(),
            }),
            raw: Some(serde_json::json!({"k": [1, 2]})),
            retired,
            rated: Relation::default(),
            also: Relation::default(),
        }
    }

    #[test]
    fn json_and_uuid_are_stored_as_text() {
        let m = member(true);
        let props = m.deflate().unwrap();
        assert_eq!(
            props["uid"],
            Value::from("67e55044-10b1-426f-9247-bb680e5fe0c8")
        );
        assert_eq!(props["settings"], Value::from(r#"{"theme":"dark"}"#));
        assert_eq!(props["raw"], Value::from(r#"{"k":[1,2]}"#));
        assert!(!props.contains_key("retired"), "a label, not a property");
        // Inflated from a node: the flag follows the labels.
        let node = boltline::packstream::Node {
            id: 1,
            labels: vec!["Member".into(), "Retired".into()],
            properties: props.clone(),
            element_id: Some("4:x:1".into()),
        };
        let back = Member::inflate(Value::Node(node)).unwrap();
        assert_eq!(back.settings, m.settings);
        assert!(back.retired);
        let node = boltline::packstream::Node {
            id: 1,
            labels: vec!["Member".into()],
            properties: props,
            element_id: Some("4:x:1".into()),
        };
        assert!(!Member::inflate(Value::Node(node)).unwrap().retired);
        // Filters compare the stored text, as parameters.
        let r = Member::nodes()
            .filter(Member::uid().exact(m.uid) & Member::settings().exact(m.settings.clone()))
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Member) WHERE n.uid = $p0 AND n.settings = $p1\nRETURN n AS n"
        );
        assert_eq!(r.params["p1"], Value::from(r#"{"theme":"dark"}"#));
        // A bad stored value is a typed error naming the property.
        let mut bad = m.deflate().unwrap();
        bad.insert("uid".into(), Value::from("nope"));
        assert!(matches!(
            Member::inflate_properties(bad, None),
            Err(Error::PropertyType {
                property: "uid",
                ..
            })
        ));
        // A value that does not serialize is refused on write.
        #[derive(Node, Debug)]
        struct Odd {
            id: ElementId,
            map: Json<std::collections::HashMap<(i32, i32), i32>>,
        }
        let odd = Odd {
            id: ElementId::unsaved(),
            map: Json([((1, 2), 3)].into_iter().collect()),
        };
        assert!(matches!(
            odd.deflate(),
            Err(Error::Validation {
                property: "map",
                ..
            })
        ));
    }

    #[test]
    fn optional_labels_follow_their_flags() {
        let m = member(true);
        assert_eq!(m.optional_labels(), vec![("Retired", true)]);
        assert_eq!(Member::labels(), &["Member"], "not required by queries");
        let r = statements::create::<Member>(Map::new(), &m.optional_labels()).render();
        assert_eq!(
            r.text,
            "CREATE (n:Member)\nSET n = $p0\n\
             FOREACH (_ IN CASE WHEN $p1 THEN [true] ELSE [] END | SET n:Retired)\n\
             RETURN elementId(n) AS id"
        );
        assert_eq!(r.params["p1"], Value::Boolean(true));
        let r = statements::update::<Member>("4:x:1", Map::new(), &[("Retired", false)]).render();
        assert_eq!(
            r.text,
            "MATCH (n:Member) WHERE elementId(n) = $p0\nSET n += $p1\n\
             FOREACH (_ IN CASE WHEN $p2 THEN [true] ELSE [] END | SET n:Retired)\n\
             FOREACH (_ IN CASE WHEN $p3 THEN [] ELSE [true] END | REMOVE n:Retired)\n\
             RETURN elementId(n) AS id"
        );
        let r = statements::create_many::<Member>(vec![(Map::new(), m.optional_labels())]).render();
        assert!(
            r.text.contains(
                "FOREACH (_ IN CASE WHEN row.flags.Retired THEN [true] ELSE [] END | SET n:Retired)"
            ),
            "{}",
            r.text
        );
        let r = statements::merge_many::<Member>(vec![(Map::new(), m.optional_labels())], false)
            .render();
        assert_eq!(
            r.text,
            "UNWIND $p0 AS row\nMERGE (n:Member {uid: row.props.uid}) ON CREATE SET n = row.props, \
             n.__boltline_created = true\n\
             FOREACH (_ IN CASE WHEN row.flags.Retired AND n.__boltline_created IS NOT NULL \
             THEN [true] ELSE [] END | SET n:Retired)\n\
             REMOVE n.__boltline_created\nRETURN row.i AS i, n AS n"
        );
        let r = statements::merge_many::<Member>(vec![(Map::new(), m.optional_labels())], true)
            .render();
        assert_eq!(
            r.text,
            "UNWIND $p0 AS row\nMERGE (n:Member {uid: row.props.uid}) ON CREATE SET n = row.props \
             ON MATCH SET n += row.props\n\
             FOREACH (_ IN CASE WHEN row.flags.Retired THEN [true] ELSE [] END | SET n:Retired)\n\
             FOREACH (_ IN CASE WHEN row.flags.Retired THEN [] ELSE [true] END | REMOVE n:Retired)\n\
             RETURN row.i AS i, n AS n"
        );
        let r = Member::nodes()
            .filter(Member::retired().is(true))
            .exclude(Member::retired().is(false))
            .statement()
            .render();
        assert_eq!(
            r.text,
            "MATCH (n:Member) WHERE n:Retired AND NOT (NOT n:Retired)\nRETURN n AS n"
        );
        // A child model has its own and its parent's.
        let s = Staff {
            id: ElementId::unsaved(),
            member: member(false),
            manager: true,
        };
        assert_eq!(
            s.optional_labels(),
            vec![("Manager", true), ("Retired", false)]
        );
        let mut s = s;
        s.set_optional_labels(&["Retired".into()]);
        assert!(!s.manager && s.member.retired);
    }

    #[test]
    fn relationship_property_indexes_are_installed() {
        let texts: Vec<String> = ModelSchema::of::<Member>()
            .statements
            .iter()
            .map(|s| s.render().text)
            .collect();
        assert_eq!(
            texts,
            [
                "CREATE CONSTRAINT Member_uid_unique IF NOT EXISTS FOR (x:Member) REQUIRE x.uid IS UNIQUE",
                "CREATE INDEX RATED_stars_index IF NOT EXISTS FOR ()-[x:RATED]-() ON (x.stars)",
                "CREATE CONSTRAINT RATED_review_id_unique IF NOT EXISTS FOR ()-[x:RATED]-() REQUIRE x.review_id IS UNIQUE",
                "CREATE INDEX ALSO_RATED_stars_index IF NOT EXISTS FOR ()-[x:ALSO_RATED]-() ON (x.stars)",
                "CREATE CONSTRAINT ALSO_RATED_review_id_unique IF NOT EXISTS FOR ()-[x:ALSO_RATED]-() REQUIRE x.review_id IS UNIQUE",
            ]
        );
        // The child's schema includes its parent's relationships.
        assert!(ModelSchema::of::<Staff>()
            .statements
            .iter()
            .any(|s| s.render().text.contains("FOR ()-[x:RATED]-()")));
    }
}

mod regex_fields {
    use super::*;

    #[derive(Node, Debug)]
    struct Plate {
        id: ElementId,
        #[ogm(regex = r"[A-Z]{2}-\d{3}")]
        code: String,
        #[ogm(regex = "[a-z]+")]
        nick: Option<String>,
        #[ogm(regex = "(unclosed")]
        broken: Option<String>,
    }

    fn plate(code: &str, nick: Option<&str>) -> Plate {
        Plate {
            id: ElementId::unsaved(),
            code: code.into(),
            nick: nick.map(str::to_owned),
            broken: None,
        }
    }

    #[test]
    fn the_whole_value_must_match() {
        assert!(plate("AB-123", Some("abc")).deflate().is_ok());
        assert!(
            plate("AB-123", None).deflate().is_ok(),
            "None is not checked"
        );
        for bad in ["ab-123", "AB-1234", "xAB-123", "AB-123\n"] {
            let err = plate(bad, None).deflate().unwrap_err();
            assert!(
                matches!(&err, Error::Validation { property: "code", message, .. } if message.contains("does not match")),
                "{bad:?}: {err:?}"
            );
        }
        assert!(matches!(
            plate("AB-123", Some("ABC")).deflate(),
            Err(Error::Validation {
                property: "nick",
                ..
            })
        ));
        // A pattern that does not compile is an error on write, not a panic.
        let mut p = plate("AB-123", None);
        p.broken = Some("x".into());
        assert!(matches!(
            p.deflate(),
            Err(Error::Validation { property: "broken", message, .. }) if message.contains("does not compile")
        ));
    }
}
