//! `ctl:ruleRemoveTargetById/ByTag/ByMsg`: targets a transaction takes away from some rules.
//!
//! CRS runs one of these on nearly every request (941010 removes REQUEST_FILENAME from the
//! rules tagged `xss-perf-disable`), so the checks must stay cheap for the many chains they
//! do not name, and must not keep those they do name off the fast, in-place path.

use rampart_seclang::{IdRange, Selector, Target, Variable};

use crate::rule::{CompiledTarget, RuleMeta};
use crate::ruleset::ExecChain;

/// The removals a transaction's `ctl` actions asked for, in the order they ran.
#[derive(Debug, Default)]
pub(crate) struct TargetRemovals {
    pub by_id: Vec<(Vec<IdRange>, Vec<Target>)>,
    /// By [tag number](crate::RuleSet::tag_id); `None` for a tag no chain carries.
    pub by_tag: Vec<(Option<u32>, Vec<Target>)>,
    pub by_msg: Vec<(String, Vec<Target>)>,
    /// Bit per chain index: whether some removal names that chain. Set as removals arrive,
    /// so that the rule loop asks a bit, not each chain's ids, tags and `msg`.
    named: Vec<u64>,
}

impl TargetRemovals {
    /// Records that a removal names each chain of `chains` that `names` picks.
    pub fn mark_where(&mut self, chains: &[ExecChain], names: impl Fn(&RuleMeta) -> bool) {
        for (index, chain) in chains.iter().enumerate() {
            if names(&chain.meta) {
                self.mark(index);
            }
        }
    }

    /// Records that a removal names the chain at `index`.
    pub fn mark(&mut self, index: usize) {
        let word = index / 64;
        if self.named.len() <= word {
            self.named.resize(word + 1, 0);
        }
        self.named[word] |= 1 << (index % 64);
    }

    /// Whether some removal names the chain at `index`.
    pub fn names(&self, index: usize) -> bool {
        self.named
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

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
            .filter(move |(tag, _)| tag.is_some_and(|tag| meta.tag_ids.contains(&tag)))
            .flat_map(|(_, targets)| targets.iter());
        let by_msg = self
            .by_msg
            .iter()
            .filter(move |(msg, _)| meta.msg_text.as_ref() == Some(msg))
            .flat_map(|(_, targets)| targets.iter());
        by_id.chain(by_tag).chain(by_msg)
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
