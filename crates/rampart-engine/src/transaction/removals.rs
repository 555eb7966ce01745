//! `ctl:ruleRemoveTargetById/ByTag/ByMsg`: targets a transaction takes away from some rules.
//!
//! CRS runs one of these on nearly every request (941010 removes REQUEST_FILENAME from the
//! rules tagged `xss-perf-disable`), so the checks must stay cheap for the many chains they
//! do not name, and must not keep those they do name off the fast, in-place path.

use std::sync::Arc;

use rampart_seclang::{IdRange, Selector, Target, Variable};

use crate::rule::{CompiledTarget, RuleMeta};
use crate::ruleset::ExecChain;

/// The removals a transaction's `ctl` actions asked for, in the order they ran.
#[derive(Debug, Default)]
pub(crate) struct TargetRemovals {
    by_id: Vec<(Vec<IdRange>, Arc<[Target]>)>,
    /// By [tag number](crate::RuleSet::tag_id); `None` for a tag no chain carries.
    by_tag: Vec<(Option<u32>, Arc<[Target]>)>,
    by_msg: Vec<(String, Arc<[Target]>)>,
    /// Bit per chain index: whether some removal names that chain. Set as removals arrive,
    /// so that the rule loop asks a bit, not each chain's ids, tags and `msg`.
    named: Vec<u64>,
}

/// The targets removed from one chain: the lists of the removals that name it (nearly
/// always one).
#[derive(Debug, Clone)]
pub(crate) struct Removed {
    first: Arc<[Target]>,
    more: Vec<Arc<[Target]>>,
    /// Some target names one member by key, so each value's key must be checked.
    keyed: bool,
}

impl TargetRemovals {
    /// `ctl:ruleRemoveTargetById`.
    pub fn by_id(&mut self, chains: &[ExecChain], ids: &[IdRange], targets: &Arc<[Target]>) {
        self.mark_where(chains, |meta| ids.iter().any(|r| r.contains(meta.id)));
        self.by_id.push((ids.to_vec(), Arc::clone(targets)));
    }

    /// `ctl:ruleRemoveTargetByTag`, with the chains carrying the tag (by index), if any does.
    pub fn by_tag(&mut self, tag: Option<(u32, &[u32])>, targets: &Arc<[Target]>) {
        for &index in tag.map(|(_, tagged)| tagged).unwrap_or_default() {
            self.mark(index as usize);
        }
        self.by_tag
            .push((tag.map(|(id, _)| id), Arc::clone(targets)));
    }

    /// `ctl:ruleRemoveTargetByMsg`.
    pub fn by_msg(&mut self, chains: &[ExecChain], msg: &str, targets: &Arc<[Target]>) {
        self.mark_where(chains, |meta| meta.msg_text.as_deref() == Some(msg));
        self.by_msg.push((msg.to_string(), Arc::clone(targets)));
    }

    /// Records that a removal names each chain of `chains` that `names` picks.
    fn mark_where(&mut self, chains: &[ExecChain], names: impl Fn(&RuleMeta) -> bool) {
        for (index, chain) in chains.iter().enumerate() {
            if names(&chain.meta) {
                self.mark(index);
            }
        }
    }

    /// Records that a removal names the chain at `index`.
    fn mark(&mut self, index: usize) {
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

    /// The targets removed from the chain at `index` (described by `meta`), or `None` when no
    /// removal names it. Gathered once per evaluation of the chain, which then checks them for
    /// every value it reads.
    pub fn of_chain(&self, index: usize, meta: &RuleMeta) -> Option<Removed> {
        if !self.names(index) {
            return None;
        }
        let mut lists = self.of(meta);
        let first = lists.next()?.clone();
        let more: Vec<_> = lists.cloned().collect();
        let mut removed = Removed {
            first,
            more,
            keyed: false,
        };
        removed.keyed = removed.any(|t| matches!(t.selector, Some(Selector::Key(_))));
        Some(removed)
    }

    /// The target lists of the removals that name the chain described by `meta`.
    fn of<'a>(&'a self, meta: &'a RuleMeta) -> impl Iterator<Item = &'a Arc<[Target]>> + 'a {
        let by_id = self
            .by_id
            .iter()
            .filter(move |(ids, _)| ids.iter().any(|r| r.contains(meta.id)))
            .map(|(_, targets)| targets);
        let by_tag = self
            .by_tag
            .iter()
            .filter(move |(tag, _)| tag.is_some_and(|tag| meta.tag_ids.contains(&tag)))
            .map(|(_, targets)| targets);
        let by_msg = self
            .by_msg
            .iter()
            .filter(move |(msg, _)| meta.msg_text.as_ref() == Some(msg))
            .map(|(_, targets)| targets);
        by_id.chain(by_tag).chain(by_msg)
    }
}

impl Removed {
    /// Whether some removed target satisfies `test`.
    fn any(&self, test: impl Fn(&Target) -> bool) -> bool {
        self.first.iter().any(&test) || self.more.iter().any(|list| list.iter().any(&test))
    }

    /// Whether a removed target is this target as written: same variable and same key
    /// (ASCII case-insensitively), or both without a key. Such a target is not read at all.
    pub fn target(&self, target: &CompiledTarget) -> bool {
        self.any(|removed| {
            removed.variable == target.variable
                && match (&removed.selector, target.key_text.as_deref()) {
                    (None, None) => true,
                    (Some(Selector::Key(removed)), Some(key)) => removed.eq_ignore_ascii_case(key),
                    _ => false,
                }
        })
    }

    /// Whether a removal names this one member of a collection by its exact key.
    pub fn value(&self, variable: Variable, key: Option<&[u8]>) -> bool {
        let (true, Some(key)) = (self.keyed, key) else {
            return false;
        };
        self.any(|t| {
            t.variable == variable
                && match &t.selector {
                    Some(Selector::Key(k)) => k.as_bytes() == key,
                    Some(Selector::Regex(_)) | None => false,
                }
        })
    }
}
