//! The driver's spans and logs, read by a subscriber that keeps every span
//! (name, parent, fields) and every event, against the scripted stub
//! server: the span tree and attributes of `execute_query` with one retry,
//! of a managed transaction and of a failed query; notification warnings;
//! and no credentials or parameters in anything logged.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltline::{
    AuthToken, Config, Driver, ManagedTransaction, Query, SessionConfig, SeverityLevel,
};
use boltline_stub::{map, sig, steps, Script, StubServer, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const LIMIT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
struct SpanData {
    name: &'static str,
    metadata: &'static Metadata<'static>,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

/// Keeps everything. The tests run on a current-thread runtime, so one
/// stack of entered spans is the thread's.
#[derive(Default)]
struct Capture {
    next: AtomicU64,
    spans: Mutex<BTreeMap<u64, SpanData>>,
    stack: Mutex<Vec<u64>>,
    /// Every event as one line: level, target, fields.
    lines: Mutex<Vec<String>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

#[derive(Clone, Default)]
struct Shared(Arc<Capture>);

impl Subscriber for Shared {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
        let parent = match attrs.parent() {
            Some(p) => Some(p.into_u64()),
            None if attrs.is_contextual() => self.0.stack.lock().unwrap().last().copied(),
            None => None,
        };
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0.spans.lock().unwrap().insert(
            id,
            SpanData {
                name: attrs.metadata().name(),
                metadata: attrs.metadata(),
                parent,
                fields,
            },
        );
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(s) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            let mut new = BTreeMap::new();
            values.record(&mut Fields(&mut new));
            for (k, v) in new {
                // OpenTelemetry exporters keep every value a field is
                // given: each must be given one value once.
                assert!(
                    s.fields.insert(k.clone(), v).is_none(),
                    "{k} recorded twice on {}",
                    s.name
                );
            }
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let mut line = format!("{} {}", event.metadata().level(), event.metadata().target());
        for (k, v) in fields {
            let _ = write!(line, " {k}={v}");
        }
        self.0.lines.lock().unwrap().push(line);
    }
    fn current_span(&self) -> tracing_core::span::Current {
        let Some(id) = self.0.stack.lock().unwrap().last().copied() else {
            return tracing_core::span::Current::none();
        };
        match self.0.spans.lock().unwrap().get(&id) {
            Some(s) => tracing_core::span::Current::new(Id::from_u64(id), s.metadata),
            None => tracing_core::span::Current::none(),
        }
    }
    fn enter(&self, span: &Id) {
        self.0.stack.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut stack = self.0.stack.lock().unwrap();
        if let Some(i) = stack.iter().rposition(|s| *s == span.into_u64()) {
            stack.remove(i);
        }
    }
}

impl Shared {
    fn spans(&self) -> BTreeMap<u64, SpanData> {
        self.0.spans.lock().unwrap().clone()
    }

    /// The spans called `name`, in creation order.
    fn named(&self, name: &str) -> Vec<(u64, SpanData)> {
        self.spans()
            .into_iter()
            .filter(|(_, s)| s.name == name)
            .collect()
    }

    /// The children of `id` by name, in creation order.
    fn children(&self, id: u64) -> Vec<&'static str> {
        self.spans()
            .values()
            .filter(|s| s.parent == Some(id))
            .map(|s| s.name)
            .collect()
    }

    fn child(&self, id: u64, name: &str) -> (u64, SpanData) {
        self.spans()
            .into_iter()
            .find(|(_, s)| s.parent == Some(id) && s.name == name)
            .unwrap_or_else(|| panic!("no {name} under {id}: {:?}", self.children(id)))
    }

    /// Everything a log reader could see: each event line and each span's
    /// fields.
    fn everything(&self) -> Vec<String> {
        let mut all = self.0.lines.lock().unwrap().clone();
        all.extend(
            self.spans()
                .values()
                .map(|s| format!("span {} {:?}", s.name, s.fields)),
        );
        all
    }
}

fn field<'a>(s: &'a SpanData, k: &str) -> Option<&'a str> {
    s.fields.get(k).map(String::as_str)
}

fn driver(server: &StubServer, password: &str, config: Config) -> Driver {
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", password),
        config,
    )
    .expect("driver")
}

/// BEGIN pipelined with RUN and PULL, as `execute_query` sends them.
fn tx_return_one(bookmark: &str) -> Script {
    steps()
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(map::<&str>([]))
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from(bookmark))])
}

/// BEGIN answered before the work runs, as a managed transaction sends it.
fn eager_tx_return_one(bookmark: &str) -> Script {
    steps()
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from(bookmark))])
}

fn config() -> Config {
    Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_max_transaction_retry_time(Duration::from_secs(10))
        .with_query_text_in_traces(true)
        .with_warn_notification_severity(Some(SeverityLevel::Warning))
        .build()
        .unwrap()
}

#[tokio::test]
async fn execute_query_with_one_retry_makes_an_attempt_span_per_try() {
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(map::<&str>([]))
        .failure(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock, try again",
        )
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .repeat_until_closed(tx_return_one("bm-1"));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, "pass", config());
    let rows = tokio::time::timeout(
        LIMIT,
        d.execute_query(Query::new("RETURN $v AS x").param("v", "p4r4m-v4lu3"))
            .with_database("movies")
            .run(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(rows.records().len(), 1);
    d.close().await;
    let port = server.host_port().rsplit(':').next().unwrap().to_owned();

    let eq = capture.named("execute_query");
    assert_eq!(eq.len(), 1, "{:?}", capture.spans());
    let (eq_id, eq) = &eq[0];
    assert_eq!(eq.parent, None);
    assert_eq!(field(eq, "db.system.name"), Some("neo4j"));
    assert_eq!(field(eq, "db.operation.name"), Some("execute_query"));
    assert_eq!(field(eq, "db.namespace"), Some("movies"));
    assert_eq!(field(eq, "db.query.text"), Some("RETURN $v AS x"));
    assert_eq!(field(eq, "server.address"), Some("127.0.0.1"));
    assert_eq!(field(eq, "server.port"), Some(port.as_str()));
    assert_eq!(field(eq, "neo4j.bolt.version"), Some("5.4"));
    assert_eq!(field(eq, "error.type"), None, "it succeeded in the end");

    // Two attempts under it: the first failed with the deadlock and was
    // retried after a delay, the second succeeded.
    let attempts: Vec<_> = capture
        .named("attempt")
        .into_iter()
        .filter(|(_, s)| s.parent == Some(*eq_id))
        .collect();
    assert_eq!(attempts.len(), 2, "{:?}", capture.children(*eq_id));
    let (first_id, first) = &attempts[0];
    let (second_id, second) = &attempts[1];
    assert_eq!(field(first, "neo4j.retry.attempt"), Some("1"));
    assert_eq!(
        field(first, "error.type"),
        Some("Neo.TransientError.Transaction.DeadlockDetected")
    );
    assert!(field(first, "neo4j.retry.delay_ms").is_some());
    assert_eq!(field(second, "neo4j.retry.attempt"), Some("2"));
    assert_eq!(field(second, "error.type"), None);
    assert_eq!(field(second, "server.address"), Some("127.0.0.1"));

    // Each attempt: begin (acquiring a connection), the query, then
    // commit for the one that worked.
    let (begin_id, begin) = capture.child(*second_id, "begin");
    assert_eq!(field(&begin, "db.namespace"), Some("movies"));
    assert_eq!(field(&begin, "neo4j.bolt.version"), Some("5.4"));
    let (_, acquire) = capture.child(begin_id, "acquire");
    assert_eq!(field(&acquire, "server.port"), Some(port.as_str()));
    assert_eq!(field(&acquire, "neo4j.access_mode"), Some("write"));
    let (_, run) = capture.child(*second_id, "transaction.run");
    assert_eq!(field(&run, "db.query.text"), Some("RETURN $v AS x"));
    capture.child(*second_id, "commit");
    let (_, failed_run) = capture.child(*first_id, "transaction.run");
    assert_eq!(
        field(&failed_run, "error.type"),
        Some("Neo.TransientError.Transaction.DeadlockDetected")
    );
    assert!(field(&failed_run, "db.response.status_code").is_some());

    let all = capture.everything();
    assert!(all.iter().all(|l| !l.contains("p4r4m-v4lu3")), "{all:#?}");
}

#[tokio::test]
async fn a_managed_transaction_and_a_failed_query() {
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let script = Script::authenticated(5, 4)
        .then(eager_tx_return_one("bm-1"))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure("Neo.ClientError.Statement.SyntaxError", "bad query")
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, "pass", config());
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let v: i64 = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut ManagedTransaction| {
            tx.run("RETURN 1 AS x").await?.single().await?.get_as("x")
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(v, 1);
    let e = tokio::time::timeout(LIMIT, s.run("RETURN nonsense("))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    drop(s);
    d.close().await;

    let managed = capture.named("managed_transaction");
    assert_eq!(managed.len(), 1);
    let (m_id, m) = &managed[0];
    assert_eq!(field(m, "db.operation.name"), Some("managed_transaction"));
    assert_eq!(field(m, "db.namespace"), Some("neo4j"));
    assert_eq!(field(m, "error.type"), None);
    assert_eq!(capture.children(*m_id), ["attempt"]);
    let (a_id, attempt) = capture.child(*m_id, "attempt");
    assert_eq!(field(&attempt, "neo4j.retry.attempt"), Some("1"));
    assert_eq!(
        capture.children(a_id),
        ["begin", "transaction.run", "commit"]
    );

    // The failed auto-commit query: a root `run` span with the server's
    // code as error.type and the GQL status (50N42 from a server that
    // sends none).
    let runs = capture.named("run");
    assert_eq!(runs.len(), 1);
    let (run_id, run) = &runs[0];
    assert_eq!(run.parent, None);
    assert_eq!(field(run, "db.operation.name"), Some("run"));
    assert_eq!(field(run, "db.query.text"), Some("RETURN nonsense("));
    assert_eq!(
        field(run, "error.type"),
        Some("Neo.ClientError.Statement.SyntaxError")
    );
    assert_eq!(field(run, "db.response.status_code"), Some("50N42"));
    assert_eq!(field(run, "server.address"), Some("127.0.0.1"));
    assert_eq!(capture.children(*run_id), ["acquire"]);
}

#[tokio::test]
async fn notifications_are_warned_and_no_secret_is_ever_logged() {
    const PASSWORD: &str = "s3cr3t-pa55w0rd";
    const PARAM: &str = "p4r4m-v4lu3";
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let notification = Value::Map(map([
        (
            "code",
            Value::from("Neo.ClientNotification.Statement.CartesianProduct"),
        ),
        ("title", Value::from("cartesian product")),
        (
            "description",
            Value::from("the query builds a cartesian product"),
        ),
        ("severity", Value::from("WARNING")),
        ("category", Value::from("PERFORMANCE")),
        (
            "position",
            Value::Map(map([
                ("offset", Value::from(6)),
                ("line", Value::from(1)),
                ("column", Value::from(7)),
            ])),
        ),
    ]));
    let info = Value::Map(map([
        ("code", Value::from("Neo.ClientNotification.Statement.Info")),
        ("title", Value::from("an information")),
        ("description", Value::from("below the configured severity")),
        ("severity", Value::from("INFORMATION")),
        ("category", Value::from("GENERIC")),
    ]));
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["a"]))])
        .record(vec![Value::from(PARAM)])
        .success([
            ("type", Value::from("r")),
            ("bookmark", Value::from("bm")),
            ("notifications", Value::List(vec![notification, info])),
        ]);
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, PASSWORD, config());
    let mut s = d.session(SessionConfig::new());
    let mut r = s
        .run(Query::new("MATCH (a), (b) RETURN $p AS a").param("p", PARAM))
        .await
        .unwrap();
    let summary = r.consume().await.unwrap();
    assert_eq!(summary.notifications().len(), 2);
    drop(s);
    d.close().await;

    let lines = capture.0.lines.lock().unwrap().clone();
    let warnings: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("WARN boltline::notifications"))
        .collect();
    assert_eq!(warnings.len(), 1, "only the WARNING one: {lines:#?}");
    let w = warnings[0];
    for part in [
        "code=Neo.ClientNotification.Statement.CartesianProduct",
        "gql_status=",
        "gql_status=01N42",
        "line=1",
        "column=7",
        "offset=6",
        "classification=PERFORMANCE",
    ] {
        assert!(w.contains(part), "{part} missing from {w}");
    }
    // The run logged something (a debug line at least), and nothing
    // anywhere holds the password or the parameter.
    assert!(lines.len() > 1, "{lines:#?}");
    let all = capture.everything();
    for secret in [PASSWORD, PARAM] {
        let leaks: Vec<_> = all.iter().filter(|l| l.contains(secret)).collect();
        assert!(leaks.is_empty(), "{secret} logged: {leaks:#?}");
    }
}
