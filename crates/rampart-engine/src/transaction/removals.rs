//! `ctl:ruleRemoveTargetById/ByTag/ByMsg`: targets a transaction takes away from some rules.
//!
//! CRS runs one of these on nearly every request (941010 removes REQUEST_FILENAME from the
//! rules tagged `xss-perf-disable`), so the checks must stay cheap for the many chains they
//! do not name, and must not keep those they do name off the fast, in-place path.

use rampart_seclang::{IdRange, Selector, Target, Variable};

use crate::rule::{CompiledTarget, RuleMeta};

/// The removals a transaction's `ctl` actions asked for, in the order they ran.
#[derive(Debug, Default)]
pub(crate) struct TargetRemovals {
    pub by_id: Vec<(Vec<IdRange>, Vec<Target>)>,
    pub by_tag: Vec<(String, Vec<Target>)>,
    pub by_msg: Vec<(String, Vec<Target>)>,
}

impl TargetRemovals {
    /// The targets removed from the chain described by `meta`.
    pub fn of<'a>(&'a self, meta: &'a RuleMeta) -> impl Iterator<Item = &'a Target> + 'a {
        let by_id = self
            .by_id
            .iter()
            .filter(move |(ids, _)| ids.iter().any(|r| r.contains(meta.id)))
            .flat_map(|(_, targets)| targets.iter());
        let by_tag = self
            .by_tag
            .iter()
            .filter(move |(tag, _)| meta.tags.iter().any(|t| t == tag))
            .flat_map(|(_, targets)| targets.iter());
        let by_msg = self
            .by_msg
            .iter()
            .filter(move |(msg, _)| meta.msg_text.as_ref() == Some(msg))
            .flat_map(|(_, targets)| targets.iter());
        by_id.chain(by_tag).chain(by_msg)
    }

    /// Whether any removal names the chain.
    pub fn name(&self, meta: &RuleMeta) -> bool {
        self.of(meta).next().is_some()
    }

    /// Whether a removed target is this target as written: same variable and same key
    /// (ASCII case-insensitively), or both without a key. Such a target is not read at all.
    pub fn remove_target(&self, meta: &RuleMeta, target: &CompiledTarget) -> bool {
        self.of(meta).any(|removed| {
            removed.variable == target.variable
                && match (&removed.selector, target.key_text.as_deref()) {
                    (None, None) => true,
                    (Some(Selector::Key(removed)), Some(key)) => removed.eq_ignore_ascii_case(key),
                    _ => false,
                }
        })
    }

    /// Whether a removal names this one member of a collection by its exact key.
    pub fn remove_value(&self, meta: &RuleMeta, variable: Variable, key: Option<&[u8]>) -> bool {
        let Some(key) = key else {
            return false;
        };
        self.of(meta).any(|t| {
            t.variable == variable
                && match &t.selector {
                    Some(Selector::Key(k)) => k.as_bytes() == key,
                    Some(Selector::Regex(_)) | None => false,
                }
        })
    }
}
