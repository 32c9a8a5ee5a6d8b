//! TLS: verification against a custom CA, host names, trust-any, and mutual
//! TLS, with certificates made on the fly and a TLS front for the stub.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use boltline_bolt::rustls::crypto::ring;
use boltline_bolt::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use boltline_bolt::rustls::server::WebPkiClientVerifier;
use boltline_bolt::rustls::{RootCertStore, ServerConfig};
use boltline_bolt::{Address, Connection, ConnectionConfig, Error, TlsConfig};
use boltline_stub::{Script, StubServer};
use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.distinguished_name.push(DnType::CommonName, name);
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A leaf certificate and key signed by this CA.
    fn issue(
        &self,
        names: &[&str],
        usage: ExtendedKeyUsagePurpose,
    ) -> (CertificateDer<'static>, KeyPair) {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.der().clone(), key)
    }
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("boltline-tls-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

fn key_der(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

/// Terminates TLS in front of `backend` (the stub): accepted TLS sessions
/// are piped to a fresh TCP connection to the stub.
async fn tls_front(config: ServerConfig, backend: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    if let Ok(mut back) = TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut back).await;
                    }
                }
            });
        }
    });
    address
}

fn server_config(ca: &Ca, client_ca: Option<&Ca>) -> ServerConfig {
    let (cert, key) = ca.issue(
        &["localhost", "127.0.0.1"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let provider = Arc::new(ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        Some(c) => {
            let mut roots = RootCertStore::empty();
            roots.add(c.der()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    builder.with_single_cert(vec![cert], key_der(&key)).unwrap()
}

struct Setup {
    ca: Ca,
    stub: StubServer,
    front: SocketAddr,
}

async fn setup(client_ca: Option<&Ca>) -> Setup {
    let ca = Ca::new("boltline test CA");
    let stub = StubServer::start_one(Script::authenticated(5, 4))
        .await
        .unwrap();
    let front = tls_front(server_config(&ca, client_ca), stub.address()).await;
    Setup { ca, stub, front }
}

async fn connect_tls(
    host: &str,
    port: u16,
    tls: TlsConfig,
) -> boltline_bolt::Result<Connection<boltline_bolt::BoltStream>> {
    let config: ConnectionConfig = config().with_tls(tls);
    bounded(Connection::connect(&Address::new(host, port), &config)).await
}

#[tokio::test]
async fn verified_against_a_custom_ca_file_by_host_name_and_ip() {
    let s = setup(None).await;
    let ca_file = temp_file("ca.pem", &s.ca.pem());
    let tls = TlsConfig::with_ca_file(&ca_file).unwrap();
    let conn = connect_tls("localhost", s.front.port(), tls.clone())
        .await
        .unwrap();
    assert!(conn.get_ref().is_encrypted());
    assert_eq!(conn.server_info().agent, "Neo4j/5.26.0");
    drop(conn);
    s.stub.finish_and_assert().await;
    // The certificate also names 127.0.0.1.
    let s2 = StubServer::start_one(Script::authenticated(5, 4))
        .await
        .unwrap();
    let front = tls_front(server_config(&s.ca, None), s2.address()).await;
    let ca_file2 = temp_file("ca2.pem", &s.ca.pem());
    let conn = connect_tls(
        "127.0.0.1",
        front.port(),
        TlsConfig::with_ca_file(&ca_file2).unwrap(),
    )
    .await
    .unwrap();
    drop(conn);
    s2.finish_and_assert().await;
    let _ = std::fs::remove_file(ca_file);
    let _ = std::fs::remove_file(ca_file2);
}

#[tokio::test]
async fn another_ca_is_refused() {
    let s = setup(None).await;
    let other = Ca::new("some other CA");
    let tls = TlsConfig::builder()
        .trust_ca_pem(other.pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let err = connect_tls("localhost", s.front.port(), tls)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Tls(m) if m.contains("UnknownIssuer")),
        "{err}"
    );
    assert!(err.is_connection_error());
    assert_eq!(s.stub.accepted(), 0, "nothing reached the server");
}

#[tokio::test]
async fn public_roots_do_not_trust_a_private_ca() {
    let s = setup(None).await;
    let err = connect_tls(
        "localhost",
        s.front.port(),
        TlsConfig::webpki_roots().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err}");
}

#[tokio::test]
async fn the_host_name_is_checked() {
    let s = setup(None).await;
    let tls = TlsConfig::builder()
        .trust_ca_pem(s.ca.pem().as_bytes())
        .unwrap()
        .server_name("db.example.com")
        .build()
        .unwrap();
    let err = connect_tls("localhost", s.front.port(), tls)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Tls(m) if m.contains("not valid for name")),
        "{err}"
    );
}

#[tokio::test]
async fn trust_any_accepts_a_self_signed_server() {
    let s = setup(None).await;
    let conn = connect_tls("localhost", s.front.port(), TlsConfig::trust_any().unwrap())
        .await
        .unwrap();
    assert!(conn.get_ref().is_encrypted());
    drop(conn);
    s.stub.finish_and_assert().await;
}

#[tokio::test]
async fn mutual_tls() {
    let client_ca = Ca::new("client CA");
    let s = setup(Some(&client_ca)).await;
    let (cert, key) = client_ca.issue(&["client"], ExtendedKeyUsagePurpose::ClientAuth);
    let cert_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64_lines(&cert)
    );
    let cert_file = temp_file("client.pem", &cert_pem);
    let key_file = temp_file("client.key", &key.serialize_pem());
    let tls = TlsConfig::builder()
        .trust_ca_pem(s.ca.pem().as_bytes())
        .unwrap()
        .client_certificate_files(&cert_file, &key_file)
        .unwrap()
        .build()
        .unwrap();
    let conn = connect_tls("localhost", s.front.port(), tls).await.unwrap();
    drop(conn);
    s.stub.finish_and_assert().await;
    let _ = std::fs::remove_file(cert_file);
    let _ = std::fs::remove_file(key_file);

    // Without a client certificate the server refuses the session.
    let s = setup(Some(&client_ca)).await;
    let tls = TlsConfig::builder()
        .trust_ca_pem(s.ca.pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let err = connect_tls("localhost", s.front.port(), tls)
        .await
        .unwrap_err();
    assert!(err.is_connection_error(), "{err}");
    assert_eq!(s.stub.accepted(), 0);
}

/// Base64 (standard alphabet, 64-column lines) for a PEM body.
fn base64_lines(der: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(
                    A[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap()],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
