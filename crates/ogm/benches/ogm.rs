//! The OGM against a real Neo4j (issue 7): creating 10k nodes in batches,
//! filter + traverse over 10k nodes, and 1,000 `connect`s (MERGE-based)
//! against `connect_parallel`, counting the queries the OGM sends.
//!
//! ```sh
//! BOLTLINE_NEO4J_PORT=17690 cargo xtask neo4j start
//! BOLTLINE_URI=bolt://127.0.0.1:17690 cargo bench -p boltline-ogm --bench ogm
//! ```
//!
//! Every query goes through [`Counting`], an [`Executor`] that counts what
//! it sends, so the "one query, not N+1" claim is measured, not assumed:
//! the run fails if a fetch that should be one query is not.

#[path = "../examples/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use boltline_ogm::boltline::{Query, Record};
use boltline_ogm::prelude::*;
use boltline_ogm::{Executor, Result};

/// Nodes per run.
const N: usize = 10_000;
/// Authors the books are spread over.
const AUTHORS: usize = 100;
/// Timed repetitions of each read.
const REPEAT: usize = 5;

#[derive(Node, Debug, Clone)]
#[ogm(label = "OgmBenchBook")]
struct Book {
    id: ElementId,
    #[ogm(index)]
    run: String,
    title: String,
    pages: i64,
    #[ogm(rel = "OGM_BENCH_BY")]
    author: Relation<Author, One>,
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "OgmBenchAuthor")]
struct Author {
    id: ElementId,
    #[ogm(index)]
    run: String,
    name: String,
    #[ogm(rel = "OGM_BENCH_BY", incoming)]
    books: Relation<Book, ZeroOrMore, One>,
}

/// An executor that counts the queries it runs.
struct Counting<'a> {
    db: &'a Database,
    sent: AtomicUsize,
}

impl Counting<'_> {
    fn take(&self) -> usize {
        self.sent.swap(0, Ordering::SeqCst)
    }
}

impl Executor for &Counting<'_> {
    async fn run(self, query: Query) -> Result<Vec<Record>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        Executor::run(self.db, query).await
    }
}

fn book(run: &str, i: usize) -> Book {
    Book {
        id: ElementId::unsaved(),
        run: run.into(),
        title: format!("Book {i:05}"),
        pages: i64::try_from(i % 1000).unwrap_or(0),
        author: Relation::default(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn cleanup(db: &Database, run: &str) -> Result<()> {
    db.cypher_query(
        Query::new(
            "MATCH (n) WHERE (n:OgmBenchBook OR n:OgmBenchAuthor) AND n.run = $run DETACH DELETE n",
        )
        .param("run", run),
    )
    .await?;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let db = common::database()?;
    db.install_labels::<Book>().await?;
    db.install_labels::<Author>().await?;
    let counting = Counting {
        db: &db,
        sent: AtomicUsize::new(0),
    };
    let c = &counting;
    let run = format!("bench{}", std::process::id());
    // Warm the server (plans, JIT) on a small batch of the same shape.
    let warm = format!("{run}_warm");
    Book::create((0..500).map(|i| book(&warm, i)).collect(), c).await?;
    cleanup(&db, &warm).await?;
    c.take();

    println!("## creating {N} nodes");
    println!("| batch size | statements | total | nodes/s |");
    println!("|---:|---:|---:|---:|");
    for batch in [100, 1_000, 10_000] {
        let tag = format!("{run}_b{batch}");
        let t = Instant::now();
        let mut made = 0;
        for start in (0..N).step_by(batch) {
            let nodes: Vec<Book> = (start..(start + batch).min(N))
                .map(|i| book(&tag, i))
                .collect();
            made += Book::create(nodes, c).await?.len();
        }
        let took = t.elapsed();
        assert_eq!(made, N);
        println!(
            "| {batch} | {} | {} | {:.0} |",
            c.take(),
            ms(took),
            N as f64 / took.as_secs_f64()
        );
        if batch != 1_000 {
            cleanup(&db, &tag).await?;
        }
    }
    // One save per node, for comparison (1000 nodes, scaled).
    let tag = format!("{run}_single");
    let t = Instant::now();
    for i in 0..1_000 {
        book(&tag, i).save(c).await?;
    }
    let took = t.elapsed();
    println!(
        "| 1 (`save` each, 1000 nodes) | {} | {} | {:.0} |",
        c.take(),
        ms(took),
        1_000.0 / took.as_secs_f64()
    );
    cleanup(&db, &tag).await?;

    // The 10k books of batch size 1000 stay; give each an author.
    let tag = format!("{run}_b1000");
    let authors: Vec<Author> = (0..AUTHORS)
        .map(|i| Author {
            id: ElementId::unsaved(),
            run: tag.clone(),
            name: format!("Author {i:03}"),
            books: Relation::default(),
        })
        .collect();
    Author::create(authors, c).await?;
    db.cypher_query(
        Query::new(
            "MATCH (b:OgmBenchBook {run: $run}) \
             MATCH (a:OgmBenchAuthor {run: $run, name: 'Author ' + right('00' + toString(toInteger(right(b.title, 5)) % 100), 3)}) \
             CREATE (b)-[:OGM_BENCH_BY]->(a)",
        )
        .param("run", tag.clone()),
    )
    .await?;
    c.take();

    println!();
    println!("## filter + traverse over {N} nodes");
    println!("| operation | rows | queries | median of {REPEAT} |");
    println!("|---|---:|---:|---:|");
    let set = || {
        Book::nodes()
            .filter(Book::run().exact(tag.clone()) & Book::pages().gte(500))
            .order_by(Book::title().asc())
    };

    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..REPEAT {
        let t = Instant::now();
        let found = set().fetch_related(Book::author()).all(c).await?;
        times.push(t.elapsed());
        assert!(found.iter().all(|(_, a)| a.len() == 1));
        rows = found.len();
        let sent = c.take();
        assert_eq!(sent, 1, "fetch_related must be one query");
    }
    println!(
        "| filter + `fetch_related` (books with their author) | {rows} | 1 | {} |",
        ms(median(times))
    );

    let mut times = Vec::new();
    let mut reached = 0;
    for _ in 0..REPEAT {
        let t = Instant::now();
        let found = set()
            .traverse(Book::author().then(Author::books().matching(Book::pages().gte(990))))
            .all(c)
            .await?;
        times.push(t.elapsed());
        rows = found.len();
        reached = found
            .iter()
            .map(|(_, a)| a.iter().map(|(_, b)| b.len()).sum::<usize>())
            .sum();
        assert_eq!(c.take(), 1, "a two-hop traversal must be one query");
    }
    println!(
        "| filter + two hops (book -> author -> the author's books with >= 990 pages; {reached} reached) | {rows} | 1 | {} |",
        ms(median(times))
    );

    let mut times = Vec::new();
    for _ in 0..REPEAT {
        let t = Instant::now();
        let found = Author::nodes()
            .filter(Author::run().exact(tag.clone()))
            .annotate("books", Author::books().count())
            .all_annotated(c)
            .await?;
        times.push(t.elapsed());
        rows = found.len();
        assert!(found
            .iter()
            .all(|a| a.get::<i64>("books").ok() == Some(100)));
        assert_eq!(c.take(), 1, "an annotation must be part of the query");
    }
    println!(
        "| authors annotated with their book count (`COUNT {{}}` subquery) | {rows} | 1 | {} |",
        ms(median(times))
    );

    let mut times = Vec::new();
    for _ in 0..REPEAT {
        let t = Instant::now();
        let found = Book::nodes()
            .filter(
                Book::run().exact(tag.clone())
                    & Book::author().any(Author::name().is_in(["Author 007", "Author 042"])),
            )
            .all(c)
            .await?;
        times.push(t.elapsed());
        rows = found.len();
        assert_eq!(c.take(), 1, "a filter on related nodes must be one query");
    }
    println!(
        "| filter on related nodes (`EXISTS`) | {rows} | 1 | {} |",
        ms(median(times))
    );

    let mut times = Vec::new();
    for _ in 0..REPEAT {
        let t = Instant::now();
        let found = set().all(c).await?;
        times.push(t.elapsed());
        rows = found.len();
        c.take();
    }
    println!(
        "| the same filter, books only | {rows} | 1 | {} |",
        ms(median(times))
    );

    // The N+1 way, once: the filter, then one query per book.
    let t = Instant::now();
    let found = set().all(c).await?;
    for b in &found {
        let _author: Author = Book::author().of(b).single(c).await?;
    }
    let took = t.elapsed();
    println!(
        "| filter, then `single()` per book (N+1) | {} | {} | {} |",
        found.len(),
        c.take(),
        ms(took)
    );

    cleanup(&db, &tag).await?;

    connects(&db, c, &run).await?;
    db.close().await;
    Ok(())
}

/// `connect` (a MERGE: the pair and the properties are the pattern, both
/// nodes locked, both ends counted) for 1,000 fresh books, the same 1,000
/// again (each finds its relationship and adds none), and
/// `connect_parallel` (always a CREATE) for 1,000 other books.
async fn connects(db: &Database, c: &Counting<'_>, run: &str) -> Result<()> {
    const CONNECTS: usize = 1_000;
    let tag = format!("{run}_connect");
    let authors: Vec<Author> = (0..10)
        .map(|i| Author {
            id: ElementId::unsaved(),
            run: tag.clone(),
            name: format!("Author {i:03}"),
            books: Relation::default(),
        })
        .collect();
    let authors = Author::create(authors, c).await?;
    let books = Book::create((0..CONNECTS).map(|i| book(&tag, i)).collect(), c).await?;
    let others = Book::create((0..CONNECTS).map(|i| book(&tag, i)).collect(), c).await?;
    c.take();
    let count = || async {
        let r = db
            .cypher_query(
                Query::new(
                    "MATCH (:OgmBenchBook {run: $run})-[r:OGM_BENCH_BY]->() RETURN count(r) AS c",
                )
                .param("run", tag.clone()),
            )
            .await?;
        Ok::<i64, boltline_ogm::Error>(r.records()[0].get_as("c").unwrap_or(-1))
    };

    println!();
    println!("## connect ({CONNECTS} relationships, one statement each)");
    println!("| operation | statements | relationships after | total | per connect |");
    println!("|---|---:|---:|---:|---:|");
    for (label, set) in [
        ("`connect` (new)", &books),
        ("`connect` again (each matches)", &books),
        ("`connect_parallel` (new)", &others),
    ] {
        let t = Instant::now();
        for (i, b) in set.iter().enumerate() {
            let a = &authors[i % authors.len()];
            if label.starts_with("`connect_parallel`") {
                Book::author().of(b).connect_parallel(a, NoProps, c).await?;
            } else {
                Book::author().of(b).connect(a, c).await?;
            }
        }
        let took = t.elapsed();
        println!(
            "| {label} | {} | {} | {} | {:.2} ms |",
            c.take(),
            count().await?,
            ms(took),
            took.as_secs_f64() * 1e3 / CONNECTS as f64
        );
    }
    cleanup(db, &tag).await
}
