//! The diagnosis for a person (a line a check, its hint under it, what to do next last) and
//! for a machine (`--json`).

use serde_json::json;

use crate::doctor::line::{Line, Verdict};

/// What to do next: the first failure's hint, or what to run when all is well.
fn next_step(lines: &[Line]) -> String {
    match lines.iter().find(|l| l.failed_check()) {
        Some(first) => match &first.hint {
            Some(hint) => format!("fix the first failure first ({} {}): {hint}", first.area, first.what),
            None => format!("fix the first failure first: {} {}", first.area, first.what),
        },
        None => "the client works: `k2check init DIR` writes these checks as a suite to run in CI".into(),
    }
}

pub fn as_text(title: &str, lines: &[Line]) -> String {
    let mut out = format!("{title}\n");
    let width = lines.iter().map(|l| l.what.chars().count()).max().unwrap_or(0);
    for line in lines {
        let word = line.verdict.word();
        out.push_str(&format!(
            "  {word:<11} {:<5} {:<width$}  {}\n",
            line.area, line.what, line.detail
        ));
        if let Some(hint) = &line.hint {
            out.push_str(&format!("  {:<11} {:<5} hint: {hint}\n", "", ""));
        }
    }
    let failed = lines.iter().filter(|l| l.failed_check()).count();
    let checked = lines.iter().filter(|l| l.verdict != Verdict::NotChecked).count();
    out.push_str(&format!(
        "\n{} of {checked} checks passed; next: {}\n",
        checked - failed,
        next_step(lines)
    ));
    out
}

pub fn as_json(api: &str, client_id: &str, lines: &[Line]) -> serde_json::Value {
    let checks: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| {
            json!({
                "area": l.area,
                "check": l.what,
                "verdict": l.verdict.word(),
                "detail": l.detail,
                "hint": l.hint,
            })
        })
        .collect();
    json!({
        "api": api,
        "client_id": client_id,
        "ok": !lines.iter().any(Line::failed_check),
        "checks": checks,
        "next": next_step(lines),
    })
}
