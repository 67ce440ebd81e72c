//! `[email] tls_cert` and `tls_key` (PEM) → the rustls acceptor STARTTLS upgrades with, on the
//! ring provider every other rustls user in firebell runs on.

use std::sync::Arc;

use crate::email_inbound::config::TlsFiles;
use anyhow::Context as _;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub(super) fn acceptor(files: &TlsFiles) -> anyhow::Result<TlsAcceptor> {
    let cert_pem = std::fs::read(&files.cert)
        .with_context(|| format!("reading [email] tls_cert {}", files.cert.display()))?;
    let certs = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| {
            format!(
                "[email] tls_cert {} is not a PEM certificate chain",
                files.cert.display()
            )
        })?;
    if certs.is_empty() {
        anyhow::bail!(
            "[email] tls_cert {} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            files.cert.display()
        );
    }
    let key_pem = std::fs::read(&files.key)
        .with_context(|| format!("reading [email] tls_key {}", files.key.display()))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).with_context(|| {
        format!(
            "[email] tls_key {} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)",
            files.key.display()
        )
    })?;
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .context("setting up TLS for the SMTP listener")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context(
            "[email] tls_cert and tls_key do not make a usable certificate (does the key match?)",
        )?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
