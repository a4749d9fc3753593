//! `k2check secret-hash`: the hash Nintex asks for when onboarding a client-credentials client.

use std::io::{IsTerminal as _, Read as _};

use crate::auth::to_sha256;
use crate::cli::SecretHashArgs;
use crate::cmd::error::{CommandError, CommandResult};
use crate::exit;

pub fn secret_hash(args: SecretHashArgs) -> CommandResult {
    let from_terminal = args.secret.is_none() && std::io::stdin().is_terminal();
    let secret = match args.secret {
        Some(s) => Ok(s),
        None if from_terminal => ask_on_terminal(),
        None => read_piped(),
    };
    let secret = secret.map_err(CommandError::invalid)?;
    // IdentityModel's ToSha256 gives "" for a blank secret: no client can be registered with it.
    if secret.trim().is_empty() {
        return Err(CommandError::invalid("the secret is empty; nothing was hashed"));
    }
    crate::outln!("{}", to_sha256(&secret));
    if from_terminal {
        crate::errln!(
            "Send this hash (never the secret itself) to Nintex with your client id; the secret stays with you."
        );
    }
    Ok(exit::OK)
}

/// Asks twice without echo, so a typing mistake does not become the registered secret.
fn ask_on_terminal() -> Result<String, String> {
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| format!("cannot read the secret from the terminal: {e}"))
    };
    let first = read("Client secret (not shown): ")?;
    if first.is_empty() {
        return Ok(first);
    }
    let second = read("Again, to compare: ")?;
    if first != second {
        return Err("the two entries differ; nothing was hashed".into());
    }
    Ok(first)
}

fn read_piped() -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
    // One trailing line break comes from `echo` or the terminal, not the secret.
    let trimmed = input.strip_suffix('\n').unwrap_or(&input);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned())
}
