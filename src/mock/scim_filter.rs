//! SCIM filters (RFC 7644 §3.4.2.2): `eq`, `co`, `sw`, `pr`, `and`, `or`, parentheses.
//! String comparison ignores case, as for the core attributes K2 uses (caseExact false).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare { path: String, op: String, value: Value },
    Present(String),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

pub fn parse(text: &str) -> Result<Filter, String> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let f = p.or()?;
    if p.pos != p.tokens.len() {
        return Err(format!("unexpected `{}`", p.tokens[p.pos]));
    }
    Ok(f)
}

fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            c if c.is_whitespace() => i += 1,
            '(' | ')' => {
                tokens.push(chars[i].to_string());
                i += 1;
            }
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("a string is not closed".into());
                }
                i += 1;
                tokens.push(chars[start..i].iter().collect());
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '(' && chars[i] != ')' {
                    i += 1;
                }
                tokens.push(chars[start..i].iter().collect());
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<String>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn word(&self) -> Option<String> {
        self.tokens.get(self.pos).map(|t| t.to_ascii_lowercase())
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.word().as_deref() == Some("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.atom()?;
        while self.word().as_deref() == Some("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Filter, String> {
        let token = self.tokens.get(self.pos).cloned().ok_or("the filter ends too early")?;
        self.pos += 1;
        if token == "(" {
            self.depth += 1;
            if self.depth > 50 {
                return Err("the filter is nested too deeply".into());
            }
            let inner = self.or()?;
            self.depth -= 1;
            if self.tokens.get(self.pos).map(String::as_str) != Some(")") {
                return Err("expected `)`".into());
            }
            self.pos += 1;
            return Ok(inner);
        }
        let op = self.word().ok_or_else(|| format!("`{token}` needs an operator"))?;
        self.pos += 1;
        match op.as_str() {
            "pr" => Ok(Filter::Present(token)),
            "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le" => {
                let raw = self.tokens.get(self.pos).cloned().ok_or("a comparison needs a value")?;
                self.pos += 1;
                let value: Value = serde_json::from_str(&raw)
                    .map_err(|_| format!("`{raw}` is not a SCIM value (strings are in double quotes)"))?;
                Ok(Filter::Compare { path: token, op, value })
            }
            other => Err(format!("unknown operator `{other}`")),
        }
    }
}

/// The values at an attribute path (`userName`, `name.givenName`, `emails.value`).
fn values_at(resource: &Value, path: &str) -> Vec<Value> {
    let mut current = vec![resource.clone()];
    for part in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            let items = match v {
                Value::Array(items) => items,
                other => vec![other],
            };
            for item in items {
                if let Some((_, found)) = item
                    .as_object()
                    .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(part)))
                {
                    match found {
                        Value::Array(a) => next.extend(a.iter().cloned()),
                        other => next.push(other.clone()),
                    }
                }
            }
        }
        current = next;
    }
    current
}

pub fn matches(filter: &Filter, resource: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, resource) && matches(b, resource),
        Filter::Or(a, b) => matches(a, resource) || matches(b, resource),
        Filter::Present(path) => values_at(resource, path)
            .iter()
            .any(|v| !v.is_null() && v != "" && v != &Value::Array(vec![])),
        Filter::Compare { path, op, value } => values_at(resource, path).iter().any(|found| compare(found, op, value)),
    }
}

fn compare(found: &Value, op: &str, want: &Value) -> bool {
    if let (Value::String(f), Value::String(w)) = (found, want) {
        let (f, w) = (f.to_lowercase(), w.to_lowercase());
        return match op {
            "eq" => f == w,
            "ne" => f != w,
            "co" => f.contains(&w),
            "sw" => f.starts_with(&w),
            "ew" => f.ends_with(&w),
            "gt" => f > w,
            "ge" => f >= w,
            "lt" => f < w,
            "le" => f <= w,
            _ => false,
        };
    }
    match op {
        "eq" => found == want,
        "ne" => found != want,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_users() {
        let user = json!({"userName": "Ada@Example.com", "active": true, "emails": [{"value": "ada@example.com"}], "name": {"givenName": "Ada"}});
        for f in [
            r#"userName eq "ada@example.com""#,
            r#"userName sw "ada" and active eq true"#,
            r#"emails.value co "example""#,
            r#"name.givenName eq "x" or (userName pr)"#,
        ] {
            assert!(matches(&parse(f).unwrap(), &user), "{f}");
        }
        assert!(!matches(&parse(r#"userName eq "bob""#).unwrap(), &user));
        for bad in [
            r#"userName eq"#,
            r#"userName eq bob"#,
            r#"(userName pr"#,
            "userName zz \"x\"",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
