//! TLS settings, built on rustls with the `ring` provider.
//!
//! Trust comes from one of: Mozilla's roots compiled in (`webpki-roots`,
//! chosen over the platform store so verification behaves the same on every
//! OS and in minimal containers without a CA bundle; a private CA is added
//! with [`TlsConfigBuilder::trust_ca_file`]), a custom CA, or nothing at all
//! (`+ssc`: any certificate, for self-signed servers). Client certificates
//! give mutual TLS. The `rustls::ClientConfig` is built once and shared by
//! every connection made with the config.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::{Error, Result, Security};

/// Which server certificates to accept.
#[derive(Debug, Clone)]
enum Trust {
    WebPkiRoots,
    Custom(Vec<CertificateDer<'static>>),
    Any,
}

/// TLS settings for connections; cheap to clone.
#[derive(Clone)]
pub struct TlsConfig {
    config: Arc<ClientConfig>,
    server_name: Option<String>,
    trust: &'static str,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("trust", &self.trust)
            .field("server_name", &self.server_name)
            .field(
                "client_auth",
                &self.config.client_auth_cert_resolver.has_certs(),
            )
            .finish()
    }
}

impl TlsConfig {
    /// Full verification against Mozilla's root certificates (`+s`).
    pub fn webpki_roots() -> Result<TlsConfig> {
        TlsConfig::builder().build()
    }

    /// Accepts any server certificate (`+ssc`). The connection is encrypted
    /// but the server is not authenticated.
    pub fn trust_any() -> Result<TlsConfig> {
        TlsConfig::builder().trust_any().build()
    }

    /// Full verification against the CA certificate(s) in a PEM file.
    pub fn with_ca_file(path: impl AsRef<Path>) -> Result<TlsConfig> {
        TlsConfig::builder().trust_ca_file(path)?.build()
    }

    /// The settings a URI's security asks for (`None` for plain TCP).
    pub fn for_security(security: Security) -> Result<Option<TlsConfig>> {
        Ok(match security {
            Security::Plain => None,
            Security::Verified => Some(TlsConfig::webpki_roots()?),
            Security::TrustAny => Some(TlsConfig::trust_any()?),
        })
    }

    /// A builder, starting from full verification against Mozilla's roots.
    pub fn builder() -> TlsConfigBuilder {
        TlsConfigBuilder {
            trust: Trust::WebPkiRoots,
            client_auth: None,
            server_name: None,
        }
    }

    /// The rustls configuration.
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.config
    }

    /// The name to verify instead of the host connected to, if set.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The same trust settings, verifying certificates against `name`
    /// instead of the host connected to: for connecting to an address that
    /// DNS resolution produced while the certificate names the host.
    pub fn with_server_name(&self, name: impl Into<String>) -> TlsConfig {
        TlsConfig {
            server_name: Some(name.into()),
            ..self.clone()
        }
    }

    /// The name checked against the certificate when connecting to `host`.
    pub(crate) fn name_for(&self, host: &str) -> Result<ServerName<'static>> {
        let name = self.server_name.as_deref().unwrap_or(host);
        ServerName::try_from(name.to_owned())
            .map_err(|e| Error::TlsConfig(format!("invalid server name {name:?}: {e}")))
    }
}

/// Builds a [`TlsConfig`].
#[derive(Debug)]
pub struct TlsConfigBuilder {
    trust: Trust,
    client_auth: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    server_name: Option<String>,
}

impl TlsConfigBuilder {
    /// Trusts Mozilla's root certificates (the default).
    pub fn trust_webpki_roots(mut self) -> Self {
        self.trust = Trust::WebPkiRoots;
        self
    }

    /// Trusts any certificate (no server authentication).
    pub fn trust_any(mut self) -> Self {
        self.trust = Trust::Any;
        self
    }

    /// Trusts only these CA certificates.
    pub fn trust_ca_certificates(mut self, certs: Vec<CertificateDer<'static>>) -> Self {
        self.trust = Trust::Custom(certs);
        self
    }

    /// Trusts only the CA certificate(s) in a PEM file.
    pub fn trust_ca_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|i| i.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| Error::TlsConfig(format!("reading CA file {}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(Error::TlsConfig(format!(
                "no certificate in CA file {}",
                path.display()
            )));
        }
        Ok(self.trust_ca_certificates(certs))
    }

    /// Trusts only the CA certificate(s) in PEM text.
    pub fn trust_ca_pem(self, pem: &[u8]) -> Result<Self> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::TlsConfig(format!("parsing CA PEM: {e}")))?;
        if certs.is_empty() {
            return Err(Error::TlsConfig("no certificate in CA PEM".into()));
        }
        Ok(self.trust_ca_certificates(certs))
    }

    /// Presents a client certificate chain and its key (mutual TLS).
    pub fn client_certificate(
        mut self,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Self {
        self.client_auth = Some((chain, key));
        self
    }

    /// Presents a client certificate chain and key read from PEM files.
    pub fn client_certificate_files(
        self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self> {
        let (chain, key) = (chain.as_ref(), key.as_ref());
        let certs = CertificateDer::pem_file_iter(chain)
            .and_then(|i| i.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| {
                Error::TlsConfig(format!(
                    "reading client certificate {}: {e}",
                    chain.display()
                ))
            })?;
        if certs.is_empty() {
            return Err(Error::TlsConfig(format!(
                "no certificate in {}",
                chain.display()
            )));
        }
        // The key's contents never appear in errors.
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| Error::TlsConfig(format!("reading client key {}: {e}", key.display())))?;
        Ok(self.client_certificate(certs, key))
    }

    /// Verifies the certificate against `name` instead of the host connected
    /// to (for servers reached through an IP or a tunnel).
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// Builds the configuration.
    pub fn build(self) -> Result<TlsConfig> {
        let provider = Arc::new(ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::TlsConfig(e.to_string()))?;
        let (builder, trust) = match self.trust {
            Trust::WebPkiRoots => {
                let mut roots = RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                (builder.with_root_certificates(roots), "webpki roots")
            }
            Trust::Custom(certs) => {
                let mut roots = RootCertStore::empty();
                for c in certs {
                    roots
                        .add(c)
                        .map_err(|e| Error::TlsConfig(format!("unusable CA certificate: {e}")))?;
                }
                (builder.with_root_certificates(roots), "custom CA")
            }
            Trust::Any => (
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(TrustAny { provider })),
                "any certificate",
            ),
        };
        let config = match self.client_auth {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| Error::TlsConfig(format!("unusable client certificate: {e}")))?,
            None => builder.with_no_client_auth(),
        };
        Ok(TlsConfig {
            config: Arc::new(config),
            server_name: self.server_name,
            trust,
        })
    }
}

/// Accepts any certificate, but still checks that the server holds the key
/// of the certificate it sent (handshake signatures), so the session is
/// encrypted to whoever owns that certificate.
#[derive(Debug)]
struct TrustAny {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for TrustAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_each_trust_mode() {
        assert!(TlsConfig::webpki_roots().is_ok());
        assert!(TlsConfig::trust_any().is_ok());
        assert!(TlsConfig::for_security(Security::Plain).unwrap().is_none());
        assert!(TlsConfig::for_security(Security::TrustAny)
            .unwrap()
            .is_some());
        let dbg = format!("{:?}", TlsConfig::trust_any().unwrap());
        assert!(dbg.contains("any certificate"), "{dbg}");
    }

    #[test]
    fn bad_ca_inputs_are_config_errors() {
        assert!(matches!(
            TlsConfig::with_ca_file("/nonexistent/ca.pem"),
            Err(Error::TlsConfig(_))
        ));
        assert!(matches!(
            TlsConfig::builder().trust_ca_pem(b"not pem"),
            Err(Error::TlsConfig(_))
        ));
    }

    #[test]
    fn server_names() {
        let c = TlsConfig::trust_any().unwrap();
        assert!(c.name_for("localhost").is_ok());
        assert!(c.name_for("127.0.0.1").is_ok());
        assert!(c.name_for("bad name!").is_err());
        let c = TlsConfig::builder()
            .server_name("db.example")
            .build()
            .unwrap();
        assert_eq!(c.server_name(), Some("db.example"));
        // Overriding the name keeps the trust settings and the rustls config.
        let renamed = c.with_server_name("other.example");
        assert_eq!(renamed.server_name(), Some("other.example"));
        assert!(Arc::ptr_eq(renamed.client_config(), c.client_config()));
        assert_eq!(
            format!("{:?}", renamed).replace("other.example", "db.example"),
            format!("{:?}", c)
        );
    }
}
