//! `k2check secret-hash`: the hash Nintex asks for when onboarding a client-credentials client.

use std::io::Read as _;

use crate::auth::to_sha256;
use crate::cli::SecretHashArgs;
use crate::exit;

pub fn secret_hash(args: SecretHashArgs) -> u8 {
    let secret = match args.secret {
        Some(s) => s,
        None => {
            let mut input = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut input) {
                crate::errln!("error: cannot read the secret from standard input: {e}");
                return exit::INVALID;
            }
            // One trailing line break comes from `echo` or the terminal, not the secret.
            let trimmed = input.strip_suffix('\n').unwrap_or(&input);
            trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned()
        }
    };
    crate::outln!("{}", to_sha256(&secret));
    exit::OK
}
