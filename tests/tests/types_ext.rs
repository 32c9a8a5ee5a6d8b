//! The optional types (features `chrono`, `chrono-tz`, `time`, `uuid`,
//! `serde_json`) against a real Neo4j: each value goes as a parameter, the
//! server says which Cypher type it received (`valueType`) and compares it
//! with a value Cypher built itself, and the value comes back into a plain
//! struct field.

use std::time::Duration;

use boltline::packstream::{ext::temporal, to_value};
use boltline::{AuthToken, Driver, Query, Record, SessionConfig, Value};
use boltline_itests::server;
use serde::Deserialize;

const LIMIT: Duration = Duration::from_secs(60);

fn driver() -> Driver {
    let s = server();
    Driver::new(s.uri(), AuthToken::basic(s.user(), s.password())).expect("driver")
}

/// Runs `RETURN valueType($p) AS type, $p = <cypher> AS same, $p AS p` with
/// `p` as the parameter; asserts the type and the equality, and returns the
/// record.
async fn echo(d: &Driver, p: Value, cypher: &str, expected_type: &str) -> Record {
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let q = Query::new(format!(
        "RETURN valueType($p) AS type, $p = {cypher} AS same, $p AS p"
    ))
    .param("p", p);
    let mut r = tokio::time::timeout(LIMIT, s.run(q))
        .await
        .expect("in time")
        .expect("run");
    let record = r.single().await.expect("one record");
    assert_eq!(
        record.get("type").unwrap(),
        Value::from(expected_type),
        "{cypher}"
    );
    assert_eq!(record.get("same").unwrap(), Value::from(true), "{cypher}");
    record
}

#[tokio::test]
async fn chrono_values_are_neo4j_temporal_types_both_ways() {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

    #[derive(Deserialize)]
    struct Echo<T> {
        p: T,
    }
    let d = driver();
    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let rec = echo(&d, date.into(), "date('2024-02-29')", "DATE NOT NULL").await;
    assert_eq!(rec.to::<Echo<NaiveDate>>().unwrap().p, date);

    let time = NaiveTime::from_hms_nano_opt(13, 14, 15, 16).unwrap();
    let rec = echo(
        &d,
        time.into(),
        "localtime('13:14:15.000000016')",
        "LOCAL TIME NOT NULL",
    )
    .await;
    assert_eq!(rec.to::<Echo<NaiveTime>>().unwrap().p, time);

    let local: NaiveDateTime = date.and_time(time);
    let rec = echo(
        &d,
        local.into(),
        "localdatetime('2024-02-29T13:14:15.000000016')",
        "LOCAL DATETIME NOT NULL",
    )
    .await;
    assert_eq!(rec.to::<Echo<NaiveDateTime>>().unwrap().p, local);

    let fixed: DateTime<FixedOffset> = FixedOffset::east_opt(-3 * 3600)
        .unwrap()
        .from_local_datetime(&local)
        .unwrap();
    let rec = echo(
        &d,
        fixed.into(),
        "datetime('2024-02-29T13:14:15.000000016-03:00')",
        "ZONED DATETIME NOT NULL",
    )
    .await;
    assert_eq!(rec.to::<Echo<DateTime<FixedOffset>>>().unwrap().p, fixed);
    assert_eq!(
        rec.to::<Echo<DateTime<Utc>>>().unwrap().p,
        fixed.with_timezone(&Utc)
    );

    // A struct parameter with the serde helper: a DATE property, not a string.
    #[derive(serde::Serialize)]
    struct Book {
        #[serde(with = "temporal")]
        published: NaiveDate,
    }
    let book = to_value(&Book { published: date }).unwrap();
    let rec = echo(&d, book, "{published: date('2024-02-29')}", "MAP NOT NULL").await;
    #[derive(Deserialize)]
    struct Read {
        p: ReadBook,
    }
    #[derive(Deserialize)]
    struct ReadBook {
        published: NaiveDate,
    }
    assert_eq!(rec.to::<Read>().unwrap().p.published, date);
}

#[tokio::test]
async fn chrono_tz_zoned_date_times_keep_their_zone() {
    use chrono::{DateTime, FixedOffset, TimeZone};
    use chrono_tz::Tz;

    let d = driver();
    let at: DateTime<Tz> = chrono_tz::Europe::Stockholm
        .with_ymd_and_hms(2024, 7, 1, 12, 30, 0)
        .unwrap();
    let rec = echo(
        &d,
        at.into(),
        "datetime('2024-07-01T12:30:00[Europe/Stockholm]')",
        "ZONED DATETIME NOT NULL",
    )
    .await;

    #[derive(Deserialize)]
    struct Meeting {
        #[serde(with = "temporal")]
        p: DateTime<Tz>,
    }
    assert_eq!(rec.to::<Meeting>().unwrap().p, at);
    // A plain fixed-offset field gets the zone's summer offset.
    #[derive(Deserialize)]
    struct Fixed {
        p: DateTime<FixedOffset>,
    }
    assert_eq!(
        rec.to::<Fixed>().unwrap().p.to_rfc3339(),
        "2024-07-01T12:30:00+02:00"
    );

    // A zone the server names, resolved on our side.
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let mut r = s
        .run("RETURN datetime('2024-01-15T08:00:00[America/New_York]') AS p")
        .await
        .unwrap();
    let rec = r.single().await.unwrap();
    assert_eq!(
        rec.to::<Fixed>().unwrap().p.to_rfc3339(),
        "2024-01-15T08:00:00-05:00"
    );
}

#[tokio::test]
async fn time_values_are_neo4j_temporal_types_both_ways() {
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    let d = driver();
    let date = Date::from_calendar_date(2024, Month::February, 29).unwrap();
    let time = Time::from_hms_nano(13, 14, 15, 16).unwrap();
    let local = PrimitiveDateTime::new(date, time);
    let zoned: OffsetDateTime = local.assume_offset(UtcOffset::from_hms(2, 0, 0).unwrap());

    #[derive(Deserialize)]
    struct Echo<T: temporal::Temporal> {
        #[serde(with = "temporal")]
        p: T,
    }
    let rec = echo(&d, date.into(), "date('2024-02-29')", "DATE NOT NULL").await;
    assert_eq!(rec.to::<Echo<Date>>().unwrap().p, date);
    let rec = echo(
        &d,
        time.into(),
        "localtime('13:14:15.000000016')",
        "LOCAL TIME NOT NULL",
    )
    .await;
    assert_eq!(rec.to::<Echo<Time>>().unwrap().p, time);
    let rec = echo(
        &d,
        local.into(),
        "localdatetime('2024-02-29T13:14:15.000000016')",
        "LOCAL DATETIME NOT NULL",
    )
    .await;
    assert_eq!(rec.to::<Echo<PrimitiveDateTime>>().unwrap().p, local);
    let rec = echo(
        &d,
        zoned.into(),
        "datetime('2024-02-29T13:14:15.000000016+02:00')",
        "ZONED DATETIME NOT NULL",
    )
    .await;
    let back = rec.to::<Echo<OffsetDateTime>>().unwrap().p;
    assert_eq!((back, back.offset()), (zoned, zoned.offset()));
    let lasts = time::Duration::minutes(90);
    let rec = echo(&d, lasts.into(), "duration('PT1H30M')", "DURATION NOT NULL").await;
    assert_eq!(rec.to::<Echo<time::Duration>>().unwrap().p, lasts);
}

#[tokio::test]
async fn uuids_are_strings_both_ways() {
    let d = driver();
    let id = uuid::Uuid::parse_str("550e8400-e29b-41d4-a716-446655440000").unwrap();
    let rec = echo(
        &d,
        id.into(),
        "'550e8400-e29b-41d4-a716-446655440000'",
        "STRING NOT NULL",
    )
    .await;
    #[derive(Deserialize)]
    struct Echo {
        p: uuid::Uuid,
    }
    assert_eq!(rec.to::<Echo>().unwrap().p, id);

    // One the server makes reads as well.
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let mut r = s.run("RETURN randomUUID() AS p").await.unwrap();
    let rec = r.single().await.unwrap();
    let made = rec.to::<Echo>().unwrap().p;
    assert_eq!(made.get_version_num(), 4);
}

#[tokio::test]
async fn json_values_are_parameters_and_rows() {
    use serde_json::json;

    let d = driver();
    let p = json!({"name": "Ada", "born": 1815, "tags": ["math", true]});
    let rec = echo(
        &d,
        p.clone().into(),
        "{name: 'Ada', born: 1815, tags: ['math', true]}",
        "MAP NOT NULL",
    )
    .await;
    #[derive(Deserialize)]
    struct Echo {
        p: serde_json::Value,
    }
    assert_eq!(rec.to::<Echo>().unwrap().p, p);

    // A whole row as a JSON object; temporal values as ISO text.
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let mut r = s
        .run("RETURN 'Dune' AS title, date('1965-08-01') AS published, [1, 2.5] AS xs")
        .await
        .unwrap();
    let rec = r.single().await.unwrap();
    assert_eq!(
        rec.to::<serde_json::Value>().unwrap(),
        json!({"title": "Dune", "published": "1965-08-01", "xs": [1, 2.5]})
    );
}

#[tokio::test]
async fn a_column_of_the_wrong_type_is_named_in_the_error() {
    let d = driver();
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let mut r = s
        .run("RETURN 'Dune' AS title, 1965 AS published")
        .await
        .unwrap();
    let rec = r.single().await.unwrap();
    #[derive(Debug, Deserialize)]
    struct Book {
        #[allow(dead_code)]
        title: String,
        #[allow(dead_code)]
        published: chrono::NaiveDate,
    }
    let err = rec.to::<Book>().unwrap_err().to_string();
    assert!(
        err.contains("column `published`") && err.contains("integer"),
        "{err}"
    );
}
