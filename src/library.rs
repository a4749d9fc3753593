//! The scenario library (`scenarios/`) built into the binary: `init` writes from it, so a
//! release binary alone runs the full onboarding checks, and what it writes is the library
//! itself, byte for byte but for the line that points editors at the schema.

/// A file of the library, its path relative to `scenarios/`.
pub struct LibraryFile {
    pub path: &'static str,
    pub text: &'static str,
}

const fn file(path: &'static str, text: &'static str) -> LibraryFile {
    LibraryFile { path, text }
}

/// Every file of `scenarios/` (a test fails when one is missing here): the suite file first,
/// then the scenarios and the snapshots of the mock they keep (`__snapshots__/mock/`).
pub const FILES: &[LibraryFile] = &[
    file("k2check.yaml", include_str!("../scenarios/k2check.yaml")),
    file(
        "odata/__snapshots__/mock/surface.yaml/EmployeeSample metadata.json",
        include_str!("../scenarios/odata/__snapshots__/mock/surface.yaml/EmployeeSample metadata.json"),
    ),
    file(
        "odata/__snapshots__/mock/surface.yaml/the first employees.json",
        include_str!("../scenarios/odata/__snapshots__/mock/surface.yaml/the first employees.json"),
    ),
    file(
        "odata/__snapshots__/mock/surface.yaml/the shape of every record.json",
        include_str!("../scenarios/odata/__snapshots__/mock/surface.yaml/the shape of every record.json"),
    ),
    file("odata/crud.yaml", include_str!("../scenarios/odata/crud.yaml")),
    file(
        "odata/documents.yaml",
        include_str!("../scenarios/odata/documents.yaml"),
    ),
    file("odata/paging.yaml", include_str!("../scenarios/odata/paging.yaml")),
    file("odata/queries.yaml", include_str!("../scenarios/odata/queries.yaml")),
    file("odata/surface.yaml", include_str!("../scenarios/odata/surface.yaml")),
    file(
        "odata/v3-read-only.yaml",
        include_str!("../scenarios/odata/v3-read-only.yaml"),
    ),
    file(
        "onboarding/apis-answer-with-token.yaml",
        include_str!("../scenarios/onboarding/apis-answer-with-token.yaml"),
    ),
    file(
        "onboarding/basic-auth.yaml",
        include_str!("../scenarios/onboarding/basic-auth.yaml"),
    ),
    file(
        "onboarding/discovery.yaml",
        include_str!("../scenarios/onboarding/discovery.yaml"),
    ),
    file(
        "onboarding/no-credentials.yaml",
        include_str!("../scenarios/onboarding/no-credentials.yaml"),
    ),
    file(
        "onboarding/scim-answers-with-token.yaml",
        include_str!("../scenarios/onboarding/scim-answers-with-token.yaml"),
    ),
    file(
        "onboarding/scim-refuses-no-credentials.yaml",
        include_str!("../scenarios/onboarding/scim-refuses-no-credentials.yaml"),
    ),
    file(
        "onboarding/scim-token.yaml",
        include_str!("../scenarios/onboarding/scim-token.yaml"),
    ),
    file(
        "onboarding/token.yaml",
        include_str!("../scenarios/onboarding/token.yaml"),
    ),
    file(
        "scim/__snapshots__/mock/surface.yaml/ResourceTypes.json",
        include_str!("../scenarios/scim/__snapshots__/mock/surface.yaml/ResourceTypes.json"),
    ),
    file(
        "scim/__snapshots__/mock/surface.yaml/Schemas.json",
        include_str!("../scenarios/scim/__snapshots__/mock/surface.yaml/Schemas.json"),
    ),
    file("scim/discovery.yaml", include_str!("../scenarios/scim/discovery.yaml")),
    file("scim/groups.yaml", include_str!("../scenarios/scim/groups.yaml")),
    file("scim/surface.yaml", include_str!("../scenarios/scim/surface.yaml")),
    file("scim/users.yaml", include_str!("../scenarios/scim/users.yaml")),
    file(
        "workflow/__snapshots__/mock/surface.yaml/start schema.json",
        include_str!("../scenarios/workflow/__snapshots__/mock/surface.yaml/start schema.json"),
    ),
    file(
        "workflow/approve.yaml",
        include_str!("../scenarios/workflow/approve.yaml"),
    ),
    file(
        "workflow/assign-release.yaml",
        include_str!("../scenarios/workflow/assign-release.yaml"),
    ),
    file("workflow/list.yaml", include_str!("../scenarios/workflow/list.yaml")),
    file(
        "workflow/redirect.yaml",
        include_str!("../scenarios/workflow/redirect.yaml"),
    ),
    file(
        "workflow/sleep-wake.yaml",
        include_str!("../scenarios/workflow/sleep-wake.yaml"),
    ),
    file(
        "workflow/surface.yaml",
        include_str!("../scenarios/workflow/surface.yaml"),
    ),
    file(
        "workflow/unknown-action.yaml",
        include_str!("../scenarios/workflow/unknown-action.yaml"),
    ),
];

/// The library's `defaults.redact`: what changes on every call, left out of every snapshot.
/// `init --discover` applies them to the snapshots it writes (a test keeps them and the suite
/// file equal).
pub const DEFAULT_REDACTIONS: &[(&str, &str)] =
    &[("$['@odata.context']", "[context]"), ("$..meta.location", "[location]")];

/// The suite file the library's scenarios read their variables and profiles from.
pub fn suite_file() -> &'static str {
    FILES[0].text
}

/// The scenarios under `folder/` (`onboarding`, `odata`, `workflow`, `scim`).
pub fn folder(name: &str) -> impl Iterator<Item = &'static LibraryFile> {
    let prefix = format!("{name}/");
    FILES.iter().filter(move |f| f.path.starts_with(&prefix))
}

/// The scenarios of every folder, with their snapshots.
pub fn scenarios() -> impl Iterator<Item = &'static LibraryFile> {
    FILES.iter().filter(|f| f.path.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_disk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                on_disk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_file_of_the_library_is_built_in() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files = Vec::new();
        on_disk(&root, &root, &mut files);
        files.sort();
        let mut built_in: Vec<String> = FILES.iter().map(|f| f.path.to_owned()).collect();
        built_in.sort();
        assert_eq!(built_in, files);
        assert_eq!(FILES[0].path, "k2check.yaml");
    }

    #[test]
    fn the_default_redactions_are_the_suite_files() {
        let lines: String = DEFAULT_REDACTIONS
            .iter()
            .map(|(path, placeholder)| format!("    \"{path}\": \"{placeholder}\"\n"))
            .collect();
        assert!(
            suite_file().contains(&format!("  redact:\n{lines}")),
            "{}",
            suite_file()
        );
    }
}
