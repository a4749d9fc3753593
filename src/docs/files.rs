//! The files of the docs: the scenarios grouped by folder, a page each, an index and the
//! HTML file.

use std::path::{Path, PathBuf};

use crate::docs::describe::{DocScenario, describe, folder_of};
use crate::docs::examples::Examples;
use crate::docs::{glossary, html, markdown};

/// A folder of scenarios: one page.
pub struct Folder {
    pub name: String,
    /// Its Markdown page's file name.
    pub page: String,
    pub scenarios: Vec<DocScenario>,
    /// What the variables its steps read stand for in each environment.
    pub variables: glossary::Rows,
}

/// A file of the docs, its path relative to the output folder.
pub struct DocFile {
    pub path: String,
    pub text: String,
}

/// Groups the scenarios by folder (in path order) and writes every file.
pub fn write_docs(
    title: &str,
    root: &Path,
    scenarios: Vec<DocScenario>,
    examples: Option<&Examples>,
    glossary: &glossary::Glossary,
) -> Vec<DocFile> {
    let mut folders: Vec<Folder> = Vec::new();
    let mut scenarios = scenarios;
    scenarios.sort_by(|a, b| a.file.cmp(&b.file));
    for scenario in scenarios {
        let name = folder_of(&scenario.file, root);
        match folders.iter_mut().find(|f| f.name == name) {
            Some(folder) => folder.scenarios.push(scenario),
            None => {
                let page = match name.as_str() {
                    "." => "root.md".to_owned(),
                    other => format!("{}.md", other.replace('/', "-")),
                };
                folders.push(Folder {
                    name,
                    page,
                    scenarios: vec![scenario],
                    variables: Vec::new(),
                });
            }
        }
    }
    for folder in &mut folders {
        let used: Vec<&String> = folder
            .scenarios
            .iter()
            .flat_map(|s| s.steps.iter().flat_map(|step| step.variables.iter()))
            .collect();
        folder.variables = glossary.rows(used);
    }
    let mut files = vec![DocFile {
        path: "index.md".into(),
        text: markdown::index(title, &folders, examples),
    }];
    for folder in &folders {
        files.push(DocFile {
            path: folder.page.clone(),
            text: markdown::folder_page(folder, examples, &glossary.environments),
        });
    }
    files.push(DocFile {
        path: "docs.html".into(),
        text: html::page(title, &folders, examples, &glossary.environments),
    });
    files
}

/// Documents the scenarios of a loaded suite.
pub fn describe_all(scenarios: &[crate::scenario::model::Scenario]) -> Vec<DocScenario> {
    let engine = crate::template::TemplateEngine::new();
    scenarios.iter().map(|s| describe(s, &engine)).collect()
}

/// "the run of 2026-12-02T10:00:00Z in environment `mock`"
pub fn run_words(examples: &Examples) -> String {
    let when = examples.started_at.as_deref().unwrap_or("an unknown date");
    match &examples.environment {
        Some(env) => format!("the run of {when} in environment `{env}`"),
        None => format!("the run of {when}"),
    }
}

/// The folder the docs are relative to: the suite's, else the first path's.
pub fn root_of(suite_file: Option<&Path>, paths: &[PathBuf]) -> PathBuf {
    suite_file
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .or_else(|| paths.first().cloned())
        .unwrap_or_else(|| PathBuf::from("."))
}
