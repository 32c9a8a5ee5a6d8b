//! A bookmark manager's bookmarks are superseded by the bookmark of a
//! transaction that started from them (found by testkit's
//! `test_configure_custom_bookmark_manager`).

use std::sync::Arc;
use std::time::Duration;

use boltline::{
    AuthToken, Bookmarks, Config, Driver, ManagedTransaction, Neo4jBookmarkManager, SessionConfig,
};
use boltline_stub::{map, sig, steps, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

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
async fn the_new_bookmark_replaces_the_managers_initial_ones() {
    let script = Script::authenticated(5, 0).repeat_until_closed(tx_return_one("bm2"));
    let server = StubServer::start_one(script).await.unwrap();
    let driver = Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        Config::builder().build().unwrap(),
    )
    .unwrap();
    let manager =
        Arc::new(Neo4jBookmarkManager::new().with_initial_bookmarks(Bookmarks::from_raw(["bm1"])));
    let mut session = driver.session(SessionConfig::new().with_bookmark_manager(manager.clone()));
    tokio::time::timeout(
        LIMIT,
        session.execute_write(async |tx: &mut ManagedTransaction| {
            tx.run("CREATE ()").await?.consume().await.map(drop)
        }),
    )
    .await
    .unwrap()
    .unwrap();
    // bm2 supersedes bm1, which the transaction waited for.
    assert_eq!(manager.current().raw_values().collect::<Vec<_>>(), ["bm2"]);
    assert_eq!(
        session.last_bookmarks().raw_values().collect::<Vec<_>>(),
        ["bm2"]
    );
    drop(session);
    driver.close().await;
    let reports = server.finish_within(LIMIT).await;
    let begin = reports[0].messages(sig::BEGIN);
    assert_eq!(begin.len(), 1);
}
