//! Which environment variables a suite variable or a profile actually read when it was
//! rendered: only the branch taken counts. With `K2_ISSUER` set, `issuer` reads it and not
//! `K2_TENANT_ID` from its `{% else %}`, so `list` does not name `K2_TENANT_ID` as needed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use minijinja::Value;
use minijinja::value::{Enumerator, Object};

/// `env` or `secret` as templates see them, noting each name looked up (`is defined` too).
#[derive(Debug, Default)]
pub(super) struct Tracked {
    values: BTreeMap<String, Value>,
    seen: Mutex<BTreeSet<String>>,
}

impl Tracked {
    pub(super) fn new(values: BTreeMap<String, Value>) -> Arc<Tracked> {
        Arc::new(Tracked {
            values,
            seen: Mutex::new(BTreeSet::new()),
        })
    }

    /// The names looked up since the last call.
    pub(super) fn take_seen(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Object for Tracked {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned());
        self.values.get(key).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.values.keys().map(|k| Value::from(k.as_str())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Context, TemplateEngine};

    #[test]
    fn only_the_branch_taken_is_read() {
        let env = Tracked::new(BTreeMap::from([("K2_ISSUER".to_owned(), Value::from("https://i"))]));
        let ctx = Context::new(BTreeMap::from([(
            "env".to_owned(),
            Value::from_dyn_object(env.clone()),
        )]));
        let text =
            "{% if env.K2_ISSUER is defined %}{{ env.K2_ISSUER }}{% else %}https://l/{{ env.K2_TENANT_ID }}{% endif %}";
        assert_eq!(TemplateEngine::new().render(text, &ctx).unwrap(), "https://i");
        assert_eq!(env.take_seen(), BTreeSet::from(["K2_ISSUER".to_owned()]));
        assert!(env.take_seen().is_empty());
    }
}
