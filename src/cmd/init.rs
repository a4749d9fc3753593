//! `k2check init [DIR]`: a working suite to start from, which passes against the mock at once.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::cmd::doctor::{Asked, settings_with_mock};
use crate::cmd::error::{CommandError, CommandResult};
use crate::cmd::init_answers::gather;
use crate::cmd::init_files::{CloudVariable, StarterFile, cloud_variables, starter_files};
use crate::doctor::{Surface, surface};
use crate::exit;
use crate::http::Client;
use crate::output_files::{link_on_the_way, link_refusal};

/// What git should not keep: reports, and the `.env` holding the tenant's values.
const IGNORED: [&str; 2] = ["reports/", ".env"];

pub async fn init(args: InitArgs) -> CommandResult {
    let answers = gather(&args).map_err(CommandError::invalid)?;
    let discovered = match args.discover {
        true => Some(discover(&args).await?),
        false => None,
    };
    let dir = args.dir;
    // A CI file belongs at the repository's root, which may be above the suite.
    let in_repository = repository_root(&dir);
    let repository = in_repository.clone().unwrap_or_else(|| dir.clone());
    let suite_from_ci = relative_path(&dir, &repository);
    let mut files = starter_files(&answers, &suite_from_ci, discovered.as_ref());
    let variables = cloud_variables(&files);
    // The CI file is the last one, when asked for.
    let ci_index = answers.ci.map(|_| files.len() - 1);
    let targets: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if Some(i) == ci_index {
                repository.join(&f.path)
            } else {
                dir.join(&f.path)
            }
        })
        .collect();
    // A link inside the target (a `k2check.yaml` or `.gitignore` that leads elsewhere) would
    // have init write outside it: refused before anything is written.
    let gitignore = repository.join(".gitignore");
    let links: Vec<PathBuf> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if Some(i) == ci_index {
                (&repository, t)
            } else {
                (&dir, t)
            }
        })
        .chain([(&repository, &gitignore)])
        .filter_map(|(root, target)| link_on_the_way(root, target))
        .collect();
    if let Some(link) = links.first() {
        return Err(CommandError::invalid(format!(
            "{}; nothing was written",
            link_refusal(link)
        )));
    }
    let existing: Vec<&PathBuf> = targets.iter().filter(|p| p.exists()).collect();
    if !existing.is_empty() {
        let refusal =
            CommandError::invalid("init never overwrites a file, and these exist already; nothing was written:");
        let refusal = existing
            .iter()
            .fold(refusal, |e, path| e.with_line(format!("  {}", path.display())));
        return Err(refusal.with_line("hint: choose an empty folder: k2check init NEW-FOLDER"));
    }
    for (file, target) in files.drain(..).zip(&targets) {
        if let Err(e) = write_new(target, &file) {
            return Err(CommandError::incomplete(format!(
                "cannot write {}: {e}",
                target.display()
            )));
        }
    }
    if let Err(e) = add_ignored_lines(&gitignore, &relative_path(&dir, &repository)) {
        return Err(CommandError::incomplete(format!(
            "cannot update {}: {e}",
            gitignore.display()
        )));
    }
    print_next_steps(&dir, &targets, &variables);
    if let (Some(index), None) = (ci_index, &in_repository) {
        crate::errln!(
            "\nNo git repository holds {}: the CI file is {}. Move it to your repository's root and \
             change `{}` in it to the suite's folder as seen from there.",
            dir.display(),
            targets[index].display(),
            suite_from_ci
        );
    }
    Ok(exit::OK)
}

/// What the tenant (or the mock) exposes to the client, read with its token.
async fn discover(args: &InitArgs) -> Result<Surface, CommandError> {
    let asked = Asked::of(&args.host, &args.api_url, &args.tenant, &args.client_id, args.scim);
    let (settings, _mock) = settings_with_mock(&asked, args.mock).await?;
    let client = Client::new(&Default::default()).map_err(CommandError::invalid)?;
    let redactor = crate::redact::Redactor::default();
    redactor.add(&settings.client_secret);
    let environment = if args.mock { "mock" } else { "cloud" };
    let mut found = surface(&settings, &client, args.max, environment).await.map_err(|e| {
        CommandError::failed(format!(
            "nothing could be discovered; nothing was written: {}",
            redactor.redact(&e)
        ))
        .with_line("hint: `k2check doctor` with the same settings checks each step")
    })?;
    // What becomes a snapshot file is masked as a run masks what it stores.
    found.csdl = redactor.redact(&found.csdl).into_owned();
    for workflow in &mut found.workflows {
        workflow.schema = workflow.schema.as_ref().map(|s| redactor.redact_json(s));
    }
    for answer in [&mut found.scim_schemas, &mut found.scim_resource_types] {
        *answer = answer.as_ref().map(|a| redactor.redact_json(a));
    }
    Ok(found)
}

fn write_new(target: &Path, file: &StarterFile) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // `create_new`: a file that appeared since the check above is still not overwritten.
    let mut out = std::fs::File::options().write(true).create_new(true).open(target)?;
    out.write_all(file.text.as_bytes())
}

/// Appends the ignore lines `.gitignore` lacks; what it holds stays as it is.
fn add_ignored_lines(gitignore: &Path, suite: &str) -> std::io::Result<()> {
    let current = match std::fs::read_to_string(gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let prefix = if suite == "." {
        String::new()
    } else {
        format!("{suite}/")
    };
    let missing: Vec<String> = IGNORED
        .iter()
        .map(|line| format!("{prefix}{line}"))
        .filter(|line| !current.lines().any(|l| l.trim() == line))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut out = std::fs::File::options().create(true).append(true).open(gitignore)?;
    let separator = if current.is_empty() || current.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    write!(
        out,
        "{separator}# k2check: reports and the tenant's values\n{}\n",
        missing.join("\n")
    )
}

/// The nearest folder at or above `dir` that holds `.git`.
fn repository_root(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).ok()?;
    let root = absolute.ancestors().find(|d| d.join(".git").exists())?;
    // Keep the form the user gave when the suite is the root itself.
    Some(if root == absolute {
        dir.to_path_buf()
    } else {
        root.to_path_buf()
    })
}

/// `dir` as seen from `root`, with `/` separators (CI runs it on Linux), `.` when they are one.
fn relative_path(dir: &Path, root: &Path) -> String {
    let (Ok(dir), Ok(root)) = (std::path::absolute(dir), std::path::absolute(root)) else {
        return ".".into();
    };
    match dir.strip_prefix(&root) {
        Ok(rest) if rest.as_os_str().is_empty() => ".".into(),
        Ok(rest) => rest
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => ".".into(),
    }
}

fn print_next_steps(dir: &Path, written: &[PathBuf], variables: &[CloudVariable]) {
    crate::errln!("Wrote a k2check suite:");
    for path in written {
        crate::errln!("  {}", path.display());
    }
    let shown = dir.display();
    crate::errln!("\nNext:");
    crate::errln!("  k2check run {shown} --mock          # passes now, against the built-in mock");
    crate::errln!("  then set these for your tenant (or write them into {shown}/.env):");
    for variable in variables {
        crate::errln!("    {:<23} {}", variable.name, variable.meaning);
    }
    crate::errln!("    bash:       export K2_CLIENT_SECRET='…'");
    crate::errln!("    PowerShell: $env:K2_CLIENT_SECRET = '…'");
    crate::errln!("  k2check run {shown} --env cloud     # the same checks against the tenant");
}
