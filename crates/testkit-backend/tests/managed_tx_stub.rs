//! The backend against boltline's Bolt stub server: a managed transaction
//! driven attempt by attempt as testkit drives it (`RetryableTry`, queries
//! on the attempt's transaction, a retryable failure, `RetryablePositive`,
//! `RetryableDone`).

use std::time::Duration;

use boltline_stub::{map, sig, steps, Script, StubServer, Value};
use boltline_testkit_backend::dispatch::Backend;
use boltline_testkit_backend::protocol::parse_request;
use boltline_testkit_backend::wired::Boltline;
use serde_json::{json, Value as Json};
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(20);

async fn ask(b: &mut Backend<Boltline>, j: Json) -> Json {
    let req = parse_request(&j.to_string()).expect("request parses");
    let resp = tokio::time::timeout(LIMIT, b.handle(req))
        .await
        .expect("answered in time")
        .expect("a response");
    serde_json::from_str(&resp.to_json()).expect("response is JSON")
}

fn tx_return_one(bookmark: &str) -> Script {
    steps()
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("w"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from(bookmark))])
}

#[tokio::test]
async fn a_managed_transaction_is_driven_attempt_by_attempt() {
    let script = Script::authenticated(5, 0)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock, try again",
        )
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .repeat_until_closed(tx_return_one("bm-1"));
    let server = StubServer::start_one(script).await.expect("stub server");
    let uri = format!("bolt://{}", server.host_port());
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            let mut b = Backend::<Boltline>::new(mpsc::unbounded_channel().0);
            let d = ask(
                &mut b,
                json!({"name": "NewDriver", "data": {"uri": uri,
                    "authorizationToken": {"name": "AuthorizationToken", "data": {
                        "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
                    "maxTxRetryTimeMs": 10000}}),
            )
            .await;
            let driver_id = d["data"]["id"].clone();
            let s = ask(
                &mut b,
                json!({"name": "NewSession", "data": {"driverId": driver_id, "accessMode": "w"}}),
            )
            .await;
            let session_id = s["data"]["id"].clone();

            // First attempt: the query fails with a transient error, which
            // testkit hands back.
            let t = ask(
                &mut b,
                json!({"name": "SessionWriteTransaction", "data": {"sessionId": session_id}}),
            )
            .await;
            assert_eq!(t["name"], "RetryableTry", "{t}");
            let tx = t["data"]["id"].clone();
            let r = ask(
                &mut b,
                json!({"name": "TransactionRun", "data": {"txId": tx, "cypher": "RETURN 1 AS x"}}),
            )
            .await;
            let failure = if r["name"] == "Result" {
                ask(
                    &mut b,
                    json!({"name": "ResultNext", "data": {"resultId": r["data"]["id"]}}),
                )
                .await
            } else {
                r
            };
            assert_eq!(failure["name"], "DriverError", "{failure}");
            assert_eq!(failure["data"]["retryable"], true);
            assert_eq!(
                failure["data"]["code"],
                "Neo.TransientError.Transaction.DeadlockDetected"
            );
            let t = ask(
                &mut b,
                json!({"name": "RetryableNegative", "data": {"sessionId": session_id,
                    "errorId": failure["data"]["id"]}}),
            )
            .await;

            // Second attempt: the record, then success.
            assert_eq!(t["name"], "RetryableTry", "{t}");
            let tx = t["data"]["id"].clone();
            let r = ask(
                &mut b,
                json!({"name": "TransactionRun", "data": {"txId": tx, "cypher": "RETURN 1 AS x"}}),
            )
            .await;
            assert_eq!(r["data"]["keys"], json!(["x"]), "{r}");
            let rec = ask(
                &mut b,
                json!({"name": "ResultNext", "data": {"resultId": r["data"]["id"]}}),
            )
            .await;
            assert_eq!(
                rec,
                json!({"name": "Record", "data": {"values": [{"name": "CypherInt", "data": {"value": 1}}]}})
            );
            let done = ask(
                &mut b,
                json!({"name": "RetryablePositive", "data": {"sessionId": session_id}}),
            )
            .await;
            assert_eq!(done["name"], "RetryableDone", "{done}");
            let bm = ask(
                &mut b,
                json!({"name": "SessionLastBookmarks", "data": {"sessionId": session_id}}),
            )
            .await;
            assert_eq!(bm["data"]["bookmarks"], json!(["bm-1"]));
            ask(
                &mut b,
                json!({"name": "SessionClose", "data": {"sessionId": session_id}}),
            )
            .await;
            ask(
                &mut b,
                json!({"name": "DriverClose", "data": {"driverId": driver_id}}),
            )
            .await;
        })
        .await;
    server.finish_within(LIMIT).await;
}
