//! The names a template sees: suite and environment variables, captures, built-ins.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object};

/// The names visible to a template. Cloning one is cheap (two reference counts): every step
/// of every scenario starts from one.
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) values: Arc<Names>,
    /// The same names as minijinja sees them, sharing `values` rather than copying it.
    pub(super) root: Value,
}

/// Name → value, shown to minijinja as a map without being copied into one.
#[derive(Debug, Default)]
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
        let values = Arc::new(Names(values));
        Context {
            root: Value::from_dyn_object(values.clone()),
            values,
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.0.contains_key(name)
    }

    pub fn with(&self, name: &str, value: Value) -> Self {
        let mut values = self.values.0.clone();
        values.insert(name.to_owned(), value);
        Context::new(values)
    }

    pub fn extend(&self, more: impl IntoIterator<Item = (String, Value)>) -> Self {
        let mut more = more.into_iter().peekable();
        if more.peek().is_none() {
            return self.clone();
        }
        let mut values = self.values.0.clone();
        values.extend(more);
        Context::new(values)
    }
}
