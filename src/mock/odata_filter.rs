//! OData `$filter`: comparison (eq ne gt ge lt le), logic (and or not), parentheses, and the
//! functions startswith, endswith, contains, tolower, toupper.

use std::cmp::Ordering;

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    Property(String),
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("a string literal is not closed".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                tokens.push(Token::Str(s));
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !"(),'".contains(chars[i]) {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(tokens)
}

pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    if parser.pos != parser.tokens.len() {
        return Err(format!("unexpected `{}`", parser.describe()));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => w.clone(),
            Some(Token::Str(s)) => format!("'{s}'"),
            Some(Token::Open) => "(".into(),
            Some(Token::Close) => ")".into(),
            Some(Token::Comma) => ",".into(),
            None => "end of input".into(),
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_word().as_deref() == Some("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.peek_word().as_deref() == Some("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.peek_word().as_deref() == Some("not") {
            self.pos += 1;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > 50 {
            Err("the filter is nested too deeply".into())
        } else {
            Ok(())
        }
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.primary()?;
        let op = match self.peek_word().as_deref() {
            Some("eq") => CompareOp::Eq,
            Some("ne") => CompareOp::Ne,
            Some("gt") => CompareOp::Gt,
            Some("ge") => CompareOp::Ge,
            Some("lt") => CompareOp::Lt,
            Some("le") => CompareOp::Le,
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.primary()?;
        Ok(Expr::Compare(Box::new(left), op, Box::new(right)))
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let token = self.tokens.get(self.pos).cloned().ok_or("the filter ends too early")?;
        self.pos += 1;
        match token {
            Token::Open => {
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                if self.tokens.get(self.pos) != Some(&Token::Close) {
                    return Err(format!("expected `)`, found `{}`", self.describe()));
                }
                self.pos += 1;
                Ok(inner)
            }
            Token::Str(s) => Ok(Expr::Literal(Value::String(s))),
            Token::Word(w) => {
                if self.tokens.get(self.pos) == Some(&Token::Open) {
                    return self.call(w);
                }
                Ok(word_value(&w))
            }
            Token::Close | Token::Comma => Err(format!(
                "unexpected `{}`",
                if token == Token::Close { ")" } else { "," }
            )),
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, String> {
        let name = name.to_ascii_lowercase();
        let arity = match name.as_str() {
            "startswith" | "endswith" | "contains" => 2,
            "tolower" | "toupper" | "length" | "trim" => 1,
            _ => return Err(format!("unknown function `{name}`")),
        };
        self.pos += 1;
        self.enter()?;
        let mut args = vec![self.or()?];
        while self.tokens.get(self.pos) == Some(&Token::Comma) {
            self.pos += 1;
            args.push(self.or()?);
        }
        self.depth -= 1;
        if self.tokens.get(self.pos) != Some(&Token::Close) {
            return Err(format!("expected `)` after the arguments of {name}"));
        }
        self.pos += 1;
        if args.len() != arity {
            return Err(format!(
                "{name} takes {arity} argument{}",
                if arity == 1 { "" } else { "s" }
            ));
        }
        Ok(Expr::Call(name, args))
    }
}

fn word_value(word: &str) -> Expr {
    match word {
        "true" => Expr::Literal(Value::Bool(true)),
        "false" => Expr::Literal(Value::Bool(false)),
        "null" => Expr::Literal(Value::Null),
        w if w.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
            let trimmed = w.trim_end_matches(['m', 'M', 'd', 'D', 'L']);
            match trimmed.parse::<i64>() {
                Ok(i) => Expr::Literal(Value::from(i)),
                Err(_) => match trimmed.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    Some(n) => Expr::Literal(Value::Number(n)),
                    // Dates and times are written unquoted in OData v4.
                    None => Expr::Literal(Value::String(w.to_owned())),
                },
            }
        }
        w => Expr::Property(w.to_owned()),
    }
}

/// Every property a filter names, to check them against the entity type.
pub fn properties(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Property(p) => out.push(p.clone()),
        Expr::Literal(_) => {}
        Expr::Compare(a, _, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            properties(a, out);
            properties(b, out);
        }
        Expr::Not(a) => properties(a, out),
        Expr::Call(_, args) => args.iter().for_each(|a| properties(a, out)),
    }
}

pub fn matches(expr: &Expr, record: &Map<String, Value>) -> bool {
    eval(expr, record) == Value::Bool(true)
}

fn eval(expr: &Expr, record: &Map<String, Value>) -> Value {
    match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Property(p) => record
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(p))
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null),
        Expr::And(a, b) => Value::Bool(matches(a, record) && matches(b, record)),
        Expr::Or(a, b) => Value::Bool(matches(a, record) || matches(b, record)),
        Expr::Not(a) => Value::Bool(!matches(a, record)),
        Expr::Compare(a, op, b) => {
            let (a, b) = (eval(a, record), eval(b, record));
            let ordering = compare(&a, &b);
            Value::Bool(match op {
                CompareOp::Eq => ordering == Some(Ordering::Equal),
                CompareOp::Ne => ordering != Some(Ordering::Equal),
                CompareOp::Gt => ordering == Some(Ordering::Greater),
                CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
                CompareOp::Lt => ordering == Some(Ordering::Less),
                CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
            })
        }
        Expr::Call(name, args) => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, record)).collect();
            let text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            match (name.as_str(), values.as_slice()) {
                ("startswith", [a, b]) => Value::Bool(text(a).starts_with(&text(b))),
                ("endswith", [a, b]) => Value::Bool(text(a).ends_with(&text(b))),
                ("contains", [a, b]) => Value::Bool(text(a).contains(&text(b))),
                ("tolower", [a]) => Value::String(text(a).to_lowercase()),
                ("toupper", [a]) => Value::String(text(a).to_uppercase()),
                ("trim", [a]) => Value::String(text(a).trim().to_owned()),
                ("length", [a]) => Value::from(text(a).chars().count()),
                _ => Value::Null,
            }
        }
    }
}

/// Orders two values of the same kind; `None` when they cannot be compared.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec() -> Map<String, Value> {
        match json!({"ID": 7, "LastName": "O'Brien", "Amount": 8.75, "Active": true}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn evaluates_comparisons_logic_and_functions() {
        let yes = [
            "ID eq 7",
            "LastName eq 'O''Brien'",
            "ID gt 5 and Amount lt 9",
            "ID lt 5 or Active eq true",
            "not (ID eq 8)",
            "startswith(LastName, 'O''B')",
            "endswith(LastName, 'ien') and contains(tolower(LastName), 'bri')",
            "ID ge 7 and ID le 7 and ID ne 8",
        ];
        for f in yes {
            assert!(matches(&parse(f).unwrap(), &rec()), "{f}");
        }
        assert!(!matches(&parse("ID eq 8").unwrap(), &rec()));
    }

    #[test]
    fn rejects_malformed_filters() {
        for bad in [
            "ID eq",
            "(ID eq 1",
            "LastName eq 'open",
            "frobnicate(ID)",
            "ID eq 1)",
            &"(".repeat(200),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
