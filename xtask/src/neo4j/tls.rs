//! The certificates of the test server's Bolt TLS, generated once into
//! `target/neo4j/tls/`:
//!
//! - `ca.pem`: a self-signed test CA (its key is thrown away: nothing else is
//!   ever signed with it);
//! - `server.pem`, `server.key`: the server certificate, signed by that CA,
//!   for `localhost` and `127.0.0.1`, and its key as PKCS#8 PEM (`BEGIN
//!   PRIVATE KEY`), the format Neo4j's SSL policy loader reads;
//! - `other-ca.pem`: an unrelated CA, for tests where verification must fail;
//! - `trusted/`, `revoked/`: the directories Neo4j's SSL policy requires
//!   (client certificates are not requested, so `trusted/` only holds ca.pem
//!   for completeness).

use std::fs;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// The files that must all exist for the directory to count as complete.
const FILES: [&str; 5] = [
    "ca.pem",
    "server.pem",
    "server.key",
    "other-ca.pem",
    "trusted/ca.pem",
];

/// Creates the certificates in `dir` unless they are all there already.
pub(super) fn ensure(dir: &Path) -> Result<(), String> {
    if FILES.iter().all(|f| dir.join(f).is_file()) && dir.join("revoked").is_dir() {
        return Ok(());
    }
    eprintln!(
        "xtask: [neo4j] generating test certificates in {}",
        dir.display()
    );
    generate(dir).map_err(|e| format!("[neo4j tls] generating certificates failed: {e}"))
}

fn generate(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    fs::create_dir_all(dir.join("trusted"))?;
    fs::create_dir_all(dir.join("revoked"))?;

    let (ca_pem, ca_params, ca_key) = new_ca("boltline test CA")?;
    let (other_ca_pem, _, _) = new_ca("boltline unrelated test CA")?;

    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into()?),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    ];
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    // ECDSA P-256 (rcgen's default); Neo4j reads EC keys in PKCS#8 PEM.
    let server_key = KeyPair::generate()?;
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let server_cert = params.signed_by(&server_key, &issuer)?;

    fs::write(dir.join("ca.pem"), &ca_pem)?;
    fs::write(dir.join("trusted/ca.pem"), &ca_pem)?;
    fs::write(dir.join("other-ca.pem"), &other_ca_pem)?;
    // The chain the server presents: its certificate, then the CA.
    fs::write(
        dir.join("server.pem"),
        format!("{}{}", server_cert.pem(), ca_pem),
    )?;
    fs::write(dir.join("server.key"), server_key.serialize_pem())?;
    Ok(())
}

/// A self-signed CA: its PEM certificate, its parameters and its key.
fn new_ca(name: &str) -> Result<(String, CertificateParams, KeyPair), Box<dyn std::error::Error>> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "boltline tests");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), params, key))
}
