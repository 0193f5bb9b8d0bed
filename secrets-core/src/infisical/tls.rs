//! The Infisical client's TLS: the system's roots plus a CA bundle's, read once per process and
//! only when a certificate has to be checked.
//!
//! reqwest's own rustls set-up builds a `rustls-platform-verifier` verifier in
//! `ClientBuilder::build`, which on Linux reads and parses every certificate of the system
//! store: about 2 ms for each client built, even for one that only ever speaks plain HTTP to a
//! loopback address. Here every client gets a ready rustls config whose verifier asks for the
//! system's verifier at its first certificate, and that verifier is built once per process.
//! The provider is `ring`: the lighter build of the two rustls ships (see BENCHMARKS.md).

use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// `http` with its TLS set: the system's roots, and those of `ca_bundle_pem` when given; HTTP/2
/// offered in the handshake when `http2`, as reqwest's own set-up does with its `http2` feature.
///
/// # Errors
/// The bundle is not PEM, holds no certificate, or holds one that cannot be a root.
pub(crate) fn configure(
    http: reqwest::ClientBuilder,
    ca_bundle_pem: Option<&[u8]>,
    http2: bool,
) -> Result<reqwest::ClientBuilder, String> {
    let bundle = ca_bundle_pem.map(bundle_verifier).transpose()?;
    let mut config = ClientConfig::builder_with_provider(provider().clone())
        .with_safe_default_protocol_versions()
        .map_err(|_| "cannot set up HTTPS: no TLS version in common".to_owned())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Roots { bundle }))
        .with_no_client_auth();
    // What reqwest offers, with and without its `http2` feature: a ready config is used as it
    // is, so the protocols are ours to list.
    config.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(http.tls_backend_preconfigured(config))
}

/// The bundle's certificates as roots of their own.
fn bundle_verifier(pem: &[u8]) -> Result<Arc<WebPkiServerVerifier>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "the CA bundle is not valid PEM".to_owned())?;
    if certs.is_empty() {
        return Err("the CA bundle holds no certificate".to_owned());
    }
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|_| {
            "cannot set up HTTPS: a certificate of the CA bundle is not usable as a root".to_owned()
        })?;
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider().clone())
        .build()
        .map_err(|_| "cannot set up HTTPS: the CA bundle cannot verify certificates".to_owned())
}

/// The one crypto provider of every client.
fn provider() -> &'static Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// The system's verifier, built at the first certificate any client checks: it reads the
/// system's certificate store, so a process that never makes an HTTPS request never reads it.
fn system() -> &'static Result<rustls_platform_verifier::Verifier, rustls::Error> {
    static SYSTEM: OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>> =
        OnceLock::new();
    SYSTEM.get_or_init(|| rustls_platform_verifier::Verifier::new(provider().clone()))
}

/// A certificate is trusted when it chains to a root of the CA bundle or of the system: the
/// same set reqwest trusts after `tls_certs_merge`, without copying the system's roots into
/// every client that has a bundle.
#[derive(Debug)]
struct Roots {
    bundle: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Roots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut bundle_error = None;
        if let Some(bundle) = &self.bundle {
            match bundle.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(verified) => return Ok(verified),
                Err(e) => bundle_error = Some(e),
            }
        }
        match (system(), bundle_error) {
            (Ok(system), _) => system.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            // A host with no system store (a bare container) still trusts the bundle, as
            // reqwest does: the bundle's answer stands.
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => Err(e.clone()),
        }
    }

    // The signature checks depend on the provider alone, never on the roots: answered without
    // building the system's verifier (the schemes are asked for before any certificate).
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_must_be_pem_with_a_certificate() {
        let err = |pem: &[u8]| configure(reqwest::Client::builder(), Some(pem), true).unwrap_err();
        assert_eq!(err(b"garbage"), "the CA bundle holds no certificate");
        assert_eq!(
            err(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
            "the CA bundle is not valid PEM"
        );
        assert!(
            err(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .contains("not usable as a root")
        );
    }

    #[test]
    fn a_client_without_a_bundle_builds() {
        let http = configure(reqwest::Client::builder(), None, true).unwrap();
        assert!(http.build().is_ok());
    }
}
