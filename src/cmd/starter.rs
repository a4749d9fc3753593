//! What `init` writes, as the files that make it share it: a file, and a variable the suite reads.

/// A file to write, its path relative to the suite's folder.
pub struct StarterFile {
    pub path: String,
    pub text: String,
}

/// An environment variable the suite reads in `cloud`: its name, what it holds, and whether
/// it is a secret (a CI keeps those apart).
pub struct CloudVariable {
    pub name: String,
    pub meaning: &'static str,
    pub secret: bool,
}
