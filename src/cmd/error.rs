//! How a command stops short: one error every subcommand returns, said in one place
//! (`dispatch`), its exit code from its kind.

use crate::exit;

/// Which way a command stopped short; each is one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad input or usage; nothing was sent or written (exit 2).
    Invalid,
    /// The command could not finish: a file not written, the mock not started (exit 3).
    Incomplete,
    /// What was asked for was refused by the server (exit 1): `token`'s exchange.
    Failed,
}

#[derive(Debug)]
pub struct CommandError {
    kind: Kind,
    /// The first line, after `error: `; alone when it closes problems already printed.
    message: String,
    /// Lines after it: a list of files, a hint.
    more: Vec<String>,
    /// `error: ` starts the first line, except for a count of problems printed one by one.
    prefixed: bool,
    /// The exit code when it is not the kind's: a stopped run keeps its signal's code.
    exit_code: Option<u8>,
}

/// What a subcommand returns: its exit code, or why it stopped short.
pub type CommandResult = Result<u8, CommandError>;

impl CommandError {
    fn new(kind: Kind, message: impl std::fmt::Display) -> Self {
        CommandError {
            kind,
            message: message.to_string(),
            more: Vec::new(),
            prefixed: true,
            exit_code: None,
        }
    }

    pub fn invalid(message: impl std::fmt::Display) -> Self {
        Self::new(Kind::Invalid, message)
    }

    pub fn incomplete(message: impl std::fmt::Display) -> Self {
        Self::new(Kind::Incomplete, message)
    }

    pub fn failed(message: impl std::fmt::Display) -> Self {
        Self::new(Kind::Failed, message)
    }

    /// The line that closes problems already printed as diagnostics ("2 problems found;
    /// nothing was sent"): it is not itself one more error.
    pub fn summary(kind: Kind, message: impl std::fmt::Display) -> Self {
        CommandError {
            prefixed: false,
            ..Self::new(kind, message)
        }
    }

    /// Problems already printed whole as diagnostics: nothing more is said.
    pub fn in_diagnostics(kind: Kind) -> Self {
        CommandError {
            prefixed: false,
            ..Self::new(kind, "")
        }
    }

    /// One more line after the message.
    pub fn with_line(mut self, line: impl std::fmt::Display) -> Self {
        self.more.push(line.to_string());
        self
    }

    /// One more error after the first, said the same way.
    pub fn and(self, other: impl std::fmt::Display) -> Self {
        self.with_line(format!("error: {other}"))
    }

    /// Exits with `code` instead of the kind's (a run stopped by a signal).
    pub fn exiting_with(mut self, code: u8) -> Self {
        self.exit_code = Some(code);
        self
    }

    /// Several errors: the first, then each of the rest on a line of its own.
    pub fn all(kind: Kind, errors: impl IntoIterator<Item = impl std::fmt::Display>) -> Option<Self> {
        let mut errors = errors.into_iter();
        let first = Self::new(kind, errors.next()?);
        Some(errors.fold(first, CommandError::and))
    }

    pub fn exit_code(&self) -> u8 {
        if let Some(code) = self.exit_code {
            return code;
        }
        match self.kind {
            Kind::Invalid => exit::INVALID,
            Kind::Incomplete => exit::INCOMPLETE,
            Kind::Failed => exit::FAILED,
        }
    }

    /// The words for standard error, a line break after each line.
    pub fn render(&self) -> String {
        let mut text = match (self.prefixed, self.message.is_empty()) {
            (true, _) => format!("error: {}\n", self.message),
            (false, false) => format!("{}\n", self.message),
            (false, true) => String::new(),
        };
        for line in &self.more {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_its_exit_code_and_the_words_come_in_order() {
        let e = CommandError::invalid("init never overwrites a file")
            .with_line("  a.yaml")
            .with_line("hint: choose an empty folder");
        assert_eq!(e.exit_code(), exit::INVALID);
        assert_eq!(
            e.render(),
            "error: init never overwrites a file\n  a.yaml\nhint: choose an empty folder\n"
        );
        assert_eq!(CommandError::incomplete("x").exit_code(), exit::INCOMPLETE);
        assert_eq!(CommandError::failed("x").exit_code(), exit::FAILED);
        let summary = CommandError::summary(Kind::Invalid, "2 problems found; nothing was sent");
        assert_eq!(summary.render(), "2 problems found; nothing was sent\n");
        let all = CommandError::all(Kind::Incomplete, ["a", "b"])
            .unwrap()
            .exiting_with(130);
        assert_eq!((all.render().as_str(), all.exit_code()), ("error: a\nerror: b\n", 130));
        assert!(CommandError::all(Kind::Invalid, Vec::<String>::new()).is_none());
        let said = CommandError::in_diagnostics(Kind::Invalid);
        assert_eq!((said.render().as_str(), said.exit_code()), ("", exit::INVALID));
    }
}
