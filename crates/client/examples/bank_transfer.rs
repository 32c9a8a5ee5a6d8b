//! A bank transfer with an explicit transaction: check the balance, call
//! the other bank, then debit the account. Once the other bank has the
//! money, the work must not be retried, so this uses an explicit
//! transaction rather than a managed (retried) one.
//!
//! `cargo run -p boltline --example bank_transfer`

mod common;

use boltline::{AccessMode, Query, SessionConfig, Transaction};

async fn balance_is_sufficient(
    tx: &mut Transaction,
    customer: &str,
    amount: i64,
) -> boltline::Result<bool> {
    let query =
        Query::new("MATCH (c:Customer {id: $id}) RETURN c.balance >= $amount AS sufficient")
            .param("id", customer)
            .param("amount", amount);
    let mut result = tx.run(query).await?;
    let record = result.single().await?;
    record.get_as("sufficient")
}

async fn other_bank_transfer_api(customer: &str, other_bank: &str, amount: i64) {
    // A call to the other bank would go here.
    println!("sent {amount} from {customer} to {other_bank}");
}

async fn decrease_balance(
    tx: &mut Transaction,
    customer: &str,
    amount: i64,
) -> boltline::Result<()> {
    let query = Query::new("MATCH (c:Customer {id: $id}) SET c.balance = c.balance - $amount")
        .param("id", customer)
        .param("amount", amount);
    tx.run(query).await?.consume().await?;
    Ok(())
}

async fn transfer_to_other_bank(
    driver: &boltline::Driver,
    customer: &str,
    other_bank: &str,
    amount: i64,
) -> boltline::Result<()> {
    let mut session = driver.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_default_access_mode(AccessMode::Write),
    );
    let mut tx = session.begin_transaction().await?;
    if !balance_is_sufficient(&mut tx, customer, amount).await? {
        println!("insufficient balance; giving up");
        return tx.close().await; // rolls back
    }
    other_bank_transfer_api(customer, other_bank, amount).await;
    // The money has left: no retry and no rollback from here on.
    let debited = match decrease_balance(&mut tx, customer, amount).await {
        Ok(()) => tx.commit().await,
        Err(e) => Err(e), // `tx` is dropped: rolled back
    };
    if let Err(e) = &debited {
        eprintln!("WARNING: debit failed, manual inspection needed: {customer} {other_bank} {amount}: {e}");
    }
    session.close().await?;
    debited
}

#[tokio::main]
async fn main() -> boltline::Result<()> {
    let driver = common::driver()?;
    driver
        .execute_query("MERGE (c:Customer {id: $id}) SET c.balance = 100")
        .param("id", "c-1")
        .with_database("neo4j")
        .run()
        .await?;

    transfer_to_other_bank(&driver, "c-1", "other-bank", 30).await?;
    transfer_to_other_bank(&driver, "c-1", "other-bank", 300).await?;

    let result = driver
        .execute_query("MATCH (c:Customer {id: $id}) RETURN c.balance AS balance")
        .param("id", "c-1")
        .with_database("neo4j")
        .run()
        .await?;
    println!(
        "balance now: {}",
        result.records()[0].get_as::<i64>("balance")?
    );
    driver.close().await;
    Ok(())
}
