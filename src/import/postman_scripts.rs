//! Postman test scripts: each statement whose meaning is sure becomes an assertion or a
//! capture; every other statement is kept, verbatim, as a comment with a warning. A `pm.test`
//! block is matched statement by statement, so half of one is never translated silently.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

/// What a request's test script becomes.
#[derive(Debug, Default)]
pub struct Translated {
    pub status: Vec<u16>,
    pub headers: Vec<String>,
    pub body_contains: Vec<String>,
    /// JSONPath → predicate mapping, merged per path.
    pub json: Vec<(String, Map<String, Value>)>,
    pub time_below_ms: Option<u64>,
    /// Postman variable name → JSONPath.
    pub captures: Vec<(String, String)>,
    /// Statements not translated, as written.
    pub kept: Vec<String>,
    /// The whole script, kept as a comment when some of it is not translated.
    pub script: String,
    /// Captures Postman takes only under a condition: (variable, condition).
    pub conditional: Vec<(String, String)>,
    /// Assertions translated (for the import report).
    pub assertions: usize,
}

const STRING: &str = r#"(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"#;
const ACCESS: &str = r#"(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\])*"#;

fn re(pattern: &str) -> Regex {
    let pattern = pattern.replace("STR", STRING).replace("ACCESS", ACCESS);
    Regex::new(&format!("^(?s:{pattern})$")).unwrap_or_else(|e| panic!("a pattern of k2check's own: {e}"))
}

static STATUS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(r"pm\.response\.to\.have\.status\((\d{3})\)"),
        re(r"pm\.expect\(pm\.response\.code\)\.to\.(?:eql|equal|eq|be\.equal|deep\.equal)\((\d{3})\)"),
        re(r"tests\[STR\]\s*=\s*responseCode\.code\s*===?\s*(\d{3})"),
    ]
});
static STATUS_ONE_OF: LazyLock<Regex> =
    LazyLock::new(|| re(r"pm\.expect\(pm\.response\.code\)\.to\.be\.oneOf\(\[\s*(\d{3}(?:\s*,\s*\d{3})*)\s*\]\)"));
static HEADER: LazyLock<Regex> = LazyLock::new(|| re(r"pm\.response\.to\.have\.header\((STR)\)"));
static BODY_HAS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(r"pm\.expect\(pm\.response\.text\(\)\)\.to\.include\((STR)\)"),
        re(r"tests\[STR\]\s*=\s*responseBody\.has\((STR)\)"),
    ]
});
static TIME: LazyLock<Regex> =
    LazyLock::new(|| re(r"pm\.expect\(pm\.response\.responseTime\)\.to\.be\.below\((\d+)\)"));
static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:(?:var|let|const)\s+)?([A-Za-z_$][\w$]*)\s*=\s*(?:pm\.response\.json\(\)|JSON\.parse\(responseBody\))")
});
/// `try { … } catch (e) { … }`: what is tried is what a passing response runs.
static TRY: LazyLock<Regex> = LazyLock::new(|| re(r"try\s*\{(.*)\}\s*catch\s*(?:\([^)]*\))?\s*\{(.*)\}"));
/// `if (condition) { … }` without an `else`.
static IF: LazyLock<Regex> = LazyLock::new(|| re(r"if\s*\((.*?)\)\s*\{(.*)\}"));
static EXPECT_JSON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"pm\.expect\((pm\.response\.json\(\)|JSON\.parse\(responseBody\)|[A-Za-z_$][\w$]*)(ACCESS)\)\.(to\.[\w.]+?)(?:\((.*)\))?",
    )
});
static SET_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:pm\.(?:environment|collectionVariables|globals|variables)\.set|postman\.set(?:Environment|Global)Variable)\(\s*(STR)\s*,\s*(pm\.response\.json\(\)|JSON\.parse\(responseBody\)|[A-Za-z_$][\w$]*)(ACCESS)\s*\)",
    )
});
static PM_TEST: LazyLock<Regex> =
    LazyLock::new(|| re(r"pm\.test\(\s*(STR)\s*,\s*(?:function\s*\(\s*\)|\(\s*\)\s*=>)\s*\{(.*)\}\s*\)"));
static ACCESS_PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\]"#)
        .unwrap_or_else(|e| panic!("a pattern of k2check's own: {e}"))
});

/// Translates a test script (its lines joined).
pub fn translate(script: &str) -> Translated {
    let mut out = Translated {
        script: script.trim().to_owned(),
        ..Translated::default()
    };
    let mut aliases = BTreeSet::new();
    for statement in statements(script) {
        translate_statement(&statement, &mut aliases, &mut out);
    }
    out
}

fn translate_statement(statement: &str, aliases: &mut BTreeSet<String>, out: &mut Translated) {
    if statement.starts_with("//") {
        out.kept.push(statement.to_owned());
        return;
    }
    if let Some(c) = PM_TEST.captures(statement) {
        for inner in statements(&c[2]) {
            translate_statement(&inner, aliases, out);
        }
        return;
    }
    if let Some(c) = TRY.captures(statement) {
        for inner in statements(&c[1]) {
            translate_statement(&inner, aliases, out);
        }
        if !c[2].trim().is_empty() {
            out.kept.push(format!("catch {{{}}}", &c[2]));
        }
        return;
    }
    if let Some(c) = IF.captures(statement)
        && !statement.contains("else")
    {
        translate_if(statement, c[1].trim(), &c[2], aliases, out);
        return;
    }
    if let Some(c) = ALIAS.captures(statement) {
        aliases.insert(c[1].to_owned());
        return;
    }
    if let Some(code) = STATUS.iter().find_map(|r| r.captures(statement)) {
        out.status.push(code[1].parse().unwrap_or(200));
        out.assertions += 1;
        return;
    }
    if let Some(c) = STATUS_ONE_OF.captures(statement) {
        out.status
            .extend(c[1].split(',').filter_map(|s| s.trim().parse::<u16>().ok()));
        out.assertions += 1;
        return;
    }
    if let Some(c) = HEADER.captures(statement).and_then(|c| js_string(&c[1])) {
        out.headers.push(c);
        out.assertions += 1;
        return;
    }
    if let Some(text) = BODY_HAS
        .iter()
        .find_map(|r| r.captures(statement))
        .and_then(|c| js_string(&c[c.len() - 1]))
        && out.body_contains.len() < 2
    {
        // Two at most: `contains` and a `matches` of the second, escaped.
        out.body_contains.push(text);
        out.assertions += 1;
        return;
    }
    if let Some(c) = TIME.captures(statement) {
        out.time_below_ms = c[1].parse().ok();
        out.assertions += 1;
        return;
    }
    if let Some(c) = SET_VARIABLE.captures(statement)
        && is_json_root(&c[2], aliases)
        && let (Some(name), Some(path)) = (js_string(&c[1]), json_path(&c[3]))
    {
        out.captures.push((name, path));
        return;
    }
    if let Some(c) = EXPECT_JSON.captures(statement)
        && is_json_root(&c[1], aliases)
        && let Some(path) = json_path(&c[2])
        && let Some((path, predicate)) = json_predicate(path, &c[3], c.get(4).map(|m| m.as_str()))
        && merge(&mut out.json, path, predicate)
    {
        out.assertions += 1;
        return;
    }
    out.kept.push(statement.to_owned());
}

/// `if (condition) { … }`: a capture under it is taken always, and said; anything else
/// under it is not sure, and kept.
fn translate_if(statement: &str, condition: &str, body: &str, aliases: &mut BTreeSet<String>, out: &mut Translated) {
    let taken_before = out.captures.len();
    let mut rest = Vec::new();
    for inner in statements(body) {
        let before = out.captures.len();
        let mut probe = Translated::default();
        translate_statement(&inner, aliases, &mut probe);
        if probe.captures.len() == 1 && probe.kept.is_empty() && probe.assertions == 0 {
            out.captures.extend(probe.captures);
            for (name, _) in &out.captures[before..] {
                out.conditional.push((name.clone(), condition.to_owned()));
            }
        } else {
            rest.push(inner);
        }
    }
    match (rest.is_empty(), out.captures.len() == taken_before) {
        (true, _) => {}
        // Nothing taken from it: kept as written.
        (false, true) => out.kept.push(statement.to_owned()),
        (false, false) => out.kept.push(format!("if ({condition}) {{ {} }}", rest.join("; "))),
    }
}

fn is_json_root(root: &str, aliases: &BTreeSet<String>) -> bool {
    root == "pm.response.json()" || root == "JSON.parse(responseBody)" || aliases.contains(root)
}

/// A chai chain on a JSON value as a k2check predicate; `None` when its meaning is not sure.
fn json_predicate(path: String, chain: &str, argument: Option<&str>) -> Option<(String, Map<String, Value>)> {
    let literal = argument.map(js_literal);
    let one = |key: &str, value: Value| Some((path.clone(), Map::from_iter([(key.to_owned(), value)])));
    match (chain, literal) {
        ("to.eql" | "to.equal" | "to.eq" | "to.deep.equal" | "to.be.equal", Some(Some(v))) => one("equals", v),
        ("to.include" | "to.contain", Some(Some(v))) => one("contains", v),
        ("to.exist", None) => one("exists", json!(true)),
        ("to.not.exist", None) => one("exists", json!(false)),
        ("to.be.empty", None) => one("empty", json!(true)),
        ("to.not.be.empty" | "to.be.not.empty", None) => one("empty", json!(false)),
        ("to.be.above" | "to.be.greaterThan", Some(Some(v))) if v.is_number() => one("gt", v),
        ("to.be.below" | "to.be.lessThan", Some(Some(v))) if v.is_number() => one("lt", v),
        ("to.have.lengthOf" | "to.have.length", Some(Some(v))) if v.is_u64() => one("count", v),
        ("to.have.lengthOf.at.least" | "to.have.length.at.least", Some(Some(v))) if v.is_u64() => {
            one("count", json!({ "gte": v }))
        }
        ("to.have.lengthOf.at.most" | "to.have.length.at.most", Some(Some(v))) if v.is_u64() => {
            one("count", json!({ "lte": v }))
        }
        ("to.be.true", None) => one("equals", json!(true)),
        ("to.be.false", None) => one("equals", json!(false)),
        ("to.be.null", None) => one("equals", Value::Null),
        ("to.have.property", Some(Some(Value::String(p)))) => {
            let path = format!("{path}{}", member(&p));
            Some((path, Map::from_iter([("exists".to_owned(), json!(true))])))
        }
        ("to.be.an" | "to.be.a", Some(Some(Value::String(t)))) => {
            let kind = match t.as_str() {
                "array" | "object" | "string" | "boolean" | "null" => t.clone(),
                "number" => "number".into(),
                _ => return None,
            };
            one("type", Value::String(kind))
        }
        _ => None,
    }
}

/// Adds a predicate to its path's mapping; `false` when the path already says otherwise.
fn merge(json: &mut Vec<(String, Map<String, Value>)>, path: String, predicate: Map<String, Value>) -> bool {
    match json.iter_mut().find(|(p, _)| *p == path) {
        Some((_, existing)) => {
            if predicate.keys().any(|k| existing.contains_key(k)) {
                return false;
            }
            existing.extend(predicate);
            true
        }
        None => {
            json.push((path, predicate));
            true
        }
    }
}

/// `.a.b[0]["c-d"]` as the JSONPath `$.a.b[0]['c-d']`.
fn json_path(access: &str) -> Option<String> {
    let mut path = String::from("$");
    let mut consumed = 0;
    for c in ACCESS_PART.captures_iter(access) {
        let whole = c.get(0)?;
        if whole.start() != consumed {
            return None;
        }
        consumed = whole.end();
        if let Some(name) = c.get(1) {
            // JavaScript's `.length` counts; a JSONPath member of that name would not.
            if name.as_str() == "length" {
                return None;
            }
            path.push_str(&member(name.as_str()));
        } else if let Some(index) = c.get(2) {
            path.push_str(&format!("[{}]", index.as_str()));
        } else {
            path.push_str(&member(&js_string(c.get(3)?.as_str())?));
        }
    }
    (consumed == access.len()).then_some(path)
}

fn member(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match plain {
        true => format!(".{name}"),
        false => format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'")),
    }
}

/// A JavaScript string literal's value.
fn js_string(text: &str) -> Option<String> {
    let text = text.trim();
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// A JavaScript literal (string, number, boolean, null) as JSON; `None` for anything else.
fn js_literal(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Some(s) = js_string(text) {
        return Some(Value::String(s));
    }
    match text {
        "true" => return Some(json!(true)),
        "false" => return Some(json!(false)),
        "null" => return Some(Value::Null),
        _ => {}
    }
    serde_json::from_str::<serde_json::Number>(text).ok().map(Value::Number)
}

/// The statements of a script at its top level: split at `;` and line ends outside strings,
/// brackets and comments; blank ones dropped.
pub fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth: i32 = 0;
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            current.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                quote = Some(c);
                current.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                // A line comment: its own statement when it stands alone.
                let mut comment = String::from("/");
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                    comment.push(n);
                }
                if depth == 0 && current.trim().is_empty() {
                    out.push(comment.trim().to_owned());
                } else if depth > 0 {
                    current.push_str(&comment);
                    current.push('\n');
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                current.push(c);
            }
            ';' | '\n' if depth <= 0 => {
                push_statement(&mut out, &mut current);
            }
            _ => current.push(c),
        }
    }
    push_statement(&mut out, &mut current);
    out
}

fn push_statement(out: &mut Vec<String>, current: &mut String) {
    let statement = current.trim();
    // A lone `.to.…` line continues the chain of the statement before it.
    if statement.starts_with('.')
        && let Some(last) = out.last_mut()
    {
        last.push_str(statement);
    } else if !statement.is_empty() {
        out.push(statement.to_owned());
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sure_pattern_is_translated() {
        let script = r#"
pm.test("Status code is 200", function () {
    pm.response.to.have.status(200);
});
pm.test("codes", () => { pm.expect(pm.response.code).to.be.oneOf([201, 202]); });
tests["legacy"] = responseCode.code === 204;
pm.test("header", function () { pm.response.to.have.header("Content-Type"); });
pm.test("body", function () { pm.expect(pm.response.text()).to.include("value"); });
tests["has"] = responseBody.has("ok");
var jsonData = pm.response.json();
pm.test("json", function () {
    pm.expect(jsonData.value[0].Name).to.eql("Alice");
    pm.expect(jsonData.value).to.be.an('array');
    pm.expect(jsonData.value).to.not.be.empty;
    pm.expect(pm.response.json()["@odata.count"]).to.equal(3);
    pm.expect(jsonData).to.have.property('value');
    pm.expect(jsonData.items).to.include(2);
    pm.expect(jsonData.id).to.exist;
});
pm.test("fast", function () { pm.expect(pm.response.responseTime).to.be.below(500); });
pm.environment.set("first_id", jsonData.value[0].ID);
postman.setEnvironmentVariable("token", JSON.parse(responseBody).access_token);
"#;
        let t = translate(script);
        assert_eq!(t.status, vec![200, 201, 202, 204]);
        assert_eq!(t.headers, vec!["Content-Type"]);
        assert_eq!(t.body_contains, vec!["value", "ok"]);
        assert_eq!(t.time_below_ms, Some(500));
        let paths: Vec<&str> = t.json.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            vec!["$.value[0].Name", "$.value", "$['@odata.count']", "$.items", "$.id"]
        );
        assert_eq!(
            t.json[1].1,
            Map::from_iter([
                ("type".into(), json!("array")),
                ("empty".into(), json!(false)),
                ("exists".into(), json!(true))
            ])
        );
        assert_eq!(
            t.captures,
            vec![
                ("first_id".into(), "$.value[0].ID".into()),
                ("token".into(), "$.access_token".into())
            ]
        );
        assert!(t.kept.is_empty(), "{:?}", t.kept);
        assert_eq!(t.assertions, 14);
    }

    #[test]
    fn what_is_not_sure_is_kept_whole_and_the_rest_of_its_block_still_translated() {
        let script = "pm.test(\"mixed\", function () {\n  pm.response.to.have.status(200);\n  pm.expect(pm.response.json().items.length).to.be.above(2);\n  if (x) { console.log('x'); }\n});\nconsole.log(pm.response.json());\npm.expect(other.value).to.eql(1);";
        let t = translate(script);
        assert_eq!(t.status, vec![200]);
        assert_eq!(
            t.kept,
            vec![
                "pm.expect(pm.response.json().items.length).to.be.above(2)",
                "if (x) { console.log('x'); }",
                "console.log(pm.response.json())",
                "pm.expect(other.value).to.eql(1)",
            ]
        );
    }

    #[test]
    fn aliases_without_a_declaration_try_blocks_and_conditional_captures_are_translated() {
        let script = "jsonData = JSON.parse(responseBody);\ntry {\n  pm.expect(jsonData.items).to.have.lengthOf.at.least(2);\n  postman.setEnvironmentVariable(\"order\", jsonData.order.id);\n} catch (e) {}\nif (jsonData.next) { pm.environment.set(\"next\", jsonData.next.id); }\npm.expect(jsonData.tags).to.have.lengthOf(3);";
        let t = translate(script);
        assert!(t.kept.is_empty(), "{:?}", t.kept);
        assert_eq!(
            t.captures,
            vec![
                ("order".into(), "$.order.id".into()),
                ("next".into(), "$.next.id".into())
            ]
        );
        assert_eq!(t.conditional, vec![("next".into(), "jsonData.next".into())]);
        assert_eq!(t.json[0].0, "$.items");
        assert_eq!(t.json[0].1, Map::from_iter([("count".into(), json!({ "gte": 2 }))]));
        assert_eq!(t.script, script.trim());
    }

    #[test]
    fn statements_split_outside_strings_and_brackets() {
        assert_eq!(
            statements("a(';'); b\n// note\nc({\n d: 1 })"),
            vec!["a(';')", "b", "// note", "c({\n d: 1 })"]
        );
        assert_eq!(
            statements("pm.expect(x)\n  .to.eql(1);"),
            vec!["pm.expect(x).to.eql(1)"]
        );
    }
}
