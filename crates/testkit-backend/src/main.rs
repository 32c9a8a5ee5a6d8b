//! `boltline-testkit-backend`: serves testkit on 127.0.0.1:9876.
//!
//! ```text
//! boltline-testkit-backend [--address HOST:PORT] [--verbose]
//! ```
//!
//! Without `--address`, the `TEST_BACKEND_HOST` / `TEST_BACKEND_PORT`
//! variables testkit itself reads are honoured, so both sides agree.

use std::process::ExitCode;

use boltline_testkit_backend::server::{self, Options, DEFAULT_ADDRESS};

const USAGE: &str = "usage: boltline-testkit-backend [--address HOST:PORT] [--verbose]

Serves the testkit protocol, one connection at a time.
Address: --address, else TEST_BACKEND_HOST/TEST_BACKEND_PORT, else 127.0.0.1:9876.";

fn address_from_env() -> Option<String> {
    let host = std::env::var("TEST_BACKEND_HOST").ok();
    let port = std::env::var("TEST_BACKEND_PORT").ok();
    if host.is_none() && port.is_none() {
        return None;
    }
    Some(format!(
        "{}:{}",
        host.as_deref().unwrap_or("127.0.0.1"),
        port.as_deref().unwrap_or("9876")
    ))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut address = None;
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--address" => match args.next() {
                Some(a) => address = Some(a),
                None => {
                    eprintln!("--address needs a value\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--verbose" | "-v" => options.verbose = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let address = address
        .or_else(address_from_env)
        .unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("boltline-testkit-backend: cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shown = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(address);
    eprintln!("boltline-testkit-backend: listening on {shown}");
    let local = tokio::task::LocalSet::new();
    match local.run_until(server::serve(listener, options)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("boltline-testkit-backend: {e}");
            ExitCode::FAILURE
        }
    }
}
