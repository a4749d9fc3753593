//! The names a template sees: suite and environment variables, captures, built-ins.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object};

/// A template value from anything serde can write: a JSON answer, a row, a variable.
pub fn value_of(value: impl serde::Serialize) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// The names visible to a template. Cloning one is cheap (a reference count): every step of
/// every scenario starts from one. Adding names to a context nobody else holds changes it in
/// place, so a scenario's 40,000 variables are added in linear time.
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) values: Arc<Names>,
}

/// Name → value, shown to minijinja as a map without being copied into one.
#[derive(Debug, Default, Clone)]
pub(crate) struct Names(BTreeMap<String, Value>);

impl Names {
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

impl Object for Names {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get(key.as_str()?).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.keys().map(|k| Value::from(k.as_str())).collect())
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::new(BTreeMap::new())
    }
}

impl Context {
    pub fn new(values: BTreeMap<String, Value>) -> Self {
        Context {
            values: Arc::new(Names(values)),
        }
    }

    /// The names as minijinja sees them, sharing the map rather than copying it.
    pub(super) fn root(&self) -> Value {
        Value::from_dyn_object(self.values.clone())
    }

    /// Adds or replaces a name; copies the names only if another context shares them.
    pub fn insert(&mut self, name: &str, value: Value) {
        Arc::make_mut(&mut self.values).0.insert(name.to_owned(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.0.contains_key(name)
    }

    pub fn with(&self, name: &str, value: Value) -> Self {
        let mut ctx = self.clone();
        ctx.insert(name, value);
        ctx
    }

    /// Adds every name of `more`, in place where nobody else shares the names.
    pub fn extend(&mut self, more: impl IntoIterator<Item = (String, Value)>) {
        let mut more = more.into_iter().peekable();
        if more.peek().is_none() {
            return;
        }
        Arc::make_mut(&mut self.values).0.extend(more);
    }
}
