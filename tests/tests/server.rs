//! The test server itself: Bolt 5 answers, TLS works with the test CA and
//! fails with another CA, authentication is on with the known password.
//!
//! These checks use plain `std::net`, rustls and the crate's own minimal Bolt
//! client, none of boltline's crates: when they fail, the harness is broken,
//! not the driver.

use std::io;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use boltline_itests::raw_bolt::{self, Connection, Response, Value};
use boltline_itests::{server, TestServer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

const TIMEOUT: Duration = Duration::from_secs(30);

fn connect(server: &TestServer) -> TcpStream {
    let stream = TcpStream::connect(server.address())
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", server.uri()));
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// A TLS client trusting only the CA in `ca_file`. The provider is chosen
/// explicitly: which one is the process default depends on the features
/// other crates of the workspace turn on.
fn tls_config(ca_file: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", ca_file.display()))
    {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// Connects and completes a TLS handshake, verifying the server's
/// certificate against `ca_file` for `name`.
fn tls_connect(
    server: &TestServer,
    ca_file: &Path,
    name: &str,
) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
    let name = ServerName::try_from(name.to_owned()).unwrap();
    let connection = ClientConnection::new(tls_config(ca_file), name).unwrap();
    let mut tls = StreamOwned::new(connection, connect(server));
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(tls)
}

#[test]
fn plain_bolt_handshake_negotiates_bolt_5() {
    let server = server();
    let (major, minor) = raw_bolt::handshake(&mut connect(&server)).unwrap();
    assert_eq!(major, 5, "the server chose Bolt {major}.{minor}");
}

#[test]
fn tls_with_the_test_ca_succeeds() {
    let server = server();
    let mut tls = tls_connect(&server, server.ca(), "localhost")
        .unwrap_or_else(|e| panic!("TLS handshake with {}: {e}", server.ca().display()));
    assert!(tls.conn.protocol_version().is_some());
    // Bolt works inside the TLS session too.
    let (major, minor) = raw_bolt::handshake(&mut tls).unwrap();
    assert_eq!(major, 5, "the server chose Bolt {major}.{minor} over TLS");
}

#[test]
fn tls_certificate_also_names_the_ip_address() {
    let server = server();
    tls_connect(&server, server.ca(), "127.0.0.1").unwrap();
}

#[test]
fn tls_with_another_ca_fails_with_a_certificate_error() {
    let server = server();
    let Err(error) = tls_connect(&server, server.other_ca(), "localhost") else {
        panic!("the TLS handshake succeeded although the server's certificate is not signed by the other CA");
    };
    let tls_error = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    assert!(
        matches!(
            tls_error,
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        "expected an unknown-issuer certificate error, got: {error:?}"
    );
}

#[test]
fn the_right_password_logs_in_and_runs_a_query() {
    let server = server();
    let mut bolt = Connection::handshake(connect(&server)).unwrap();
    let response = bolt.login(server.user(), server.password()).unwrap();
    assert!(
        matches!(response, Response::Success(_)),
        "login failed: {response:?}"
    );
    // The password is not expired: queries run.
    let records = bolt.run("RETURN 1 AS n").unwrap();
    assert_eq!(records, vec![vec![Value::Int(1)]]);
}

#[test]
fn a_wrong_password_is_rejected() {
    let server = server();
    let mut bolt = Connection::handshake(connect(&server)).unwrap();
    let response = bolt.login(server.user(), "not-the-password").unwrap();
    assert_eq!(
        response.failure_code(),
        Some("Neo.ClientError.Security.Unauthorized"),
        "expected an authentication failure, got: {response:?}"
    );
}
