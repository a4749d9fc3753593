//! One line of the diagnosis: what was checked, its verdict, what was seen, and what to do.

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// The server answered, and said no (a status, an OAuth error, a wrong document).
    Refused,
    /// No answer: DNS, the connection, TLS, a timeout.
    Unreachable,
    /// Not tried: an earlier check it depends on failed, or it was not asked for.
    NotChecked,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Refused => "refused",
            Verdict::Unreachable => "unreachable",
            Verdict::NotChecked => "not checked",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Line {
    /// `host`, `login`, `token`, `api`.
    pub area: &'static str,
    pub what: String,
    pub verdict: Verdict,
    /// What was seen: a count, the claims, the status, why it was not checked.
    pub detail: String,
    /// What to do about a failure.
    pub hint: Option<String>,
}

impl Line {
    pub fn ok(area: &'static str, what: impl Into<String>, detail: impl Into<String>) -> Line {
        Line {
            area,
            what: what.into(),
            verdict: Verdict::Ok,
            detail: detail.into(),
            hint: None,
        }
    }

    pub fn failed(
        area: &'static str,
        what: impl Into<String>,
        verdict: Verdict,
        detail: impl Into<String>,
        hint: Option<String>,
    ) -> Line {
        Line {
            area,
            what: what.into(),
            verdict,
            detail: detail.into(),
            hint,
        }
    }

    pub fn not_checked(area: &'static str, what: impl Into<String>, why: impl Into<String>) -> Line {
        Line::failed(area, what, Verdict::NotChecked, why, None)
    }

    /// Whether the line is a failure (a check not asked for is none).
    pub fn failed_check(&self) -> bool {
        matches!(self.verdict, Verdict::Refused | Verdict::Unreachable)
    }
}
