//! The pool's metrics (feature `metrics`) under contention, read from a
//! recorder that keeps every value each series was given.
#![cfg(feature = "metrics")]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltline_pool::{Health, ManageConnection, Pool, PoolConfig, PoolError};
use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

/// Every value given to each series, by name and labels.
type Log = Arc<Mutex<BTreeMap<String, Vec<f64>>>>;

#[derive(Default)]
struct Capture(Log);

struct Series {
    id: String,
    log: Log,
    counter: bool,
}

impl Series {
    fn push(&self, v: f64) {
        let mut log = self.log.lock().unwrap();
        let values = log.entry(self.id.clone()).or_default();
        // Counters are logged as running totals.
        let v = if self.counter {
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
        unreachable!("the pool only increments")
    }
}

impl GaugeFn for Series {
    fn increment(&self, _: f64) {
        unreachable!("the pool sets gauges")
    }
    fn decrement(&self, _: f64) {
        unreachable!("the pool sets gauges")
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
    /// `name{k=v,...}` with the labels in order.
    fn series(&self, key: &Key, counter: bool) -> Arc<Series> {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        Arc::new(Series {
            id: format!("{}{{{}}}", key.name(), labels.join(",")),
            log: self.0.clone(),
            counter,
        })
    }

    fn values(&self, id: &str) -> Vec<f64> {
        self.0.lock().unwrap().get(id).cloned().unwrap_or_default()
    }

    fn last(&self, id: &str) -> f64 {
        *self
            .values(id)
            .last()
            .unwrap_or_else(|| panic!("no {id} in {:?}", self.0.lock().unwrap().keys()))
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

/// Connections that are a flag: broken or not.
struct Conn {
    broken: Arc<AtomicBool>,
}

/// Pools of fakes, named for metrics.
struct Fake(&'static str);

#[derive(Debug, thiserror::Error)]
#[error("never")]
struct Never;

impl ManageConnection for Fake {
    type Connection = Conn;
    type Error = Never;
    type Context = ();

    async fn connect(&self, _: &()) -> Result<Conn, Never> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(Conn {
            broken: Arc::new(AtomicBool::new(false)),
        })
    }
    fn health(&self, c: &Conn) -> Health {
        if c.broken.load(SeqCst) {
            Health::Broken
        } else {
            Health::Clean
        }
    }
    async fn reset(&self, _: &mut Conn) -> Result<(), Never> {
        Ok(())
    }
    async fn check_alive(&self, _: &mut Conn) -> Result<(), Never> {
        Ok(())
    }
    async fn close(&self, _: Conn) {}
    fn pool_name(&self) -> String {
        self.0.into()
    }
}

const P: &str = "db.client.connection.pool.name=db-1:7687";
const SHORT: &str = "db.client.connection.pool.name=db-2:7687";

#[tokio::test]
async fn a_pool_under_contention_reports_waits_gauges_and_counters() {
    let capture = Capture::default();
    let _guard = metrics::set_default_local_recorder(&capture);
    let config = PoolConfig::default()
        .max_size(2)
        .acquisition_timeout(Duration::from_secs(5));
    let pool = Pool::new(Fake("db-1:7687"), config).await.unwrap();

    // Six tasks, two connections: four must wait for a release.
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let c = pool.acquire().await.expect("acquire");
                tokio::time::sleep(Duration::from_millis(30)).await;
                if i == 5 {
                    // The last one breaks its connection.
                    c.broken.store(true, SeqCst);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }

    // Both connections held: the next acquisition times out.
    let a = pool.acquire().await.unwrap();
    let b = pool.acquire().await.unwrap();
    let short = Pool::new(
        Fake("db-2:7687"),
        PoolConfig::default()
            .max_size(1)
            .acquisition_timeout(Duration::from_millis(50)),
    )
    .await
    .unwrap();
    let held = short.acquire().await.unwrap();
    let e = short.acquire().await.unwrap_err();
    assert!(matches!(e, PoolError::Unavailable { .. }), "{e}");
    drop((a, b, held));

    // Opened: two, then one more to replace the broken one.
    assert_eq!(
        capture.last(&format!("neo4j.client.connection.created{{{P}}}")),
        3.0
    );
    assert_eq!(
        capture.last(&format!("neo4j.client.connection.broken{{{P}}}")),
        1.0
    );
    assert_eq!(
        capture.last(&format!("neo4j.client.connection.closed{{{P}}}")),
        1.0
    );
    assert_eq!(
        capture.last(&format!("db.client.connection.timeouts{{{SHORT}}}")),
        1.0
    );
    // One wait per successful acquisition of the first pool (6 + 2); the
    // tasks that queued behind a 30 ms lease waited at least that long.
    let waits = capture.values(&format!("db.client.connection.wait_time{{{P}}}"));
    assert_eq!(waits.len(), 8, "{waits:?}");
    assert!(
        waits.iter().filter(|w| **w >= 0.025).count() >= 4,
        "{waits:?}"
    );
    assert_eq!(
        capture
            .values(&format!("db.client.connection.create_time{{{P}}}"))
            .len(),
        3
    );
    // Gauges: at most two in use, up to six acquisitions pending at once,
    // and all back (none used) at the end.
    let used = format!("db.client.connection.count{{{P},db.client.connection.state=used}}");
    let idle = format!("db.client.connection.count{{{P},db.client.connection.state=idle}}");
    let pending = format!("db.client.connection.pending_requests{{{P}}}");
    assert_eq!(
        capture.values(&used).iter().copied().fold(0.0, f64::max),
        2.0
    );
    assert!(
        capture.values(&pending).iter().copied().fold(0.0, f64::max) >= 4.0,
        "{:?}",
        capture.values(&pending)
    );
    assert_eq!(capture.last(&used), 0.0);
    assert_eq!(capture.last(&pending), 0.0);
    assert!(capture.last(&idle) >= 1.0);
    assert_eq!(
        capture.last(&format!("db.client.connection.max{{{P}}}")),
        2.0
    );
    assert_eq!(
        capture.last(&format!("db.client.connection.max{{{SHORT}}}")),
        1.0
    );
}
