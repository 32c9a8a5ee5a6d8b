//! A small movies graph: people acting in movies with a role, directors,
//! and queries across the relationships.
//!
//! `cargo run -p boltline-ogm --example movies` (against `cargo xtask neo4j
//! start`). It deletes what it created at the end.

mod common;

use boltline_ogm::prelude::*;
use boltline_ogm::Relationship;

#[derive(Relationship, Debug, Clone, Default)]
struct ActedIn {
    role: Option<String>,
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "ExampleMovie")]
struct Movie {
    id: ElementId,
    #[ogm(unique)]
    title: String,
    released: i64,
    #[ogm(rel = "ACTED_IN", incoming)]
    cast: Relation<Person, ZeroOrMore, ZeroOrMore, ActedIn>,
    #[ogm(rel = "DIRECTED", incoming)]
    director: Relation<Person, ZeroOrOne>,
}

#[derive(Node, Debug, Clone)]
#[ogm(label = "ExamplePerson")]
struct Person {
    id: ElementId,
    #[ogm(unique)]
    name: String,
    born: Option<i64>,
    #[ogm(rel = "ACTED_IN")]
    movies: Relation<Movie, ZeroOrMore, ZeroOrMore, ActedIn>,
}

fn person(name: &str, born: i64) -> Person {
    Person {
        id: ElementId::unsaved(),
        name: name.into(),
        born: Some(born),
        movies: Relation::default(),
    }
}

fn movie(title: &str, released: i64) -> Movie {
    Movie {
        id: ElementId::unsaved(),
        title: title.into(),
        released,
        cast: Relation::default(),
        director: Relation::default(),
    }
}

#[tokio::main]
async fn main() -> boltline_ogm::Result<()> {
    let db = common::database()?;
    let movies = Movie::create_or_update(
        vec![
            movie("The Matrix", 1999),
            movie("Speed", 1994),
            movie("John Wick", 2014),
        ],
        &db,
    )
    .await?;
    let people = Person::create_or_update(
        vec![
            person("Keanu Reeves", 1964),
            person("Carrie-Anne Moss", 1967),
            person("Sandra Bullock", 1964),
            person("Lana Wachowski", 1965),
        ],
        &db,
    )
    .await?;
    let (matrix, speed, wick) = (&movies[0], &movies[1], &movies[2]);
    let (keanu, carrie, sandra, lana) = (&people[0], &people[1], &people[2], &people[3]);

    // One transaction for the whole cast.
    let mut tx = db.begin().await?;
    for (p, m, role) in [
        (keanu, matrix, "Neo"),
        (carrie, matrix, "Trinity"),
        (keanu, speed, "Jack Traven"),
        (sandra, speed, "Annie Porter"),
        (keanu, wick, "John Wick"),
    ] {
        if !Person::movies().of(p).is_connected(m, &mut tx).await? {
            let role = Some(role.to_owned());
            Person::movies()
                .of(p)
                .connect_with(m, ActedIn { role }, &mut tx)
                .await?;
        }
    }
    if Movie::director()
        .of(matrix)
        .single(&mut tx)
        .await?
        .is_none()
    {
        Movie::director().of(matrix).connect(lana, &mut tx).await?;
    }
    tx.commit().await?;

    let nineties = Movie::nodes()
        .filter(Movie::released().gte(1990) & Movie::released().lt(2000))
        .filter(Movie::cast().any(Person::name().exact("Keanu Reeves")))
        .order_by(Movie::released().asc())
        .all(&db)
        .await?;
    for m in &nineties {
        let cast = Movie::cast().of(m).all(&db).await?;
        let names: Vec<&str> = cast.iter().map(|p| p.name.as_str()).collect();
        println!("{} ({}): {}", m.title, m.released, names.join(", "));
    }
    let neo = Person::movies()
        .of(keanu)
        .match_rel(ActedIn::role().exact("Neo".to_owned()))?
        .get(&db)
        .await?;
    println!("Keanu played Neo in {}", neo.title);
    let director = Movie::director().of(matrix).single(&db).await?;
    println!(
        "{} was directed by {:?}",
        matrix.title,
        director.map(|d| d.name)
    );

    for mut m in movies {
        m.delete(&db).await?;
    }
    for mut p in people {
        p.delete(&db).await?;
    }
    db.close().await;
    Ok(())
}
