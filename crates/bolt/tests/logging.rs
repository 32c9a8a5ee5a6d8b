//! Tracing output: requests are logged at debug level, credentials never.

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use boltline_bolt::{AuthToken, Query, TxOptions, Value};
use boltline_stub::{sig, Script, StubServer};
use common::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span and event, with all fields, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nevent {}", event.metadata().level());
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn requests_are_traced_and_secrets_are_not() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .success(Vec::<(&str, Value)>::new())
        .expect(sig::LOGOFF)
        .expect(sig::LOGON)
        .success(Vec::<(&str, Value)>::new())
        .success(Vec::<(&str, Value)>::new());
    let server = StubServer::start_one(script).await.unwrap();
    let config = config().with_auth(AuthToken::basic("neo4j", "hunter2-password"));
    let mut conn = connect_with(&server, &config).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("RETURN 1"), &TxOptions::new()))
        .await
        .unwrap();
    while bounded(conn.next_record(&mut s)).await.unwrap().is_some() {}
    bounded(conn.reauth(&AuthToken::bearer("bearer-token-secret")))
        .await
        .unwrap();
    drop(conn);
    server.finish_and_assert().await;

    let log = capture.0.lock().unwrap().clone();
    for expected in [
        "C: HELLO",
        "C: LOGON",
        "C: RUN",
        "C: PULL",
        "C: LOGOFF",
        "S: SUCCESS",
        "span bolt",
    ] {
        assert!(log.contains(expected), "{expected} missing from:{log}");
    }
    assert!(log.contains("Neo4j/5.26.0"), "server agent logged");
    for secret in ["hunter2", "bearer-token-secret"] {
        assert!(!log.contains(secret), "{secret} leaked into the log:{log}");
    }
}
