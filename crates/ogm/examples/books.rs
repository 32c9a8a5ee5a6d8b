//! Books and authors: a model pair with a relationship whose cardinality
//! is checked on both ends.
//!
//! `cargo run -p boltline-ogm --example books` (against `cargo xtask neo4j
//! start`).

mod common;

use boltline_ogm::prelude::*;
use boltline_ogm::Date;

#[derive(Node, Debug, Clone)]
#[ogm(label = "ExampleBook")]
struct Book {
    id: ElementId,
    #[ogm(unique)]
    title: String,
    published: Option<Date>,
    #[ogm(rel = "WRITTEN_BY")]
    author: Relation<Author, One>,
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "ExampleAuthor")]
struct Author {
    id: ElementId,
    #[ogm(unique)]
    name: String,
    #[ogm(rel = "WRITTEN_BY", incoming)]
    books: Relation<Book, ZeroOrMore, One>,
}

fn book(title: &str, days: i64) -> Book {
    Book {
        id: ElementId::unsaved(),
        title: title.into(),
        published: Some(Date { days }),
        author: Relation::default(),
    }
}

#[tokio::main]
async fn main() -> boltline_ogm::Result<()> {
    let db = common::database()?;
    db.install_labels::<Book>().await?;
    db.install_labels::<Author>().await?;

    // Atomic MERGEs on the unique keys: run concurrently, they still make
    // one node per key.
    let books = Book::get_or_create(
        vec![
            book("Harry Potter and the Philosopher's Stone", 10_039),
            book("The Cuckoo's Calling", 15_814),
        ],
        &db,
    )
    .await?;
    let authors = Author::get_or_create(
        vec![Author {
            id: ElementId::unsaved(),
            name: "J. K. Rowling".into(),
            books: Relation::default(),
        }],
        &db,
    )
    .await?;
    let rowling = &authors[0];
    for b in &books {
        // `replace` keeps a book at exactly one author.
        Book::author().of(b).replace(rowling, NoProps, &db).await?;
    }

    for (b, authors) in Book::nodes()
        .filter(Book::author().any(Author::name().istartswith("j. k.")))
        .order_by(Book::published().asc())
        .fetch_related(Book::author())
        .all(&db)
        .await?
    {
        let names: Vec<&str> = authors.iter().map(|a| a.name.as_str()).collect();
        println!("{} ({:?}) by {}", b.title, b.published, names.join(", "));
    }
    let n = Author::books().of(rowling).nodes()?.count(&db).await?;
    println!("{} has {n} books", rowling.name);

    // Leave the database as we found it (the constraints stay: installing
    // them is idempotent).
    for mut b in books {
        b.delete(&db).await?;
    }
    for mut a in authors {
        a.delete(&db).await?;
    }
    db.close().await;
    Ok(())
}
