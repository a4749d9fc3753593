//! Diagnostics: one type for every problem found in user input, and one renderer that
//! produces rustc-style snippets for the terminal (with colour) and for reports (plain).

use crate::text::{printable, printable_line};
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::source::{SourceMap, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    /// Not a problem: something the user may not expect, said once.
    Note,
}

/// A problem with a place in a file, a short label under the caret, and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: impl Into<Option<Span>>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: span.into(),
            label: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>, span: impl Into<Option<Span>>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message, span)
        }
    }

    pub fn note(message: impl Into<String>, span: impl Into<Option<Span>>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Colours used when rendering; `plain()` for reports and redirected output.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub error: Style,
    pub warning: Style,
    pub gutter: Style,
    pub emphasis: Style,
}

impl Palette {
    pub fn plain() -> Self {
        Palette {
            error: Style::new(),
            warning: Style::new(),
            gutter: Style::new(),
            emphasis: Style::new(),
        }
    }

    pub fn coloured() -> Self {
        Palette {
            error: AnsiColor::Red.on_default().bold(),
            warning: AnsiColor::Yellow.on_default().bold(),
            gutter: AnsiColor::Blue.on_default().bold(),
            emphasis: Style::new().bold(),
        }
    }
}

/// Renders a diagnostic as rustc does: headline, `--> file:line:col`, the source line and a caret.
pub fn render(diag: &Diagnostic, sources: &SourceMap, palette: &Palette) -> String {
    let (word, style) = match diag.severity {
        Severity::Error => ("error", palette.error),
        Severity::Warning => ("warning", palette.warning),
        Severity::Note => ("note", palette.gutter),
    };
    let emphasis = palette.emphasis;
    let mut out = format!(
        "{style}{word}{style:#}{emphasis}: {}{emphasis:#}\n",
        printable(&diag.message)
    );
    if let Some(span) = diag.span {
        let label = diag.label.as_deref().map(printable_line);
        out.push_str(&render_snippet(span, label.as_deref(), sources, palette, style));
    }
    if let Some(help) = &diag.help {
        let gutter = palette.gutter;
        let _ = writeln!(
            out,
            "  {gutter}={gutter:#} {emphasis}help{emphasis:#}: {}",
            printable(help)
        );
    }
    out
}

/// The `--> location`, source line and caret underline for a span.
pub fn render_snippet(
    span: Span,
    label: Option<&str>,
    sources: &SourceMap,
    palette: &Palette,
    caret_style: Style,
) -> String {
    let file = sources.get(span.file);
    let (line, col) = file.line_col(span.start);
    let (end_line, end_col) = file.line_col(span.end);
    let full: Vec<char> = file.line_text(line).chars().collect();
    let width = if end_line == line && end_col > col {
        end_col - col
    } else {
        full.len().saturating_sub(col - 1).max(1)
    };
    // A long line (minified JSON, a long URL) is shown as a window around the span.
    let from = if full.len() > SNIPPET_CHARS {
        (col - 1).saturating_sub(SNIPPET_LEAD).min(full.len() - SNIPPET_CHARS)
    } else {
        0
    };
    let to = (from + SNIPPET_CHARS).min(full.len());
    let before = if from > 0 { "…" } else { "" };
    let after = if to < full.len() { "…" } else { "" };
    let shown: String = full[from..to].iter().collect();
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let gutter = palette.gutter;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{pad}{gutter}-->{gutter:#} {}",
        printable_line(&sources.location(span))
    );
    let _ = writeln!(out, "{pad} {gutter}|{gutter:#}");
    let _ = writeln!(out, "{gutter}{number} |{gutter:#} {before}{}{after}", visible(&shown));
    let indent: String = before
        .chars()
        .map(|_| ' ')
        .chain(
            full[from..(col - 1).clamp(from, to)]
                .iter()
                .map(|&c| if c == '\t' { '\t' } else { ' ' }),
        )
        .collect();
    let visible_width = width.min(to.saturating_sub(col - 1)).max(1);
    let carets = "^".repeat(visible_width.min(200));
    let label = label.map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} {gutter}|{gutter:#} {indent}{caret_style}{carets}{label}{caret_style:#}"
    );
    out
}

/// How much of a source line a snippet shows, and how much of it comes before the span.
const SNIPPET_CHARS: usize = 120;
const SNIPPET_LEAD: usize = 40;

/// Control characters in a source line would corrupt the terminal; show them escaped.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

/// The closest known name to an unknown one, for "did you mean" hints.
pub fn did_you_mean<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_snippet_caret_and_help() {
        let mut sources = SourceMap::default();
        let id = sources.add("s.yaml".into(), "steps:\n  - staus: 200\n".into());
        let diag = Diagnostic::error("unknown key `staus`", Span::new(id, 11, 16))
            .with_label("did you mean `status`?")
            .with_help("see `k2check schema`");
        let text = render(&diag, &sources, &Palette::plain());
        assert_eq!(
            text,
            "error: unknown key `staus`\n --> s.yaml:2:5\n  |\n2 |   - staus: 200\n  |     ^^^^^ did you mean `status`?\n  = help: see `k2check schema`\n"
        );
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_span() {
        let mut sources = SourceMap::default();
        let line = format!("body: '{}BAD{}'", "x".repeat(300), "y".repeat(300));
        let at = line.find("BAD").unwrap();
        let id = sources.add("s.yaml".into(), format!("{line}\n"));
        let text = render(
            &Diagnostic::error("bad", Span::new(id, at, at + 3)),
            &sources,
            &Palette::plain(),
        );
        let lines: Vec<&str> = text.lines().collect();
        let (shown, carets) = (lines[3], lines[4]);
        assert!(shown.chars().count() < 140, "{shown}");
        assert!(shown.starts_with("1 | …x") && shown.ends_with("y…"), "{shown}");
        let caret_at = carets.find('^').unwrap();
        assert_eq!(
            &shown[shown.char_indices().nth(caret_at).unwrap().0..][..3],
            "BAD",
            "{text}"
        );
        assert_eq!(carets.matches('^').count(), 3);
        // Short lines are shown whole, as before.
        let id = sources.add("t.yaml".into(), "a: 1\n".into());
        let text = render(
            &Diagnostic::error("bad", Span::new(id, 3, 4)),
            &sources,
            &Palette::plain(),
        );
        assert!(text.contains("1 | a: 1\n  |    ^\n"), "{text}");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("staus", ["status", "headers"]), Some("status"));
        assert_eq!(did_you_mean("zzz", ["status", "headers"]), None);
    }
}
