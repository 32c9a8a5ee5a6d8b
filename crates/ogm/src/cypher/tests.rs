//! Rendering tests: exact text, and user values only as parameters.

use boltline::Value;

use super::*;

const EVIL: &str = "x'}) DETACH DELETE n //`$p0";

fn person() -> NodePattern {
    NodePattern::labelled("n", &["Person"])
}

#[test]
fn match_where_return_with_parameters() {
    let cond = Expr::And(vec![
        Expr::var("n")
            .prop("name")
            .binary(BinOp::StartsWith, Expr::value("Al")),
        Expr::var("n")
            .prop("age")
            .binary(BinOp::Gte, Expr::value(30)),
    ]);
    let st = Statement::new()
        .match_(person(), Some(cond))
        .return_(Projection {
            order: vec![OrderItem {
                expr: Expr::var("n").prop("name"),
                descending: true,
            }],
            skip: Some(5),
            limit: Some(10),
            ..Projection::of(Expr::var("n"), None)
        });
    let r = st.render();
    assert_eq!(
        r.text,
        "MATCH (n:Person) WHERE n.name STARTS WITH $p0 AND n.age >= $p1\n\
         RETURN n ORDER BY n.name DESC SKIP $p2 LIMIT $p3"
    );
    assert_eq!(r.params.len(), 4);
    assert_eq!(r.params["p0"], Value::from("Al"));
    assert_eq!(r.params["p1"], Value::from(30));
    assert_eq!(r.params["p2"], Value::from(5));
    assert_eq!(r.params["p3"], Value::from(10));
}

#[test]
fn user_values_never_reach_the_text() {
    let st = Statement::new()
        .match_(
            person().with_prop("name", Expr::value(EVIL)),
            Some(Expr::Or(vec![
                Expr::var("n")
                    .prop("bio")
                    .binary(BinOp::Contains, Expr::value(EVIL)),
                Expr::var("n")
                    .prop("tags")
                    .binary(BinOp::In, Expr::value(vec![Value::from(EVIL)])),
                !Expr::var("n").prop("x").eq(Expr::value(EVIL)),
            ])),
        )
        .push(Clause::Set(vec![SetItem::Prop(
            Expr::var("n").prop("note"),
            Expr::value(EVIL),
        )]))
        .return_(Projection::of(Expr::var("n"), None));
    let r = st.render();
    assert!(!r.text.contains("DETACH"), "{}", r.text);
    assert!(!r.text.contains('\''), "{}", r.text);
    assert_eq!(r.params.len(), 5);
    assert_eq!(r.params["p0"], Value::from(EVIL));
    assert_eq!(r.params["p4"], Value::from(EVIL));
    assert_eq!(
        r.text,
        "MATCH (n:Person {name: $p0}) WHERE n.bio CONTAINS $p1 OR n.tags IN $p2 OR \
         NOT (n.x = $p3)\nSET n.note = $p4\nRETURN n"
    );
}

#[test]
fn names_from_code_are_escaped() {
    let st = Statement::new()
        .match_(
            NodePattern::labelled("n", &["Bad`Label", "Ok"]).with_prop("a b", Expr::value(1)),
            Some(Expr::var("n").prop("se`lect").is_null()),
        )
        .return_(Projection::of(Expr::var("n"), Some("the node")));
    assert_eq!(
        st.render().text,
        "MATCH (n:`Bad``Label`:Ok {`a b`: $p0}) WHERE n.`se``lect` IS NULL\nRETURN n AS `the node`"
    );
}

#[test]
fn merge_unwind_and_relationships() {
    let st = Statement::new()
        .push(Clause::Unwind(Expr::param("rows"), "row".into()))
        .push(Clause::Merge {
            pattern: person()
                .with_prop("email", Expr::var("row").prop("email"))
                .into(),
            on_create: vec![SetItem::Replace("n".into(), Expr::var("row"))],
            on_match: vec![SetItem::Merge("n".into(), Expr::var("row"))],
        })
        .return_(Projection::of(Expr::var("n"), None));
    assert_eq!(
        st.render().text,
        "UNWIND $rows AS row\nMERGE (n:Person {email: row.email}) ON CREATE SET n = row \
         ON MATCH SET n += row\nRETURN n"
    );
    let rel = Pattern::node(NodePattern::var("a"))
        .then(
            RelPattern::new(Some("r"), "KNOWS", Direction::Outgoing),
            NodePattern::labelled("b", &["Person"]),
        )
        .then(
            RelPattern::new(None, "LIKES", Direction::Incoming),
            NodePattern::default(),
        );
    let st = Statement::new().match_(
        NodePattern::labelled("n", &["Person"]),
        Some(Expr::Exists(
            Box::new(rel),
            Some(Box::new(Expr::var("b").prop("name").eq(Expr::value("Bob")))),
        )),
    );
    let r = st.render();
    assert_eq!(
        r.text,
        "MATCH (n:Person) WHERE EXISTS { MATCH (a)-[r:KNOWS]->(b:Person)<-[:LIKES]-() \
         WHERE b.name = $p0 }"
    );
    assert_eq!(r.params["p0"], Value::from("Bob"));
}

#[test]
fn functions_counts_and_deletes() {
    let st = Statement::new()
        .match_(
            NodePattern::var("n"),
            Some(Expr::element_id_is("n", "4:abc:1")),
        )
        .push(Clause::Delete {
            detach: true,
            exprs: vec![Expr::var("n")],
        });
    let r = st.render();
    assert_eq!(
        r.text,
        "MATCH (n) WHERE elementId(n) = $p0\nDETACH DELETE n"
    );
    assert_eq!(r.params["p0"], Value::from("4:abc:1"));

    let st = Statement::new()
        .match_(
            person(),
            Some(
                Expr::var("n")
                    .prop("name")
                    .call("toLower")
                    .binary(BinOp::EndsWith, Expr::value("ice").call("toLower")),
            ),
        )
        .return_(Projection::of(
            Expr::FuncDistinct("count", Box::new(Expr::var("n"))),
            Some("count"),
        ));
    assert_eq!(
        st.render().text,
        "MATCH (n:Person) WHERE toLower(n.name) ENDS WITH toLower($p0)\n\
         RETURN count(DISTINCT n) AS count"
    );
}

#[test]
fn empty_boolean_lists() {
    let st = Statement::new()
        .match_(person(), Some(Expr::And(vec![])))
        .return_(Projection::of(Expr::CountStar, None));
    assert_eq!(
        st.render().text,
        "MATCH (n:Person) WHERE true\nRETURN count(*)"
    );
    let st = Statement::new().match_(person(), Some(Expr::Or(vec![])));
    assert_eq!(st.render().text, "MATCH (n:Person) WHERE false");
}

#[test]
fn schema_commands() {
    let c = SchemaStatement::Create {
        kind: SchemaKind::Unique,
        name: "uniq_Person_email".into(),
        label: "Person".into(),
        property: "email".into(),
        relationship: false,
    };
    assert_eq!(
        c.render().text,
        "CREATE CONSTRAINT uniq_Person_email IF NOT EXISTS FOR (x:Person) REQUIRE x.email IS UNIQUE"
    );
    let c = SchemaStatement::Create {
        kind: SchemaKind::Index,
        name: "idx".into(),
        label: "KNOWS".into(),
        property: "since".into(),
        relationship: true,
    };
    assert_eq!(
        c.render().text,
        "CREATE INDEX idx IF NOT EXISTS FOR ()-[x:KNOWS]-() ON (x.since)"
    );
    let c = SchemaStatement::Create {
        kind: SchemaKind::FullText,
        name: "ft `x".into(),
        label: "Book".into(),
        property: "title".into(),
        relationship: false,
    };
    assert_eq!(
        c.render().text,
        "CREATE FULLTEXT INDEX `ft ``x` IF NOT EXISTS FOR (x:Book) ON EACH [x.title]"
    );
    let c = SchemaStatement::Create {
        kind: SchemaKind::Vector {
            dimensions: 3,
            similarity: Similarity::Cosine,
        },
        name: "v".into(),
        label: "Doc".into(),
        property: "embedding".into(),
        relationship: false,
    };
    assert_eq!(
        c.render().text,
        "CREATE VECTOR INDEX v IF NOT EXISTS FOR (x:Doc) ON (x.embedding) OPTIONS \
         {indexConfig: {`vector.dimensions`: 3, `vector.similarity_function`: 'cosine'}}"
    );
    assert_eq!(
        SchemaStatement::DropIndex("a-b".into()).render().text,
        "DROP INDEX `a-b` IF EXISTS"
    );
}

#[test]
fn conditional_writes() {
    let st = Statement::new()
        .push(Clause::Foreach {
            var: "_".into(),
            list: Expr::Case(
                Box::new(Expr::var("ok")),
                Box::new(Expr::List(vec![Expr::Bool(true)])),
                Box::new(Expr::List(vec![])),
            ),
            body: vec![
                Clause::Create(vec![Pattern::node(NodePattern::var("a")).then(
                    RelPattern::new(Some("r"), "KNOWS", Direction::Outgoing),
                    NodePattern::var("b"),
                )]),
                Clause::Set(vec![SetItem::Replace(
                    "r".into(),
                    Expr::value(Value::Map(Default::default())),
                )]),
            ],
        })
        .push(Clause::Remove(vec![Expr::var("a").prop("lock")]));
    let r = st.render();
    assert_eq!(
        r.text,
        "FOREACH (_ IN CASE WHEN ok THEN [true] ELSE [] END | CREATE (a)-[r:KNOWS]->(b) SET r = $p0)\n\
         REMOVE a.lock"
    );
}
