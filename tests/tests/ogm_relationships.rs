//! boltline-ogm relationships against a real Neo4j: the Book/Author
//! example, relationship properties, filters on related nodes, and
//! cardinality enforced on both ends, under concurrent connects too.

use boltline::Query;
use boltline_itests::{ogm_db as db, unique_tag};
use boltline_ogm::prelude::*;
use boltline_ogm::{Error, RelHandle, Relationship};

fn tag() -> String {
    unique_tag("ogm")
}

#[derive(Relationship, Debug, Default, Clone, PartialEq)]
struct Wrote {
    year: Option<i64>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItBook")]
struct Book {
    id: ElementId,
    tag: String,
    title: String,
    #[ogm(rel = "OGM_AUTHOR")]
    author: Relation<Author, One, ZeroOrMore, Wrote>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItAuthor")]
struct Author {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(rel = "OGM_AUTHOR", incoming)]
    books: Relation<Book, ZeroOrMore, One, Wrote>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItTeam")]
struct Team {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(rel = "OGM_MEMBER")]
    members: Relation<Player, OneOrMore, ZeroOrOne>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPlayer")]
struct Player {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(rel = "OGM_FRIEND", undirected)]
    friends: Relation<Player>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPost")]
struct Post {
    id: ElementId,
    tag: String,
    #[ogm(rel = "OGM_COMMENT")]
    comments: Relation<Comment, ZeroOrMore, One>,
}

/// Merged on `tag` and `text` (its required properties); `likes` is
/// what `create_or_update` changes.
#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItComment")]
struct Comment {
    id: ElementId,
    tag: String,
    text: String,
    likes: Option<i64>,
}

#[derive(Relationship, Debug, Default, Clone, PartialEq)]
struct Knows {
    how: Option<String>,
    #[ogm(on_create)]
    since: Option<i64>,
}

#[derive(Node, Debug, Clone, PartialEq)]
#[ogm(label = "OgmItPerson")]
struct Person {
    id: ElementId,
    tag: String,
    name: String,
    #[ogm(rel = "OGM_KNOWS")]
    knows: Relation<Person, ZeroOrMore, ZeroOrMore, Knows>,
}

async fn book(db: &Database, t: &str, title: &str) -> Book {
    let mut b = Book {
        id: ElementId::unsaved(),
        tag: t.into(),
        title: title.into(),
        author: Relation::default(),
    };
    b.save(db).await.unwrap();
    b
}

async fn author(db: &Database, t: &str, name: &str) -> Author {
    let mut a = Author {
        id: ElementId::unsaved(),
        tag: t.into(),
        name: name.into(),
        books: Relation::default(),
    };
    a.save(db).await.unwrap();
    a
}

async fn player(db: &Database, t: &str, name: &str) -> Player {
    let mut p = Player {
        id: ElementId::unsaved(),
        tag: t.into(),
        name: name.into(),
        friends: Relation::default(),
    };
    p.save(db).await.unwrap();
    p
}

async fn cleanup(db: &Database, t: &str) {
    db.cypher_query(
        Query::new(
            "MATCH (n) WHERE (n:OgmItBook OR n:OgmItAuthor OR n:OgmItTeam OR n:OgmItPlayer OR n:OgmItPerson \
             OR n:OgmItPost OR n:OgmItComment) \
             AND n.tag = $tag DETACH DELETE n",
        )
        .param("tag", t),
    )
    .await
    .expect("cleanup");
}

fn violation<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::CardinalityViolation { .. }))
}

#[tokio::test]
async fn books_and_authors() {
    let db = db();
    let t = tag();
    let hp = book(&db, &t, "Harry Potter").await;
    let ck = book(&db, &t, "The Cuckoo's Calling").await;
    let rowling = author(&db, &t, "J. K. Rowling").await;
    let galbraith = author(&db, &t, "Robert Galbraith").await;

    // A book's one author: `single` fails while there is none.
    assert!(violation(Book::author().of(&hp).single(&db).await));
    Book::author()
        .of(&hp)
        .connect_with(&rowling, Wrote { year: Some(1997) }, &db)
        .await
        .unwrap();
    // Connecting the same pair again matches (MERGE): allowed although the
    // book's `One` is taken, and still one relationship.
    Book::author()
        .of(&hp)
        .connect_with(&rowling, Wrote { year: Some(1997) }, &db)
        .await
        .unwrap();
    Author::books()
        .of(&galbraith)
        .connect(&ck, &db)
        .await
        .unwrap();
    assert_eq!(Book::author().of(&hp).single(&db).await.unwrap(), rowling);
    assert!(Book::author()
        .of(&hp)
        .is_connected(&rowling, &db)
        .await
        .unwrap());
    assert!(!Book::author()
        .of(&hp)
        .is_connected(&galbraith, &db)
        .await
        .unwrap());
    assert_eq!(
        Book::author()
            .of(&hp)
            .relationship(&rowling, &db)
            .await
            .unwrap()
            .map(RelHandle::into_props),
        Some(Wrote { year: Some(1997) })
    );
    assert_eq!(
        Author::books()
            .of(&rowling)
            .all_relationships(&hp, &db)
            .await
            .unwrap()
            .into_iter()
            .map(RelHandle::into_props)
            .collect::<Vec<_>>(),
        [Wrote { year: Some(1997) }]
    );

    // The book side is full: a second author is refused, from either side.
    assert!(violation(
        Book::author().of(&hp).connect(&galbraith, &db).await
    ));
    assert!(violation(
        Author::books().of(&galbraith).connect(&hp, &db).await
    ));
    assert_eq!(
        Author::books().of(&galbraith).all(&db).await.unwrap(),
        std::slice::from_ref(&ck)
    );

    // Filters on related nodes and relationship properties, one statement.
    let by_rowling = Book::nodes()
        .filter(Book::tag().exact(t.clone()))
        .filter(Book::author().any(Author::name().startswith("J.")))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(by_rowling, std::slice::from_ref(&hp));
    let early = Book::nodes()
        .filter(Book::tag().exact(t.clone()))
        .filter(Book::author().any_with(Wrote::year().lt(2000), None))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(early, 1);
    let with_author = Author::nodes()
        .filter(Author::tag().exact(t.clone()))
        .filter(Author::books().exists())
        .count(&db)
        .await
        .unwrap();
    assert_eq!(with_author, 2);
    assert_eq!(
        Author::books()
            .of(&rowling)
            .match_rel(Wrote::year().gt(1990))
            .unwrap()
            .all(&db)
            .await
            .unwrap(),
        std::slice::from_ref(&hp)
    );
    assert_eq!(
        Author::books()
            .of(&galbraith)
            .nodes()
            .unwrap()
            .filter(Book::title().contains("Cuckoo"))
            .get(&db)
            .await
            .unwrap(),
        ck
    );

    // Each book with its author, in one query.
    let fetched = Book::nodes()
        .filter(Book::tag().exact(t.clone()))
        .order_by(Book::title().asc())
        .fetch_related(Book::author())
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        fetched,
        [
            (hp.clone(), vec![rowling.clone()]),
            (ck.clone(), vec![galbraith.clone()])
        ]
    );

    // Reconnect moves the relationship, properties kept; replace swaps all.
    Book::author()
        .of(&hp)
        .reconnect(&rowling, &galbraith, &db)
        .await
        .unwrap();
    assert_eq!(Book::author().of(&hp).single(&db).await.unwrap(), galbraith);
    assert_eq!(
        Book::author()
            .of(&hp)
            .relationship(&galbraith, &db)
            .await
            .unwrap()
            .map(RelHandle::into_props),
        Some(Wrote { year: Some(1997) })
    );
    assert!(matches!(
        Book::author()
            .of(&hp)
            .reconnect(&rowling, &galbraith, &db)
            .await,
        Err(Error::NotConnected { .. })
    ));
    Book::author()
        .of(&hp)
        .replace(&rowling, Wrote { year: Some(2001) }, &db)
        .await
        .unwrap();
    assert_eq!(Book::author().of(&hp).single(&db).await.unwrap(), rowling);
    assert!(Author::books().of(&galbraith).all(&db).await.unwrap() == std::slice::from_ref(&ck));
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn minimum_and_far_end_cardinality() {
    let db = db();
    let t = tag();
    let mut red = Team {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "red".into(),
        members: Relation::default(),
    };
    red.save(&db).await.unwrap();
    let mut blue = red.clone();
    blue.set_element_id(None);
    blue.name = "blue".into();
    blue.save(&db).await.unwrap();
    let ann = player(&db, &t, "Ann").await;
    let bob = player(&db, &t, "Bob").await;

    Team::members().of(&red).connect(&ann, &db).await.unwrap();
    Team::members().of(&red).connect(&bob, &db).await.unwrap();
    // A player is in at most one team (the far end's ZeroOrOne).
    assert!(violation(
        Team::members().of(&blue).connect(&ann, &db).await
    ));
    // OneOrMore: the last member stays.
    Team::members()
        .of(&red)
        .disconnect(&bob, &db)
        .await
        .unwrap();
    assert!(violation(
        Team::members().of(&red).disconnect(&ann, &db).await
    ));
    assert_eq!(
        Team::members().of(&red).all(&db).await.unwrap(),
        std::slice::from_ref(&ann)
    );

    // Undirected ZeroOrMore: connect from either side (the second finds
    // the first), disconnect all.
    Player::friends().of(&ann).connect(&bob, &db).await.unwrap();
    Player::friends().of(&bob).connect(&ann, &db).await.unwrap();
    assert!(Player::friends()
        .of(&bob)
        .is_connected(&ann, &db)
        .await
        .unwrap());
    assert_eq!(
        Player::friends().of(&bob).all(&db).await.unwrap(),
        std::slice::from_ref(&ann)
    );
    assert_eq!(
        Player::friends()
            .of(&bob)
            .disconnect_all(&db)
            .await
            .unwrap(),
        1
    );
    assert!(Player::friends()
        .of(&ann)
        .all(&db)
        .await
        .unwrap()
        .is_empty());
    cleanup(&db, &t).await;
}

async fn count_knows(db: &Database, t: &str) -> Vec<(Option<String>, Option<i64>)> {
    let records = db
        .cypher_query(
            Query::new(
                "MATCH (:OgmItPerson {tag: $tag})-[r:OGM_KNOWS]->(:OgmItPerson {tag: $tag}) \
                 RETURN r.how AS how, r.since AS since ORDER BY how, since",
            )
            .param("tag", t),
        )
        .await
        .unwrap();
    records
        .records()
        .iter()
        .map(|r| (r.get_as("how").unwrap(), r.get_as("since").unwrap()))
        .collect()
}

#[tokio::test]
async fn connect_twice_leaves_one_relationship() {
    let db = db();
    let t = tag();
    let mut people = Vec::new();
    for name in ["Ann", "Bea"] {
        let mut p = Person {
            id: ElementId::unsaved(),
            tag: t.clone(),
            name: name.into(),
            knows: Relation::default(),
        };
        p.save(&db).await.unwrap();
        people.push(p);
    }
    let (ann, bea) = (&people[0], &people[1]);
    let knows = |how: Option<&str>, since: i64| Knows {
        how: how.map(str::to_owned),
        since: Some(since),
    };
    let work = || Some("work".to_owned());
    Person::knows()
        .of(ann)
        .connect_with(bea, knows(Some("work"), 1), &db)
        .await
        .unwrap();
    // Same pair, same properties: matched; the `on_create` one is kept.
    Person::knows()
        .of(ann)
        .connect_with(bea, knows(Some("work"), 2), &db)
        .await
        .unwrap();
    assert_eq!(count_knows(&db, &t).await, [(work(), Some(1))]);
    // Different properties: a second relationship, as in neomodel.
    Person::knows()
        .of(ann)
        .connect_with(bea, knows(Some("school"), 3), &db)
        .await
        .unwrap();
    assert_eq!(
        count_knows(&db, &t).await,
        [(Some("school".to_owned()), Some(3)), (work(), Some(1))]
    );
    // An explicit parallel relationship.
    Person::knows()
        .of(ann)
        .connect_parallel(bea, knows(Some("work"), 4), &db)
        .await
        .unwrap();
    assert_eq!(
        count_knows(&db, &t).await,
        [
            (Some("school".to_owned()), Some(3)),
            (work(), Some(1)),
            (work(), Some(4))
        ]
    );
    assert_eq!(
        Person::knows()
            .of(ann)
            .all_relationships(bea, &db)
            .await
            .unwrap()
            .len(),
        3
    );
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn relationship_properties_are_updated_in_place() {
    let db = db();
    let t = tag();
    let mut people = Vec::new();
    for name in ["Cy", "Di"] {
        let mut p = Person {
            id: ElementId::unsaved(),
            tag: t.clone(),
            name: name.into(),
            knows: Relation::default(),
        };
        p.save(&db).await.unwrap();
        people.push(p);
    }
    let (cy, di) = (&people[0], &people[1]);
    let first = Knows {
        how: Some("work".into()),
        since: Some(2020),
    };
    Person::knows()
        .of(cy)
        .connect_with(di, first.clone(), &db)
        .await
        .unwrap();
    let mut h = Person::knows()
        .of(cy)
        .relationship(di, &db)
        .await
        .unwrap()
        .expect("connected");
    assert_eq!(h.props, first);
    assert_eq!(h.start_node_id(), cy.element_id().unwrap());
    assert_eq!(h.end_node_id(), di.element_id().unwrap());
    assert_eq!(h.source(&db).await.unwrap(), *cy);
    assert_eq!(h.target(&db).await.unwrap(), *di);
    let id = h.element_id().to_owned();

    h.props.how = Some("school".into());
    h.props.since = None;
    h.save(&db).await.unwrap();
    assert_eq!(h.element_id(), id);
    // In place: still one relationship, same element id, new properties.
    assert_eq!(
        count_knows(&db, &t).await,
        [(Some("school".to_owned()), None)]
    );
    let again = Person::knows()
        .of(cy)
        .all_relationships(di, &db)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].element_id(), id);

    // Refresh sees a change made elsewhere.
    let mut other = again.into_iter().next().unwrap();
    other.props.since = Some(1999);
    other.save(&db).await.unwrap();
    h.refresh(&db).await.unwrap();
    assert_eq!(h.props.since, Some(1999));

    // Delete; a second delete or save finds nothing.
    let stale = h.clone();
    h.delete(&db).await.unwrap();
    assert!(count_knows(&db, &t).await.is_empty());
    assert!(matches!(
        stale.clone().delete(&db).await,
        Err(Error::DoesNotExist { .. })
    ));
    let mut stale = stale;
    assert!(matches!(
        stale.save(&db).await,
        Err(Error::DoesNotExist { .. })
    ));
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn concurrent_connects_respect_both_ends() {
    let db = db();
    let t = tag();
    let hp = book(&db, &t, "Contested").await;
    let mut authors = Vec::new();
    for i in 0..8 {
        authors.push(author(&db, &t, &format!("A{i}")).await);
    }
    // Eight authors race for a book that takes one.
    let tasks: Vec<_> = authors
        .iter()
        .cloned()
        .map(|a| {
            let db = db.clone();
            let b = hp.clone();
            tokio::spawn(async move { Author::books().of(&a).connect(&b, &db).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => ok += 1,
            Err(Error::CardinalityViolation { .. }) => {}
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let n = Author::nodes()
        .filter(Author::tag().exact(t.clone()))
        .filter(Author::books().exists())
        .count(&db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn create_connected_makes_a_node_with_its_required_relationship() {
    let db = db();
    let t = tag();
    let ursula = author(&db, &t, "Ursula").await;
    // A book is created with its `One` author in one statement.
    let mut lathe = Book {
        id: ElementId::unsaved(),
        tag: t.clone(),
        title: "Lathe of Heaven".into(),
        author: Relation::default(),
    };
    Book::author()
        .create_connected(&mut lathe, &ursula, Wrote { year: Some(1971) }, &db)
        .await
        .unwrap();
    assert!(lathe.element_id().is_some());
    let found: Author = Book::author().of(&lathe).single(&db).await.unwrap();
    assert_eq!(found, ursula);
    assert_eq!(
        Book::author()
            .of(&lathe)
            .relationship(&ursula, &db)
            .await
            .unwrap()
            .map(RelHandle::into_props),
        Some(Wrote { year: Some(1971) })
    );
    // Saved already: refused, nothing written.
    assert!(matches!(
        Book::author()
            .create_connected(&mut lathe, &ursula, Wrote::default(), &db)
            .await,
        Err(Error::AlreadySaved { .. })
    ));

    // From the other side the far end (a book's `One`) is checked: an
    // author created for a book that has one already is refused and not
    // created at all.
    let mut other = Author {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "Impostor".into(),
        books: Relation::default(),
    };
    assert!(violation(
        Author::books()
            .create_connected(&mut other, &lathe, Wrote::default(), &db)
            .await
    ));
    assert!(other.element_id().is_none());
    assert!(Author::nodes()
        .filter(Author::tag().exact(t.clone()) & Author::name().exact("Impostor"))
        .is_empty(&db)
        .await
        .unwrap());

    // A book saved plainly has no author: the minimum shows when read.
    let lonely = book(&db, &t, "Lonely").await;
    assert!(violation(Book::author().of(&lonely).single(&db).await));
    cleanup(&db, &t).await;
}

/// Counts the statements OGM calls send.
struct Counting<'a> {
    db: &'a Database,
    sent: std::sync::atomic::AtomicUsize,
}

impl boltline_ogm::Executor for &Counting<'_> {
    async fn run(self, query: Query) -> boltline_ogm::Result<Vec<boltline::Record>> {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        boltline_ogm::Executor::run(self.db, query).await
    }
}

#[tokio::test]
async fn multi_hop_traversal_and_annotations_in_one_query() {
    let db = db();
    let t = tag();
    let ann = author(&db, &t, "Ann").await;
    let bea = author(&db, &t, "Bea").await;
    let mut titles = Vec::new();
    for (title, a, year) in [
        ("A1", &ann, 1990),
        ("A2", &ann, 2001),
        ("A3", &ann, 2010),
        ("B1", &bea, 1985),
    ] {
        let mut b = Book {
            id: ElementId::unsaved(),
            tag: t.clone(),
            title: title.into(),
            author: Relation::default(),
        };
        Book::author()
            .create_connected(&mut b, a, Wrote { year: Some(year) }, &db)
            .await
            .unwrap();
        titles.push(b);
    }
    let c = Counting {
        db: &db,
        sent: Default::default(),
    };
    let books = || Book::nodes().filter(Book::tag().exact(t.clone()));

    // Book -> author -> the author's books since 2000: one statement.
    let rows = books()
        .order_by(Book::title().asc())
        .traverse(
            Book::author().then(
                Author::books()
                    .matching_rel(Wrote::year().gte(2000))
                    .with_rel(),
            ),
        )
        .all(&c)
        .await
        .unwrap();
    assert_eq!(c.sent.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(rows.len(), 4);
    let (b1, authors) = &rows[3];
    assert_eq!(b1.title, "B1");
    assert_eq!(authors.len(), 1);
    assert_eq!(authors[0].0, bea);
    assert!(authors[0].1.is_empty(), "Bea has no book since 2000");
    let (a1, authors) = &rows[0];
    assert_eq!(a1.title, "A1");
    assert_eq!(authors[0].0, ann);
    let mut recent: Vec<(Option<i64>, String)> = authors[0]
        .1
        .iter()
        .map(|(w, b)| (w.year, b.title.clone()))
        .collect();
    recent.sort();
    assert_eq!(
        recent,
        [(Some(2001), "A2".to_owned()), (Some(2010), "A3".to_owned())]
    );

    // Two traversals side by side, and a filtered one.
    let rows = Author::nodes()
        .filter(Author::tag().exact(t.clone()))
        .order_by(Author::name().asc())
        .fetch_related((
            Author::books().matching(Book::title().endswith("1")),
            Author::books().with_rel(),
        ))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let (a, (firsts, all)) = &rows[0];
    assert_eq!(a.name, "Ann");
    assert_eq!(firsts.len(), 1);
    assert_eq!(firsts[0].title, "A1");
    assert_eq!(all.len(), 3);

    // Annotations, a subquery and an intermediate transform: authors with
    // more than one book, their count, titles and latest year, one query.
    use boltline_ogm::cypher::{
        BinOp, Direction, Expr, NodePattern, Pattern, Projection, RelPattern, Statement,
    };
    let latest = Statement::new()
        .match_(
            Pattern::node(NodePattern::var("n")).then(
                RelPattern::new(Some("w"), "OGM_AUTHOR", Direction::Incoming),
                NodePattern::labelled("b", &["OgmItBook"]),
            ),
            None,
        )
        .return_(Projection::of(
            Expr::Func("max", vec![Expr::var("w").prop("year")]),
            Some("latest"),
        ));
    c.sent.store(0, std::sync::atomic::Ordering::SeqCst);
    let rows = Author::nodes()
        .filter(Author::tag().exact(t.clone()))
        .subquery(latest, &["latest"])
        .intermediate_transform(boltline_ogm::Transform {
            items: vec![(Author::books().count(), "n_books".into())],
            where_: Some(Expr::var("n_books").binary(BinOp::Gt, Expr::value(1))),
            ..Default::default()
        })
        .annotate("titles", Author::books().collect(Book::title()))
        .order_by_expr(Expr::var("n_books"), true)
        .all_annotated(&c)
        .await
        .unwrap();
    assert_eq!(c.sent.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(rows.len(), 1, "only Ann has more than one book");
    assert_eq!(rows[0].node, ann);
    assert_eq!(rows[0].get::<i64>("n_books").unwrap(), 3);
    assert_eq!(rows[0].get::<i64>("latest").unwrap(), 2010);
    let mut got: Vec<String> = rows[0].get("titles").unwrap();
    got.sort();
    assert_eq!(got, ["A1", "A2", "A3"]);
    assert!(matches!(
        rows[0].get::<String>("n_books"),
        Err(Error::AnnotationType { .. })
    ));
    assert_eq!(rows[0].get::<Option<i64>>("missing").unwrap(), None);
    // count goes through the same stages.
    assert_eq!(
        Author::nodes()
            .filter(Author::tag().exact(t.clone()))
            .intermediate_transform(boltline_ogm::Transform {
                items: vec![(Author::books().count(), "n_books".into())],
                where_: Some(Expr::var("n_books").binary(BinOp::Gt, Expr::value(1))),
                ..Default::default()
            })
            .count(&db)
            .await
            .unwrap(),
        1
    );
    cleanup(&db, &t).await;
}

#[derive(Debug)]
enum BookOrAuthor {
    Book(Book),
    Author(Author),
}

impl boltline_ogm::FromNode for BookOrAuthor {
    fn from_node(node: boltline::Node) -> boltline_ogm::Result<Self> {
        if node.labels.iter().any(|l| l == "OgmItAuthor") {
            Author::from_node(node).map(BookOrAuthor::Author)
        } else {
            Book::from_node(node).map(BookOrAuthor::Book)
        }
    }
}

#[tokio::test]
async fn cypher_query_paths_resolve_into_models() {
    let db = db();
    let t = tag();
    let jane = author(&db, &t, "Jane").await;
    for (title, year) in [("Emma", 1815), ("Persuasion", 1817)] {
        let mut b = Book {
            id: ElementId::unsaved(),
            tag: t.clone(),
            title: title.into(),
            author: Relation::default(),
        };
        Book::author()
            .create_connected(&mut b, &jane, Wrote { year: Some(year) }, &db)
            .await
            .unwrap();
    }
    let paths = db
        .cypher_query_paths::<BookOrAuthor, Wrote>(
            Query::new(
                "MATCH p = (a:OgmItBook {tag: $tag, title: 'Emma'})-[:OGM_AUTHOR]->(:OgmItAuthor)\
                 <-[:OGM_AUTHOR]-(b:OgmItBook) RETURN p",
            )
            .param("tag", t.clone()),
            "p",
        )
        .await
        .unwrap();
    assert_eq!(paths.len(), 1);
    let p = &paths[0];
    assert!(matches!(&p.nodes[0], BookOrAuthor::Book(b) if b.title == "Emma"));
    assert!(matches!(&p.nodes[1], BookOrAuthor::Author(a) if *a == jane));
    assert!(matches!(&p.nodes[2], BookOrAuthor::Book(b) if b.title == "Persuasion"));
    assert_eq!(
        p.relationships,
        [Wrote { year: Some(1815) }, Wrote { year: Some(1817) }]
    );
    assert_eq!(p.forward, [true, false]);
    // As one model: the author in the middle is refused, not mis-read.
    let err = db
        .cypher_query_paths::<Book, Wrote>(
            Query::new("MATCH p = (:OgmItBook {tag: $tag})-[:OGM_AUTHOR]->(:OgmItAuthor) RETURN p")
                .param("tag", t.clone()),
            "p",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotANode { model: "Book", .. }),
        "{err:?}"
    );
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn delete_refuses_to_leave_a_required_end_empty() {
    let db = db();
    let t = tag();
    let mut ann = author(&db, &t, "Ann").await;
    let bea = author(&db, &t, "Bea").await;
    let mut b = Book {
        id: ElementId::unsaved(),
        tag: t.clone(),
        title: "Only Ann's".into(),
        author: Relation::default(),
    };
    Book::author()
        .create_connected(&mut b, &ann, Wrote::default(), &db)
        .await
        .unwrap();
    // A book must keep its one author: Ann cannot go while it is hers.
    let err = ann.delete(&db).await.unwrap_err();
    assert!(
        matches!(&err, Error::CardinalityViolation { detail, .. } if detail.contains("Book")),
        "{err:?}"
    );
    assert!(ann.element_id().is_some(), "still saved");
    assert!(Author::nodes()
        .filter(Author::tag().exact(t.clone()) & Author::name().exact("Ann"))
        .get_or_none(&db)
        .await
        .unwrap()
        .is_some());
    // Once the book has moved to Bea, Ann can go; a book can go any time.
    Book::author()
        .of(&b)
        .reconnect(&ann, &bea, &db)
        .await
        .unwrap();
    ann.delete(&db).await.unwrap();
    assert!(ann.element_id().is_none());
    b.delete(&db).await.unwrap();
    let mut bea = bea;
    bea.delete(&db).await.unwrap();
    cleanup(&db, &t).await;
}

async fn count_rows(db: &Database, cypher: &str, t: &str) -> i64 {
    let r = db
        .cypher_query(Query::new(cypher.to_owned()).param("tag", t))
        .await
        .unwrap();
    r.records()[0].get_as("c").unwrap()
}

#[tokio::test]
async fn get_or_create_under_a_node_is_one_atomic_merge() {
    let db = db();
    let t = tag();
    let comment = |text: &str, likes: Option<i64>| Comment {
        id: ElementId::unsaved(),
        tag: t.clone(),
        text: text.into(),
        likes,
    };
    let mut post = Post {
        id: ElementId::unsaved(),
        tag: t.clone(),
        comments: Relation::default(),
    };
    post.save(&db).await.unwrap();

    // Created under the post, then found there: one node, one relationship.
    let first = Post::comments()
        .of(&post)
        .get_or_create(vec![comment("hi", Some(1)), comment("yo", None)], &db)
        .await
        .unwrap();
    assert!(first.iter().all(|c| c.id.is_saved()));
    assert_eq!(first[0].text, "hi");
    assert_eq!(first[1].text, "yo");
    let again = Post::comments()
        .of(&post)
        .get_or_create(vec![comment("yo", Some(9)), comment("hi", Some(5))], &db)
        .await
        .unwrap();
    assert_eq!(again[0].id, first[1].id, "input order kept");
    assert_eq!(again[1].id, first[0].id);
    assert_eq!(
        again[1].likes,
        Some(1),
        "get_or_create leaves a found node alone"
    );
    let rels =
        "MATCH (:OgmItPost {tag: $tag})-[r:OGM_COMMENT]->(:OgmItComment) RETURN count(r) AS c";
    assert_eq!(count_rows(&db, rels, &t).await, 2);

    // A comment with the same keys elsewhere is not one of this post's:
    // the whole path is merged, as neomodel does.
    let mut other = Post {
        id: ElementId::unsaved(),
        tag: t.clone(),
        comments: Relation::default(),
    };
    other.save(&db).await.unwrap();
    let theirs = Post::comments()
        .of(&other)
        .create_or_update(vec![comment("hi", Some(7))], &db)
        .await
        .unwrap();
    assert_ne!(theirs[0].id, first[0].id);
    let nodes = "MATCH (c:OgmItComment {tag: $tag}) RETURN count(c) AS c";
    assert_eq!(count_rows(&db, nodes, &t).await, 3);

    // create_or_update: the found node gets the new properties.
    let updated = Post::comments()
        .of(&post)
        .create_or_update(vec![comment("hi", Some(42))], &db)
        .await
        .unwrap();
    assert_eq!(updated[0].id, first[0].id);
    assert_eq!(updated[0].likes, Some(42));
    assert_eq!(count_rows(&db, nodes, &t).await, 3);

    // The source's maximum: a book has One author. The first is created,
    // a second is refused and nothing is written; the same one is found.
    let b = book(&db, &t, "Earthsea").await;
    let le_guin = || Author {
        id: ElementId::unsaved(),
        tag: t.clone(),
        name: "Le Guin".into(),
        books: Relation::default(),
    };
    let a = Book::author()
        .of(&b)
        .get_or_create(vec![le_guin()], &db)
        .await
        .unwrap();
    let err = Book::author()
        .of(&b)
        .get_or_create(
            vec![Author {
                name: "Tolkien".into(),
                ..le_guin()
            }],
            &db,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CardinalityViolation { detail, .. } if detail.contains("1 more")),
        "{err:?}"
    );
    let authors = "MATCH (a:OgmItAuthor {tag: $tag}) RETURN count(a) AS c";
    assert_eq!(count_rows(&db, authors, &t).await, 1);
    let found = Book::author()
        .of(&b)
        .get_or_create(vec![le_guin()], &db)
        .await
        .unwrap();
    assert_eq!(found[0].id, a[0].id);
    assert_eq!(Book::author().of(&b).single(&db).await.unwrap().id, a[0].id);

    // An unsaved source is refused before anything is sent.
    let unsaved = Post {
        id: ElementId::unsaved(),
        tag: t.clone(),
        comments: Relation::default(),
    };
    let err = Post::comments()
        .of(&unsaved)
        .get_or_create(vec![comment("x", None)], &db)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotSaved { model: "Post" }), "{err:?}");
    cleanup(&db, &t).await;
}

#[tokio::test]
async fn unique_variables_share_the_nodes_of_a_path() {
    let db = db();
    let t = tag();
    let a = author(&db, &t, "Herbert").await;
    for title in ["Dune", "Whipping Star"] {
        let b = book(&db, &t, title).await;
        Book::author().of(&b).connect(&a, &db).await.unwrap();
    }
    let pair = || {
        (
            Author::books().matching(Book::title().exact("Dune")),
            Author::books().then(Book::author()),
        )
    };
    let set = || Author::nodes().filter(Author::tag().exact(t.clone()));
    // Each traversal has its own books: the second reaches both.
    let own = set().fetch_related(pair()).all(&db).await.unwrap();
    assert_eq!(own.len(), 1);
    let (dune, all) = &own[0].1;
    assert_eq!(dune.len(), 1);
    assert_eq!(all.len(), 2);
    // Shared: the second sees only the books the first matched.
    let shared = set()
        .fetch_related(pair())
        .unique_variables(Author::books())
        .all(&db)
        .await
        .unwrap();
    let (dune, books) = &shared[0].1;
    assert_eq!(dune.len(), 1);
    let titles: Vec<&str> = books.iter().map(|(b, _)| b.title.as_str()).collect();
    assert_eq!(titles, ["Dune"]);
    assert_eq!(books[0].1.len(), 1, "the book's author, fetched from it");
    cleanup(&db, &t).await;
}
