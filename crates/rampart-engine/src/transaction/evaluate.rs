//! The rule loop, with ModSecurity v3's order of events.
//!
//! For each link of a chain: resolve targets, drop exclusions, transform each value, run the
//! operator; on every match update MATCHED_VAR(S), store captures and run the link's
//! `setvar`s. When a link matched and its chained rule matched too, run the link's remaining
//! actions, innermost link first; the chain starter's actions, logging and disruptive action
//! come last. `skip`, `skipAfter` and markers steer the loop; `ctl` edits the transaction.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use rampart_seclang::{
    Action, AllowScope, AuditLogPartsChange, BodyProcessor, Collection as SetVarCollection, Ctl,
    EngineMode, Phase, SetVar, SetVarOperation, Variable,
};

use super::removals::Removed;
use super::resolve::{decimal, Resolved, Single};
use super::state::StateSink;
use super::{
    Intervention, LiteralScans, MatchedRule, SourceSummary, StepMemo, Transaction, TransformCache,
    Transformed, ValueFacts,
};
use crate::byte_set::ByteSet;
use crate::collection::{bytes, Bytes};
use crate::operator::numeric::parse_int;
use crate::operator::prefilter::Prefilter;
use crate::operator::{CompiledOperator, Expand, NoMacros};
use crate::rule::{CompiledRule, Defaults, ValueSource};

use crate::ruleset::{ExecChain, PhaseItem, RuleSet};
use crate::transform::{Transform, TransformContext};

/// What a chain's evaluation accumulates for its log record.
#[derive(Debug, Default)]
struct ChainOutcome {
    log: bool,
    /// The link whose operator matched last: its match is what MATCHED_VAR holds.
    matched_link: Option<usize>,
    disruptive: bool,
}

impl Transaction {
    pub(crate) fn run_phase(&mut self, phase: Phase) {
        if self.engine == EngineMode::Off || !self.mark_phase_run(phase) {
            return;
        }
        if self.intervention.is_some() && phase != Phase::Logging {
            return;
        }
        let rules = Arc::clone(self.rules());
        self.skip_next = 0;
        self.skip_after = None;
        // The values a source reads are fixed within a phase, not across phases.
        self.source_literals.start_phase();
        for item in &rules.phases[usize::from(phase.number() - 1)] {
            match item {
                PhaseItem::Marker(name) => {
                    if self.skip_after.as_deref() == Some(name.as_str()) {
                        self.skip_after = None;
                    } else if self.skip_after.is_none() && self.skip_next > 0 {
                        self.skip_next -= 1;
                    }
                }
                PhaseItem::Chain(index) => {
                    if self.skip_after.is_some() {
                        continue;
                    }
                    if self.skip_next > 0 {
                        self.skip_next -= 1;
                        continue;
                    }
                    if self.is_allowed(phase) {
                        continue;
                    }
                    let chain = &rules.chains[*index];
                    if self.is_removed(chain) {
                        continue;
                    }
                    if self.ruled_out(chain, *index) {
                        // What a first link that matches nothing leaves behind.
                        self.state.matched_vars.clear();
                        continue;
                    }
                    self.evaluate_chain(&rules, *index, phase);
                    if self.intervention.is_some() && phase != Phase::Logging {
                        break;
                    }
                }
            }
        }
        if matches!(self.allow, Some((AllowScope::Phase, p)) if p == phase.number()) {
            self.allow = None;
        }
    }

    fn is_allowed(&self, phase: Phase) -> bool {
        match self.allow {
            None => false,
            Some((AllowScope::Transaction, _)) => phase != Phase::Logging,
            Some((AllowScope::Request, _)) => phase.number() <= 2,
            Some((AllowScope::Phase, p)) => p == phase.number(),
        }
    }

    fn is_removed(&self, chain: &ExecChain) -> bool {
        if self.removed_ids.is_empty()
            && self.removed_tags.is_empty()
            && self.removed_msgs.is_empty()
        {
            return false;
        }
        let meta = &chain.meta;
        self.removed_ids.iter().any(|r| r.contains(meta.id))
            || self.removed_tags.iter().any(|t| meta.tag_ids.contains(t))
            || meta
                .msg_text
                .as_ref()
                .is_some_and(|msg| self.removed_msgs.contains(msg))
    }

    /// Whether the summaries this phase has already made of the chain's first link's
    /// sources rule the link out, so that the chain need not be entered at all. Most rules
    /// a benign request meets end here; a source not summarized yet, a removed target or
    /// an XML body leaves the decision to the link's own evaluation, which makes the
    /// summaries.
    fn ruled_out(&self, chain: &ExecChain, index: usize) -> bool {
        let Some(rule) = chain.links.first() else {
            return false;
        };
        let Some(sources) = rule.value_sources.as_deref() else {
            return false;
        };
        if rule.prefilter_bit.is_none()
            || (rule.reads_xml && self.state.xml.is_some())
            || self.removed_targets.names(index)
        {
            return false;
        }
        sources.iter().all(|source| {
            self.source_literals
                .get(source.transformed as usize)
                .is_some_and(|summary| !self.summary_admits(rule, summary))
        })
    }

    fn evaluate_chain(&mut self, rules: &RuleSet, index: usize, phase: Phase) {
        let chain = &rules.chains[index];
        if chain.links.is_empty() {
            return;
        }
        // Rule sets hold far fewer than four billion chains.
        self.current_chain = u32::try_from(index).ok();
        let mut outcome = ChainOutcome {
            log: true,
            ..ChainOutcome::default()
        };
        let defaults = &rules.defaults[usize::from(phase.number() - 1)];
        if self.evaluate_link(rules, chain, 0, defaults, phase, &mut outcome) {
            // A multiMatch starter was logged at each match already.
            let logged = outcome.log && !chain.links[0].multi_match;
            self.record(
                chain,
                phase,
                logged,
                outcome.matched_link,
                outcome.disruptive,
            );
        }
        self.current_chain = None;
    }

    fn evaluate_link(
        &mut self,
        rules: &RuleSet,
        chain: &ExecChain,
        index: usize,
        defaults: &Defaults,
        phase: Phase,
        outcome: &mut ChainOutcome,
    ) -> bool {
        let rule = &chain.links[index];
        // MATCHED_VAR(S) are not reset here: a chained rule reads its parent's matches, and
        // ModSecurity only cleans them when a rule fails to match.
        let Some(operator) = &rule.operator else {
            for set_var in &rule.set_vars {
                self.set_var(set_var);
            }
            self.after_full_match(chain, index, defaults, phase, outcome);
            return true;
        };
        // The targets removed from the chain, which its first rule must skip, if any.
        let removed = match (index, self.current_chain) {
            (0, Some(at)) => self.removed_targets.of_chain(at as usize, &chain.meta),
            _ => None,
        };
        let removals_of = removed.as_ref();
        let context = TransformContext {
            unicode_map: rules.config().unicode_map.as_ref(),
        };
        let single = rule
            .single_value
            .then(|| {
                self.match_single(rules, rule, operator, index, removals_of, &context, outcome)
            })
            .flatten();
        let matched = match single {
            Some(matched) => matched,
            None => self.match_values(
                rules,
                chain,
                index,
                phase,
                operator,
                removals_of,
                &context,
                outcome,
            ),
        };
        if !matched {
            self.state.matched_vars.clear();
            return false;
        }
        if index + 1 < chain.links.len()
            && !self.evaluate_link(rules, chain, index + 1, defaults, phase, outcome)
        {
            return false;
        }
        self.after_full_match(chain, index, defaults, phase, outcome);
        true
    }

    /// Runs a link's operator over every value its targets list, noting each match; whether
    /// any matched.
    #[allow(clippy::too_many_arguments)]
    fn match_values(
        &mut self,
        rules: &RuleSet,
        chain: &ExecChain,
        index: usize,
        phase: Phase,
        operator: &CompiledOperator,
        removals_of: Option<&Removed>,
        context: &TransformContext<'_>,
        outcome: &mut ChainOutcome,
    ) -> bool {
        let rule = &chain.links[index];
        // Until a value matches nothing changes the transaction, so values can be read in
        // place; the first match switches to resolving them all, as ModSecurity does.
        let in_place = rule.reads_in_place && !(rule.reads_xml && self.state.xml.is_some());
        let skip = if in_place {
            let ruled_out = rule.value_sources.as_deref().is_some_and(|sources| {
                !self.sources_admit(rules, rule, sources, removals_of, context)
            });
            let first = if ruled_out {
                None
            } else {
                self.first_match(rules, rule, operator, removals_of, context)
            };
            match first {
                Some(position) => position,
                None => return false,
            }
        } else {
            0
        };
        // Chains recurse, so each depth borrows its own buffer from the pool.
        let mut values = self.value_buffers.pop().unwrap_or_default();
        for target in &rule.targets {
            if removals_of.is_some_and(|removed| removed.target(target)) {
                continue;
            }
            self.resolve(target, &mut values);
        }
        // The value `first_match` stopped at is known to match; without captures to take or
        // stages to log, running the operator on it again would only repeat the answer.
        let known_hit = (in_place && !rule.capture && !rule.multi_match).then_some(skip);
        let mut matched_any = false;
        for (position, value) in values.iter().enumerate().skip(skip) {
            let key = value.key.as_deref();
            if rule
                .exclusions
                .iter()
                .any(|e| e.excludes(value.variable, key))
            {
                continue;
            }
            if removals_of.is_some_and(|removed| removed.value(value.variable, key)) {
                continue;
            }
            let (single, several);
            let candidates: &[(Bytes, bool)] = if rule.multi_match {
                several = self.transformed_all(rule, &value.value, context);
                &several
            } else {
                single = [self.transformed(rules, rule, &value.value, context)];
                &single
            };
            for (candidate, may_match) in candidates {
                let mut captures = rule.capture.then(Vec::new);
                let hit = known_hit == Some(position)
                    || (*may_match && operator.evaluate(candidate, &*self, captures.as_mut()))
                        != rule.negated;
                if !hit {
                    continue;
                }
                matched_any = true;
                self.note_match(
                    rule,
                    index,
                    value.variable,
                    value.key.clone(),
                    candidate.clone(),
                    captures,
                    outcome,
                );
                if rule.multi_match {
                    // ModSecurity logs a multiMatch rule at each match, before (and whatever)
                    // the rest of its chain decides.
                    self.record(chain, phase, true, outcome.matched_link, false);
                }
            }
        }
        values.clear();
        self.value_buffers.push(values);
        matched_any
    }

    /// [`match_values`](Self::match_values) for a link that [reads one stored
    /// value](CompiledRule::single_value), without listing it first: whether it matched, or
    /// `None` when the target holds several values after all.
    #[allow(clippy::too_many_arguments)]
    fn match_single(
        &mut self,
        rules: &RuleSet,
        rule: &CompiledRule,
        operator: &CompiledOperator,
        index: usize,
        removals_of: Option<&Removed>,
        context: &TransformContext<'_>,
        outcome: &mut ChainOutcome,
    ) -> Option<bool> {
        let target = rule.targets.first()?;
        if removals_of.is_some_and(|removed| removed.target(target)) {
            return Some(false);
        }
        let mut captures = rule.capture.then(Vec::new);
        let mut seen = 0;
        let mut matched = None;
        // The operator needs no macros (see `single_value`): it runs on the value where it
        // is stored, and only a match takes a reference to it.
        let Transaction {
            state,
            transform_cache: cache,
            literal_scans: literals,
            ..
        } = &mut *self;
        // A member or scalar is read directly (CRS's gates); the visitor below serves only
        // the targets that shortcut does not read. The two bodies stay apart: sharing them
        // through a closure cost 0.5% of a benign GET's instructions.
        match state.single_stored(target) {
            Single::Absent => return Some(false),
            Single::Several => return None,
            Single::One(variable, key, value) => {
                let name = key.map(|k| &k[..]);
                if rule.exclusions.iter().any(|e| e.excludes(variable, name))
                    || removals_of.is_some_and(|removed| removed.value(variable, name))
                {
                    return Some(false);
                }
                let (candidate, at) = screen(cache, literals, rules, rule, value, context);
                let hit = (may_match(rule, &literals.bits, at)
                    && operator.evaluate(candidate, &NoMacros, captures.as_mut()))
                    != rule.negated;
                if !hit {
                    return Some(false);
                }
                let (key, candidate) = (key.cloned(), candidate.clone());
                self.note_match(rule, index, variable, key, candidate, captures, outcome);
                return Some(true);
            }
            Single::Unknown => {}
        }
        state.visit_stored(target, &mut |variable, key, value| {
            seen += 1;
            if seen > 1 {
                return true;
            }
            let name = key.map(|k| &k[..]);
            if rule.exclusions.iter().any(|e| e.excludes(variable, name))
                || removals_of.is_some_and(|removed| removed.value(variable, name))
            {
                return false;
            }
            let (candidate, at) = screen(cache, literals, rules, rule, value, context);
            let hit = (may_match(rule, &literals.bits, at)
                && operator.evaluate(candidate, &NoMacros, captures.as_mut()))
                != rule.negated;
            if hit {
                matched = Some((variable, key.cloned(), candidate.clone()));
            }
            false
        });
        if seen > 1 {
            return None;
        }
        let Some((variable, key, value)) = matched else {
            return Some(false);
        };
        self.note_match(rule, index, variable, key, value, captures, outcome);
        Some(true)
    }

    /// What every match of a value does at once: captures into TX:0–9, MATCHED_VAR(S), and
    /// the link's `setvar`s.
    #[allow(clippy::too_many_arguments)]
    fn note_match(
        &mut self,
        rule: &CompiledRule,
        index: usize,
        variable: Variable,
        key: Option<Bytes>,
        value: Bytes,
        captures: Option<Vec<Vec<u8>>>,
        outcome: &mut ChainOutcome,
    ) {
        if let Some(captures) = captures.filter(|c| !c.is_empty()) {
            let tx = self.state.collection_mut(Variable::Tx);
            for (name, capture) in CAPTURE_NAMES.iter().zip(captures) {
                tx.set(name, bytes(capture));
            }
        }
        outcome.matched_link = Some(index);
        let matched = Resolved {
            variable,
            key,
            value,
        };
        self.state.matched_vars.push(matched);
        for set_var in &rule.set_vars {
            self.set_var(set_var);
        }
    }

    /// Whether some value of one of the rule's [value sources](CompiledRule::value_sources)
    /// holds one of its literals. Each source's summary (the union of its values' prefilter
    /// bits, and how many values it has) is computed once per phase, whichever rule asks
    /// first. A target removed from the chain is left out; a removed member of a collection
    /// is not, which can only admit more.
    fn sources_admit(
        &mut self,
        rules: &RuleSet,
        rule: &CompiledRule,
        sources: &[ValueSource],
        removals_of: Option<&Removed>,
        context: &TransformContext<'_>,
    ) -> bool {
        let mut admitted = false;
        for (target, &source) in rule.targets.iter().zip(sources) {
            if removals_of.is_some_and(|removed| removed.target(target)) {
                continue;
            }
            // Every source is summarized, not just up to the first that admits: the first
            // match skips the targets whose summary rules the rule out.
            admitted |= self
                .source_summary(rules, rule, target, source, context)
                .is_none_or(|summary| self.summary_admits(rule, &summary));
        }
        admitted
    }

    fn summary_admits(&self, rule: &CompiledRule, summary: &SourceSummary) -> bool {
        let bits = self.literal_scans.bits.get(summary.at..);
        rule.prefilter_bit
            .is_none_or(|bit| crate::operator::prefilter::admits(bits.unwrap_or_default(), bit))
    }

    /// The summary of one value source for this phase, computing it the first time. When
    /// the rule's transformations can change none of the target's stored values beyond ASCII
    /// case, which the prefilter does not see, the stored values' summary serves; otherwise
    /// a `multiMatch` rule has none (`None`).
    fn source_summary(
        &mut self,
        rules: &RuleSet,
        rule: &CompiledRule,
        target: &crate::rule::CompiledTarget,
        source: ValueSource,
        context: &TransformContext<'_>,
    ) -> Option<SourceSummary> {
        let filter = rules.prefilter.as_ref()?;
        rule.prefilter_bit?;
        let id = source.transformed as usize;
        if let Some(summary) = self.source_literals.get(id) {
            return Some(*summary);
        }
        let stored = self.stored_summary(filter, target, source.stored as usize);
        let unchanged = rule
            .case_free_triggers
            .is_some_and(|triggers| !triggers.intersects(&stored.stored_bytes));
        let summary = if unchanged {
            stored
        } else if rule.multi_match {
            // Each value's stages would have to be walked: that is the rule's own work.
            return None;
        } else {
            self.transformed_summary(rules, rule, stored, context)
        };
        self.remember(id, summary);
        Some(summary)
    }

    /// The summary of a target's values as stored: their own bytes and prefilter scans.
    fn stored_summary(
        &mut self,
        filter: &Prefilter,
        target: &crate::rule::CompiledTarget,
        id: usize,
    ) -> SourceSummary {
        if let Some(summary) = self.source_literals.get(id) {
            return *summary;
        }
        let words = filter.words();
        let LiteralScans {
            values: facts,
            bits,
            union,
            stored,
            ..
        } = &mut self.literal_scans;
        let mut scratch = std::mem::take(union);
        scratch.clear();
        scratch.resize(words, 0);
        let stored_at = stored.len();
        let (mut values, mut stored_bytes) = (0, ByteSet::default());
        self.state.visit_stored(target, &mut |_, _, value| {
            values += 1;
            let position = facts.position_of(value);
            stored.push(u32::try_from(position).unwrap_or(u32::MAX));
            let Some(facts) = facts.at(position) else {
                // Never (every position has its facts); admitting everything is safe.
                scratch.fill(u64::MAX);
                stored_bytes = ByteSet::from_fn(|_| true);
                return false;
            };
            stored_bytes = stored_bytes.union(facts.bytes);
            let at = scan(filter, facts, bits, value);
            merge_scan(&mut scratch, bits, at);
            false
        });
        let summary = SourceSummary {
            at: bits.len(),
            values,
            stored_bytes,
            stored_at,
        };
        bits.extend_from_slice(&scratch);
        *union = scratch;
        self.remember(id, summary);
        summary
    }

    /// The summary of a target's values after the rule's transformations: the stored
    /// summary, with the bits of each value the transformations can change beyond ASCII
    /// case added as the rule would screen it. (The stored bits of such a value stay in
    /// the union: a summary may admit a rule that its values then rule out, never the
    /// reverse.)
    fn transformed_summary(
        &mut self,
        rules: &RuleSet,
        rule: &CompiledRule,
        stored: SourceSummary,
        context: &TransformContext<'_>,
    ) -> SourceSummary {
        let words = rules.prefilter.as_ref().map_or(0, Prefilter::words);
        let triggers = rule.case_free_triggers;
        let Transaction {
            transform_cache: cache,
            literal_scans: literals,
            ..
        } = self;
        let mut union = std::mem::take(&mut literals.union);
        union.clear();
        union.extend_from_slice(
            literals
                .bits
                .get(stored.at..stored.at + words)
                .unwrap_or_default(),
        );
        union.resize(words, u64::MAX);
        for index in stored.stored_at..stored.stored_at + stored.values {
            let position = literals
                .stored
                .get(index)
                .map_or(usize::MAX, |&p| p as usize);
            let value = match literals.values.at(position) {
                Some(facts) if triggers.is_some_and(|t| !t.intersects(&facts.bytes)) => continue,
                Some(facts) => facts.held.clone(),
                None => {
                    union.fill(u64::MAX);
                    break;
                }
            };
            let at = prefilter_bits(cache, literals, rules, rule, &value, context);
            merge_scan(&mut union, &literals.bits, at);
        }
        let summary = SourceSummary {
            at: literals.bits.len(),
            ..stored
        };
        literals.bits.extend_from_slice(&union);
        literals.union = union;
        summary
    }

    fn remember(&mut self, id: usize, summary: SourceSummary) {
        self.source_literals.insert(id, summary);
    }

    /// The position, among the values `resolve` would list, of the first value the rule's
    /// operator matches, reading them in place. Only for rules that
    /// [read in place](CompiledRule::reads_in_place).
    fn first_match(
        &mut self,
        rules: &RuleSet,
        rule: &CompiledRule,
        operator: &CompiledOperator,
        removals_of: Option<&Removed>,
        context: &TransformContext<'_>,
    ) -> Option<usize> {
        let Transaction {
            state,
            transform_cache: cache,
            literal_scans: literals,
            source_literals,
            ..
        } = self;
        let mut position = 0;
        for (index, target) in rule.targets.iter().enumerate() {
            // `resolve` lists no value of a removed target, so none is counted here.
            if removals_of.is_some_and(|removed| removed.target(target)) {
                continue;
            }
            // A target whose summary rules the rule out is passed over, its values counted.
            let summary = rule
                .value_sources
                .as_deref()
                .and_then(|sources| source_literals.get(sources.get(index)?.transformed as usize))
                .copied();
            if let (Some(summary), Some(bit)) = (summary, rule.prefilter_bit) {
                let bits = literals.bits.get(summary.at..).unwrap_or_default();
                if !crate::operator::prefilter::admits(bits, bit) {
                    position += summary.values;
                    continue;
                }
            }
            let mut visit = |variable, key: Option<&Bytes>, value: &Bytes| {
                position += 1;
                let key = key.map(|k| &k[..]);
                if rule.exclusions.iter().any(|e| e.excludes(variable, key))
                    || removals_of.is_some_and(|removed| removed.value(variable, key))
                {
                    return false;
                }
                if rule.multi_match {
                    return any_stage_matches(literals, rules, rule, operator, value, context);
                }
                let at = prefilter_bits(cache, literals, rules, rule, value, context);
                if !may_match(rule, &literals.bits, at) {
                    return rule.negated;
                }
                let (candidate, _) = screen(cache, literals, rules, rule, value, context);
                operator.evaluate(candidate, &NoMacros, None) != rule.negated
            };
            if state.visit_stored(target, &mut visit) {
                return Some(position - 1);
            }
        }
        None
    }

    /// The value the operator sees, and whether the operator can match it at all.
    fn transformed(
        &mut self,
        rules: &RuleSet,
        rule: &CompiledRule,
        value: &Bytes,
        context: &TransformContext<'_>,
    ) -> (Bytes, bool) {
        let (result, at) = screen(
            &mut self.transform_cache,
            &mut self.literal_scans,
            rules,
            rule,
            value,
            context,
        );
        (
            result.clone(),
            may_match(rule, &self.literal_scans.bits, at),
        )
    }

    /// With `multiMatch`: the original value and every value a transformation changed.
    fn transformed_all(
        &mut self,
        rule: &CompiledRule,
        value: &Bytes,
        context: &TransformContext<'_>,
    ) -> Vec<(Bytes, bool)> {
        let mut out = vec![(value.clone(), true)];
        for transform in &rule.effective {
            let current = out.last().map_or(value, |(v, _)| v);
            if let Some(next) = apply(transform, current, context) {
                out.push((next, true));
            }
        }
        out
    }

    fn after_full_match(
        &mut self,
        chain: &ExecChain,
        index: usize,
        defaults: &Defaults,
        phase: Phase,
        outcome: &mut ChainOutcome,
    ) {
        let rule = &chain.links[index];
        if let Some(log) = defaults.log {
            outcome.log = log;
        }
        for action in &defaults.after_match {
            self.run_action(action);
        }
        if index == 0 {
            if let Some(severity) = chain.meta.severity {
                let n = severity.number();
                self.state.highest_severity =
                    Some(self.state.highest_severity.map_or(n, |h| h.min(n)));
            }
        }
        if let Some(log) = rule.log {
            outcome.log = log;
        }
        for action in &rule.after_match {
            self.run_action(action);
        }
        if self.engine != EngineMode::On || index != 0 {
            return;
        }
        let (disruptive, status) = match (&rule.disruptive, rule.block) {
            (Some(action), _) => (Some(action), rule.status),
            (None, true) => (
                defaults.disruptive.as_ref(),
                rule.status.or(defaults.status),
            ),
            (None, false) => (None, None),
        };
        if let Some(action) = disruptive {
            outcome.disruptive = self.disrupt(action, status, chain.meta.id, phase);
        }
    }

    fn disrupt(
        &mut self,
        action: &Action,
        status: Option<u16>,
        rule_id: u64,
        phase: Phase,
    ) -> bool {
        let phase_number = phase.number();
        let intervention = match action {
            Action::Deny => {
                let status = status.unwrap_or(403);
                Intervention {
                    status,
                    url: None,
                    drop: false,
                    rule_id,
                    phase: phase_number,
                    message: format!("Access denied with code {status} (phase {phase_number})"),
                }
            }
            Action::Drop => Intervention {
                status: status.unwrap_or(403),
                url: None,
                drop: true,
                rule_id,
                phase: phase_number,
                message: format!("Access denied with connection close (phase {phase_number})"),
            },
            Action::Redirect(url) => {
                let status = status
                    .filter(|s| matches!(s, 301 | 302 | 303 | 307))
                    .unwrap_or(302);
                let url = String::from_utf8_lossy(&self.expand(url)).into_owned();
                Intervention {
                    status,
                    message: format!(
                        "Access denied with redirection to {url} using status {status} (phase {phase_number})"
                    ),
                    url: Some(url),
                    drop: false,
                    rule_id,
                    phase: phase_number,
                }
            }
            Action::Allow(scope) => {
                self.allow = Some((*scope, phase_number));
                return false;
            }
            _ => return false,
        };
        if self.intervention.is_none() {
            self.intervention = Some(intervention);
        }
        true
    }

    fn run_action(&mut self, action: &Action) {
        match action {
            Action::Ctl(ctl) => self.ctl(ctl),
            Action::Skip(n) => self.skip_next = *n,
            Action::SkipAfter(marker) => self.skip_after = Some(marker.clone()),
            Action::InitCol(init) => {
                let key = self.expand(&init.key).into_owned();
                self.init_collection(init.collection.variable(), key);
            }
            Action::SetUid(uid) => {
                let value = self.expand(uid).into_owned();
                self.state.set_scalar(Variable::UserId, &value);
                self.init_collection(Variable::User, value);
            }
            Action::SetSid(sid) => {
                let value = self.expand(sid).into_owned();
                self.state.set_scalar(Variable::SessionId, &value);
                self.init_collection(Variable::Session, value);
            }
            Action::SetRsc(rsc) => {
                let value = self.expand(rsc).into_owned();
                self.init_collection(Variable::Resource, value);
            }
            Action::ExpireVar(expire) => {
                let key = self.expand(&expire.key).into_owned();
                let seconds = parse_int(&self.expand(&expire.value)).max(0) as u64;
                let variable = expire.collection.variable();
                self.expiries
                    .retain(|(v, k, _)| !(*v == variable && k.eq_ignore_ascii_case(&key)));
                self.expiries
                    .push((variable, key, crate::persist::now_epoch() + seconds));
            }
            Action::SetEnv(env) => {
                let value = self.expand(&env.value).into_owned();
                self.state
                    .collection_mut(Variable::Env)
                    .set(env.name.as_bytes(), bytes(value));
            }
            _ => {}
        }
    }

    /// Loads a persistent collection record the first time a transaction names it.
    fn init_collection(&mut self, variable: Variable, key: Vec<u8>) {
        if variable == Variable::Tx || self.persistent.iter().any(|(v, _)| *v == variable) {
            return;
        }
        let stored = self.store.load(variable.name(), &key);
        let collection = self.state.collection_mut(variable);
        collection.clear();
        for var in stored {
            if let Some(expires) = var.expires {
                self.expiries.push((variable, var.name.clone(), expires));
            }
            collection.push(&var.name, &var.value);
        }
        let name = variable.name().to_ascii_lowercase();
        if collection.first(b"__key").is_none() {
            collection.set(b"__key", bytes(&key));
            collection.set(b"__name", bytes(&name));
            collection.set(
                b"create_time",
                bytes(crate::persist::now_epoch().to_string()),
            );
        }
        self.persistent.push((variable, key));
    }

    /// Writes loaded persistent collections back to the store.
    pub(crate) fn persist_collections(&mut self) {
        let now = crate::persist::now_epoch();
        for (variable, key) in std::mem::take(&mut self.persistent) {
            let vars = self
                .state
                .collection(variable)
                .iter()
                .filter_map(|(name, value)| {
                    let expires = self
                        .expiries
                        .iter()
                        .find(|(v, k, _)| *v == variable && k.eq_ignore_ascii_case(name))
                        .map(|(_, _, e)| *e);
                    (expires.is_none_or(|e| e > now)).then(|| crate::persist::StoredVar {
                        name: name.to_vec(),
                        value: value.to_vec(),
                        expires,
                    })
                })
                .collect();
            self.store.store(variable.name(), &key, vars);
        }
    }

    fn ctl(&mut self, ctl: &Ctl) {
        match ctl {
            Ctl::RuleEngine(mode) => self.engine = *mode,
            Ctl::RuleRemoveById(ids) => self.removed_ids.extend_from_slice(ids),
            Ctl::RuleRemoveByTag(tag) => {
                // A tag that no chain carries removes nothing.
                if let Some(id) = self.rules().tag_id(tag) {
                    self.removed_tags.push(id);
                }
            }
            Ctl::RuleRemoveByMsg(msg) => self.removed_msgs.push(msg.clone()),
            Ctl::RuleRemoveTargetById(ids, targets) => {
                let rules = Arc::clone(self.rules());
                self.removed_targets.by_id(&rules.chains, ids, targets);
            }
            Ctl::RuleRemoveTargetByTag(tag, targets) => {
                let rules = Arc::clone(self.rules());
                let tag = rules.tag_id(tag).map(|id| {
                    let tagged = rules.tagged.get(id as usize);
                    (id, tagged.map(Vec::as_slice).unwrap_or_default())
                });
                self.removed_targets.by_tag(tag, targets);
            }
            Ctl::RuleRemoveTargetByMsg(msg, targets) => {
                let rules = Arc::clone(self.rules());
                self.removed_targets.by_msg(&rules.chains, msg, targets);
            }
            Ctl::RequestBodyProcessor(processor) => {
                self.body_processor = Some(*processor);
                self.state
                    .set_scalar(Variable::ReqbodyProcessor, processor.name());
            }
            Ctl::RequestBodyAccess(on) => self.request_body_access = *on,
            Ctl::ForceRequestBodyVariable(on) => self.force_request_body_variable = *on,
            Ctl::AuditEngine(engine) => self.audit_engine = *engine,
            Ctl::AuditLogParts(change) => match change {
                AuditLogPartsChange::Set(parts) => self.audit_parts = parts.clone(),
                AuditLogPartsChange::Add(parts) => {
                    for part in parts.chars() {
                        if !self.audit_parts.contains(part) {
                            self.audit_parts.push(part);
                        }
                    }
                }
                AuditLogPartsChange::Remove(parts) => {
                    self.audit_parts.retain(|part| !parts.contains(part));
                }
            },
            _ => {}
        }
    }

    fn set_var(&mut self, set_var: &SetVar) {
        // Borrowed from the rule unless the name holds macros.
        let key = self.expand(&set_var.key);
        let variable = match set_var.collection {
            SetVarCollection::Tx => Variable::Tx,
            other => other.variable(),
        };
        let value: Option<Bytes> = match &set_var.operation {
            SetVarOperation::Assign(value) => Some(self.expand_shared(value)),
            SetVarOperation::SetToOne => Some(one().clone()),
            SetVarOperation::Add(delta) | SetVarOperation::Subtract(delta) => {
                let delta = parse_int(&self.expand_shared(delta));
                let current = self
                    .state
                    .collection(variable)
                    .first(&key)
                    .map_or(0, |v| parse_int(v));
                let result = if matches!(set_var.operation, SetVarOperation::Add(_)) {
                    current.saturating_add(delta)
                } else {
                    current.saturating_sub(delta)
                };
                Some(decimal(result))
            }
            SetVarOperation::Delete => None,
        };
        let collection = self.state.collection_mut(variable);
        match (value, set_var.key.shared_literal()) {
            (Some(value), Some(name)) => {
                collection.set_named(&key, value, || Bytes::from(Arc::clone(name)))
            }
            (Some(value), None) => collection.set(&key, value),
            (None, _) => collection.remove(&key),
        }
    }

    fn record(
        &mut self,
        chain: &ExecChain,
        phase: Phase,
        logged: bool,
        matched_link: Option<usize>,
        disruptive: bool,
    ) {
        self.match_count += 1;
        // Only a logged or disruptive match is ever shown; CRS's bookkeeping rules match on
        // every request, and are only counted.
        if !(logged || disruptive) {
            return;
        }
        let meta = &chain.meta;
        let expand = |text: &Option<rampart_seclang::MacroString>| {
            text.as_ref()
                .map(|t| String::from_utf8_lossy(&self.expand(t)).into_owned())
                .unwrap_or_default()
        };
        let (msg, data) = (expand(&meta.msg), expand(&meta.logdata));
        let (matched_var_name, matched_var) = self
            .state
            .matched_var()
            .map(|m| {
                (
                    String::from_utf8_lossy(&m.name()).into_owned(),
                    m.value.to_vec(),
                )
            })
            .unwrap_or_default();
        let match_message = matched_link
            .and_then(|link| chain.links.get(link))
            .map(|rule| match_message(rule, &matched_var_name, &matched_var))
            .unwrap_or_default();
        self.matched.push(MatchedRule {
            id: meta.id,
            phase: phase.number(),
            msg,
            data,
            severity: meta.severity,
            tags: meta.tags.clone(),
            ver: meta.ver.clone(),
            rev: meta.rev.clone(),
            maturity: meta.maturity,
            accuracy: meta.accuracy,
            file: meta.file.clone(),
            line: meta.line,
            matched_var_name,
            matched_var,
            match_message,
            logged,
            disruptive,
        });
    }

    /// Body variables before phase 2: REQUEST_BODY, the processor's output, and errors.
    pub(crate) fn process_body_variables(&mut self) {
        if self.state.scalar(Variable::InboundDataError).is_none() {
            self.state.set_scalar(Variable::InboundDataError, "0");
        }
        let rules = Arc::clone(self.rules());
        let config = rules.config();
        let body = std::mem::take(&mut self.state.request_body);
        let processor = self.body_processor.or_else(|| {
            match self
                .state
                .scalar(Variable::ReqbodyProcessor)
                .map(|p| &p[..])
            {
                Some(b"URLENCODED") => Some(BodyProcessor::UrlEncoded),
                Some(b"MULTIPART") => Some(BodyProcessor::Multipart),
                _ => None,
            }
        });
        match processor {
            Some(BodyProcessor::UrlEncoded) => {
                self.state.add_urlencoded(
                    &body,
                    Variable::ArgsPost,
                    config.argument_separator,
                    config.arguments_limit,
                );
                self.set_body_error(None);
            }
            Some(BodyProcessor::Json) => {
                let limits = body_limits(config);
                let mut sink = StateSink {
                    state: &mut self.state,
                    limit: config.arguments_limit,
                };
                let result = crate::body::json::process(&body, &limits, &mut sink);
                // An empty body is no error, whatever the parser says.
                let error = result
                    .err()
                    .filter(|_| !body.is_empty())
                    .map(|e| format!("JSON parsing error: {e}"));
                self.set_body_error(error);
            }
            Some(BodyProcessor::Multipart) => {
                // The parser was fed as the body arrived (see `append_request_body`).
                let has_content_type = self
                    .state
                    .collection(Variable::RequestHeaders)
                    .first(b"content-type")
                    .is_some();
                match (self.multipart.take(), has_content_type) {
                    (Some(parser), true) => {
                        let mut sink = StateSink {
                            state: &mut self.state,
                            limit: None,
                        };
                        let error = parser
                            .finish(&mut sink)
                            .err()
                            .map(|e| format!("Multipart parsing error: {e}"));
                        self.set_body_error(error);
                    }
                    (None, true) => {
                        // No body arrived: the parser still judges the (empty) payload.
                        let content_type = self
                            .state
                            .collection(Variable::RequestHeaders)
                            .first(b"content-type")
                            .cloned()
                            .unwrap_or_else(|| bytes(""));
                        let parser =
                            crate::body::multipart::Parser::new(&content_type, body_limits(config));
                        let mut sink = StateSink {
                            state: &mut self.state,
                            limit: None,
                        };
                        let error = parser
                            .finish(&mut sink)
                            .err()
                            .map(|e| format!("Multipart parsing error: {e}"));
                        self.set_body_error(error);
                    }
                    _ => self.set_body_error(None),
                }
            }
            Some(BodyProcessor::Xml) => {
                let (document, result) = crate::body::xml::parse(&body);
                self.state.xml = Some(document);
                self.set_body_error(result.err().map(|e| format!("XML parsing error: {e}")));
            }
            None => self.set_body_error(None),
        }
        if !body.is_empty() {
            self.state.set_scalar(Variable::RequestBody, &body);
            // Every byte received, also those of a multipart body that were streamed to the
            // parser but not kept.
            let length = self.request_body_seen.max(body.len() as u64);
            self.state
                .set_scalar(Variable::RequestBodyLength, length.to_string());
        }
        self.state.request_body = body;
        // FULL_REQUEST is put together when a rule reads it (CRS never does).
        self.state.request_body_processed = true;
    }

    fn set_body_error(&mut self, message: Option<String>) {
        match message {
            Some(message) => {
                self.state.set_scalar(Variable::ReqbodyError, "1");
                self.state.set_scalar(Variable::ReqbodyProcessorError, "1");
                self.state.set_scalar(Variable::ReqbodyErrorMsg, &message);
                self.state
                    .set_scalar(Variable::ReqbodyProcessorErrorMsg, &message);
            }
            None => {
                self.state.set_scalar(Variable::ReqbodyError, "0");
                self.state.set_scalar(Variable::ReqbodyProcessorError, "0");
            }
        }
    }
}

pub(crate) fn body_limits(config: &crate::config::EngineConfig) -> crate::body::BodyLimits {
    crate::body::BodyLimits {
        json_depth: config.request_body_json_depth_limit,
        upload_files: config.upload_file_limit,
        file_content: if config.keep_file_contents {
            usize::try_from(config.request_body_in_memory_limit).unwrap_or(usize::MAX)
        } else {
            0
        },
    }
}

/// Where the prefilter's bits for the value the rule's operator would see start in
/// [`LiteralScans::bits`] (`None`: the rule has no prefilter). When the chain can change the
/// value only in ASCII case, which the prefilter ignores, the value's own scan serves and
/// the chain need not run at all.
fn prefilter_bits(
    cache: &mut TransformCache,
    literals: &mut LiteralScans,
    rules: &RuleSet,
    rule: &CompiledRule,
    value: &Bytes,
    context: &TransformContext<'_>,
) -> Option<usize> {
    let filter = rule.prefilter_bit.and(rules.prefilter.as_ref())?;
    let LiteralScans { values, bits, .. } = &mut *literals;
    let facts = values.of(value);
    let case_only = rule
        .case_free_triggers
        .is_some_and(|triggers| !triggers.intersects(&facts.bytes));
    if case_only {
        return scan(filter, facts, bits, value);
    }
    screen(cache, literals, rules, rule, value, context).1
}

/// A value after the rule's transformations, and where the prefilter's bits for it start
/// in [`LiteralScans::bits`] (`None` when the rule has no prefilter). Both are cached for
/// the transaction: a value that holds none of the chain's trigger bytes is its own result
/// and shares its scan with every rule that reads it; other results are cached per value
/// and transformation chain.
fn screen<'a>(
    cache: &'a mut TransformCache,
    LiteralScans {
        values,
        bits,
        results,
        steps,
        ..
    }: &mut LiteralScans,
    rules: &RuleSet,
    rule: &CompiledRule,
    value: &'a Bytes,
    context: &TransformContext<'_>,
) -> (&'a Bytes, Option<usize>) {
    let filter = rule.prefilter_bit.and(rules.prefilter.as_ref());
    if rule.effective.is_empty() && filter.is_none() {
        return (value, None);
    }
    let facts = values.of(value);
    let unchanged = rule.effective.is_empty()
        || rule
            .chain_triggers
            .is_some_and(|triggers| !triggers.intersects(&facts.bytes));
    if unchanged {
        return (value, filter.and_then(|f| scan(f, facts, bits, value)));
    }
    // Until a step changes the value, the value's own byte set answers for each step.
    let mut present = Some(facts.bytes);
    let entry = cache
        .entry((value.as_ptr() as usize, value.len(), rule.chain_id))
        .or_insert_with(|| {
            let mut result = value.clone();
            for transform in &rule.effective {
                if let Some(next) = step(
                    steps,
                    results,
                    transform,
                    &result,
                    present.as_ref(),
                    context,
                ) {
                    result = next;
                    present = None;
                }
            }
            // The source value is kept alive with the entry, so its address cannot be
            // reused for another value while the cache holds it.
            Transformed {
                source: value.clone(),
                result,
            }
        });
    let result = &entry.result;
    let literals = filter.and_then(|f| {
        let facts = values.of(result);
        scan(f, facts, bits, result)
    });
    (result, literals)
}

/// For a `multiMatch` rule: whether its operator matches (or, negated, fails to match) the
/// value or one of the values its transformations make along the way. Each stage is
/// screened by the prefilter like any value; a value that holds none of the chain's
/// trigger bytes has no other stage.
fn any_stage_matches(
    literals: &mut LiteralScans,
    rules: &RuleSet,
    rule: &CompiledRule,
    operator: &CompiledOperator,
    value: &Bytes,
    context: &TransformContext<'_>,
) -> bool {
    let filter = rule.prefilter_bit.and(rules.prefilter.as_ref());
    let hits = |literals: &mut LiteralScans, stage: &Bytes| {
        let LiteralScans { values, bits, .. } = literals;
        let facts = values.of(stage);
        let unchanged = rule
            .chain_triggers
            .is_some_and(|triggers| !triggers.intersects(&facts.bytes));
        let at = filter.and_then(|f| scan(f, facts, bits, stage));
        let possible = may_match(rule, bits, at);
        let hit = (possible && operator.evaluate(stage, &NoMacros, None)) != rule.negated;
        (hit, unchanged, facts.bytes)
    };
    let (hit, unchanged, mut present) = hits(literals, value);
    if hit || unchanged {
        return hit;
    }
    let mut current = value.clone();
    for transform in &rule.effective {
        let next = step(
            &mut literals.steps,
            &mut literals.results,
            transform,
            &current,
            Some(&present),
            context,
        );
        if let Some(next) = next {
            let (hit, _, bytes) = hits(literals, &next);
            if hit {
                return true;
            }
            current = next;
            present = bytes;
        }
    }
    false
}

/// One transformation step, done once per transaction for each (input, transformation):
/// chains that share a prefix, and the stages of `multiMatch` rules, reuse it. Returns the
/// (interned) result, or `None` when the step leaves its input as it is. `present`, when
/// known, is the set of bytes the input holds: it answers whether the step can change the
/// input without a pass over it.
fn step(
    steps: &mut StepMemo,
    results: &mut HashSet<Bytes, foldhash::fast::RandomState>,
    transform: &Transform,
    input: &Bytes,
    present: Option<&ByteSet>,
    context: &TransformContext<'_>,
) -> Option<Bytes> {
    let may_change = match present {
        Some(present) => transform.may_change_holding(present),
        None => transform.may_change(input),
    };
    if !may_change {
        return None;
    }
    let key = (
        input.as_ptr() as usize,
        input.len(),
        transform.transformation as u32,
    );
    steps
        .entry(key)
        .or_insert_with(|| {
            let result = changed(input, transform.apply_triggered(input, context))
                .map(|r| intern(results, r));
            (input.clone(), result)
        })
        .1
        .clone()
}

/// The transaction's one copy of a transformation result: chains that produce the same
/// bytes (many decode a value the same way) share it, and with it its prefilter scan.
fn intern(results: &mut HashSet<Bytes, foldhash::fast::RandomState>, result: Bytes) -> Bytes {
    match results.get(&result) {
        Some(same) => same.clone(),
        None => {
            results.insert(result.clone());
            result
        }
    }
}

/// Where the prefilter's bits for `value` start, scanning it the first time.
fn scan(
    filter: &Prefilter,
    facts: &mut ValueFacts,
    bits: &mut Vec<u64>,
    value: &[u8],
) -> Option<usize> {
    let at = *facts.scan.get_or_insert_with(|| {
        let start = bits.len();
        bits.resize(start + filter.words(), 0);
        filter.scan(value, &facts.bytes, &mut bits[start..]);
        // Past u32::MAX words (never in practice) the rule simply runs.
        u32::try_from(start).unwrap_or(u32::MAX)
    });
    (at != u32::MAX).then_some(at as usize)
}

/// Adds to a summary's `union` the scan whose bits start at `at` in `bits` (`None`: the
/// value was not scanned, so every rule is admitted).
fn merge_scan(union: &mut [u64], bits: &[u64], at: Option<usize>) {
    match at {
        Some(at) => {
            for (word, found) in union.iter_mut().zip(bits.get(at..).unwrap_or_default()) {
                *word |= found;
            }
        }
        None => union.fill(u64::MAX),
    }
}

/// Whether the operator of a rule can match a value whose prefilter bits start at
/// `literals`.
fn may_match(rule: &CompiledRule, bits: &[u64], literals: Option<usize>) -> bool {
    match (rule.prefilter_bit, literals) {
        (Some(bit), Some(start)) => {
            crate::operator::prefilter::admits(bits.get(start..).unwrap_or_default(), bit)
        }
        _ => true,
    }
}

/// The TX variables `capture` fills, group by group.
const CAPTURE_NAMES: [&[u8]; 10] = [b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9"];

/// The value `setvar:tx.name` (without `=`) sets, shared.
fn one() -> &'static Bytes {
    static ONE: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    ONE.get_or_init(|| bytes("1"))
}

/// One transformation's result, or `None` when it left the value as it was.
fn apply(transform: &Transform, current: &Bytes, context: &TransformContext<'_>) -> Option<Bytes> {
    changed(current, transform.apply(current, context))
}

/// A transformation's output as a value of its own, or `None` when it is the input.
fn changed(current: &Bytes, output: Cow<'_, [u8]>) -> Option<Bytes> {
    // A borrowed result may still be a shorter slice of the input (a transformation that
    // only drops trailing bytes): only the whole input means "unchanged".
    let next = match output {
        Cow::Borrowed(same) if same.len() == current.len() => return None,
        Cow::Borrowed(prefix) => bytes(prefix),
        Cow::Owned(next) => bytes(next),
    };
    (next[..] != current[..]).then_some(next)
}

fn match_message(rule: &CompiledRule, name: &str, value: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&value[..value.len().min(100)]).into_owned();
    format!(
        "Matched \"Operator `{}' against variable `{name}' (Value: `{shown}' )",
        rule.operator_text
    )
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimal_matches_to_string() {
        for n in [
            0,
            7,
            -7,
            10,
            255,
            256,
            -1,
            4_294_967_296,
            i64::MAX,
            i64::MIN,
            -100,
        ] {
            assert_eq!(&decimal(n)[..], n.to_string().as_bytes());
        }
    }
}
