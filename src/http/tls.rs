//! The TLS settings of the client, made from the suite's `tls:`: the platform's roots (with
//! `ca_file` added), a client certificate when one is given, and with `insecure: true` any
//! certificate accepted (signatures still checked).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use crate::http::ClientError;
use crate::scenario::model::Tls;

pub(crate) fn client_config(tls: &Tls) -> Result<ClientConfig, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(build_error)?;
    let verifier: Arc<dyn ServerCertVerifier> = if tls.insecure {
        Arc::new(AcceptAnyCertificate(provider))
    } else {
        let extra = match &tls.ca_file {
            Some(ca) => certificates(&ca.value)?,
            None => Vec::new(),
        };
        Arc::new(rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider).map_err(build_error)?)
    };
    let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
    match &tls.client_cert {
        None => Ok(builder.with_no_client_auth()),
        Some(cert) => {
            let chain = certificates(&cert.value)?;
            let key_path = tls.client_key.as_ref().map_or(&cert.value, |k| &k.value);
            let key = PrivateKeyDer::from_pem_slice(&read(key_path)?).map_err(|e| invalid(key_path, e))?;
            builder.with_client_auth_cert(chain, key).map_err(build_error)
        }
    }
}

fn certificates(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let certs = CertificateDer::pem_slice_iter(&read(path)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(path, e))?;
    if certs.is_empty() {
        return Err(invalid(path, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    }
    Ok(certs)
}

/// A file `tls:` names, or why it cannot be read.
fn read(path: &std::path::Path) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|source| ClientError::Read {
        path: path.display().to_string(),
        source,
    })
}

fn invalid(path: &std::path::Path, e: impl std::fmt::Display) -> ClientError {
    ClientError::Invalid {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn build_error(e: impl std::fmt::Display) -> ClientError {
    ClientError::Build(e.to_string())
}

/// `insecure: true`: any certificate is accepted, though signatures are still checked so the
/// handshake itself stays sound.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
