//! The driver's metrics (feature `metrics`) for an `execute_query` retried
//! once, read from a recorder that keeps every value of every series.
#![cfg(feature = "metrics")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltline::{AuthToken, Config, Driver, Query};
use boltline_stub::{map, sig, steps, Script, StubServer, Value};
use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

type Log = Arc<Mutex<BTreeMap<String, Vec<f64>>>>;

#[derive(Default)]
struct Capture(Log);

/// One series: `name{k=v,...}`; counters log running totals.
struct Series(String, Log, bool);

impl Series {
    fn push(&self, v: f64) {
        let mut log = self.1.lock().unwrap();
        let values = log.entry(self.0.clone()).or_default();
        let v = if self.2 {
            values.last().copied().unwrap_or(0.0) + v
        } else {
            v
        };
        values.push(v);
    }
}

impl CounterFn for Series {
    #[allow(clippy::cast_precision_loss)]
    fn increment(&self, v: u64) {
        self.push(v as f64)
    }
    fn absolute(&self, _: u64) {
        unreachable!()
    }
}
impl GaugeFn for Series {
    fn increment(&self, _: f64) {
        unreachable!()
    }
    fn decrement(&self, _: f64) {
        unreachable!()
    }
    fn set(&self, v: f64) {
        self.push(v)
    }
}
impl HistogramFn for Series {
    fn record(&self, v: f64) {
        self.push(v)
    }
}

impl Capture {
    fn series(&self, key: &Key, counter: bool) -> Arc<Series> {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        Arc::new(Series(
            format!("{}{{{}}}", key.name(), labels.join(",")),
            self.0.clone(),
            counter,
        ))
    }
    fn values(&self, id: &str) -> Vec<f64> {
        let log = self.0.lock().unwrap();
        log.get(id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {:#?}", log.keys()))
    }
}

impl Recorder for Capture {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.series(key, true))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.series(key, false))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.series(key, false))
    }
}

#[tokio::test]
async fn a_retried_execute_query_counts_its_retry_and_times_each_operation() {
    let capture = Capture::default();
    let _guard = metrics::set_default_local_recorder(&capture);
    let ok = steps()
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(map::<&str>([]))
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm"))]);
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(map::<&str>([]))
        .failure("Neo.TransientError.Transaction.DeadlockDetected", "again")
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .repeat_until_closed(ok);
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_max_transaction_retry_time(Duration::from_secs(10))
        .build()
        .unwrap();
    let d = Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .unwrap();
    let rows = tokio::time::timeout(
        Duration::from_secs(20),
        d.execute_query(Query::new("RETURN 1 AS x")).run(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(rows.records().len(), 1);
    d.close().await;

    const DEADLOCK: &str = "Neo.TransientError.Transaction.DeadlockDetected";
    assert_eq!(
        capture.values(&format!(
            "neo4j.client.retries{{db.system.name=neo4j,error.type={DEADLOCK}}}"
        )),
        [1.0]
    );
    // One execute_query, which waited about a second (±20 %) between its
    // attempts.
    let eq = capture.values(
        "db.client.operation.duration{db.system.name=neo4j,db.operation.name=execute_query}",
    );
    assert_eq!(eq.len(), 1);
    assert!(eq[0] >= 0.8, "{eq:?}");
    // Its operations: the failed query once, the successful one once, a
    // begin per attempt, one commit.
    let op = |name: &str| {
        capture
            .values(&format!(
                "db.client.operation.duration{{db.system.name=neo4j,db.operation.name={name}}}"
            ))
            .len()
    };
    assert_eq!(op("begin"), 2);
    assert_eq!(op("transaction.run"), 1);
    assert_eq!(op("commit"), 1);
    assert_eq!(
        capture
            .values(&format!(
                "db.client.operation.duration{{db.system.name=neo4j,\
                 db.operation.name=transaction.run,error.type={DEADLOCK}}}"
            ))
            .len(),
        1
    );
    // The pool's series carry the server's address.
    let pool = format!("db.client.connection.pool.name={}", server.host_port());
    assert_eq!(
        capture.values(&format!("neo4j.client.connection.created{{{pool}}}")),
        [1.0]
    );
    assert_eq!(
        capture
            .values(&format!("db.client.connection.wait_time{{{pool}}}"))
            .len(),
        2
    );
}
