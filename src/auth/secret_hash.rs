//! IdentityModel's `ToSha256()`: how Nintex registers a client-credentials secret.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// Standard Base64 (with padding) of SHA-256 over the UTF-8 bytes; empty or
/// whitespace-only input gives an empty string, as .NET's `IsNullOrWhiteSpace` does.
pub fn to_sha256(secret: &str) -> String {
    if secret.chars().all(char::is_whitespace) {
        return String::new();
    }
    STANDARD.encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_identitymodel_vectors() {
        assert_eq!(to_sha256("secret"), "K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=");
        assert_eq!(
            to_sha256("my secret value I am not sharing"),
            "MuEzo1R7V3V2XQTZgL+jrXh/zCoOzsfuf72H444YDx0="
        );
        assert_eq!(to_sha256("pässwörd"), "RpcL73Cs7YEj8NXQlHF+KlzUEgQeA7JjdgSf5lsoNKQ=");
        assert_eq!(
            to_sha256("k2check-mock-secret"),
            "c93MGKB5/gWS49an9ygoGdmy2YDOH2TfDgLV5xZ4L4g="
        );
        assert_eq!(to_sha256(""), "");
        assert_eq!(to_sha256(" \t\n"), "");
    }
}
