//! The compiled rule set.
//!
//! Compilation turns the flat list of directives into chains of rules grouped by phase,
//! applies the load-time directives that edit earlier rules (`SecRuleRemove*`,
//! `SecRuleUpdate*`), and checks what only the whole set can tell: unique ids, chains that
//! close, `skipAfter` targets that exist. A rule set is immutable once built and is shared by
//! every transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use rampart_seclang::{
    Action, Configuration, Directive, DirectiveKind, Location, Operator, Phase, SourceMap, Spanned,
    Target, TargetUpdate,
};

use crate::byte_set::ByteSet;
use crate::config::EngineConfig;
use crate::error::{CompileError, CompileErrorKind};
use crate::operator::prefilter::Prefilter;
use crate::rule::{CompiledRule, Defaults, RuleMeta};

/// One rule of a chain: what it inspects, how, and what it does.
#[derive(Debug, Clone)]
pub struct RuleLink {
    /// Empty with no operator for `SecAction`.
    pub targets: Vec<Target>,
    pub operator: Option<Operator>,
    pub actions: Vec<Spanned<Action>>,
    pub location: Location,
}

/// A rule and the rules chained to it: it matches when every link matches.
#[derive(Debug, Clone)]
pub struct Chain {
    pub id: u64,
    pub phase: Phase,
    pub links: Vec<RuleLink>,
}

impl Chain {
    pub fn starter(&self) -> &RuleLink {
        &self.links[0]
    }

    fn tags(&self) -> impl Iterator<Item = String> + '_ {
        self.starter().actions.iter().filter_map(|a| match &a.node {
            Action::Tag(tag) => Some(tag.to_string()),
            _ => None,
        })
    }

    fn msg(&self) -> Option<String> {
        self.starter().actions.iter().find_map(|a| match &a.node {
            Action::Msg(msg) => Some(msg.to_string()),
            _ => None,
        })
    }
}

/// An element of the evaluation order: a rule chain or a `SecMarker`.
#[derive(Debug, Clone)]
pub enum Entry {
    Chain(Chain),
    Marker(String),
}

/// Counts that describe a rule set, as `rampart check` prints them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rules with an id: stand-alone rules and chain starters.
    pub rules: usize,
    /// Rules chained to another rule.
    pub chained: usize,
    pub markers: usize,
    /// Rules with an id, by phase number.
    pub by_phase: BTreeMap<u8, usize>,
    pub data_files: usize,
    /// Rules that load but cannot work fully here, with why (`file:line: message`).
    pub warnings: Vec<String>,
    /// Rules removed at load by `SecRuleRemoveBy*`.
    pub removed: usize,
    pub files: usize,
}

/// A chain ready to run: its metadata and its compiled links.
#[derive(Debug)]
pub(crate) struct ExecChain {
    pub meta: RuleMeta,
    pub links: Vec<CompiledRule>,
}

/// An element of a phase's evaluation order.
#[derive(Debug)]
pub(crate) enum PhaseItem {
    Chain(usize),
    Marker(String),
}

/// A compiled, immutable rule set.
#[derive(Debug)]
pub struct RuleSet {
    entries: Vec<Entry>,
    default_actions: BTreeMap<u8, Vec<Spanned<Action>>>,
    settings: Vec<rampart_seclang::Setting>,
    summary: Summary,
    pub(crate) chains: Vec<ExecChain>,
    /// Evaluation order per phase (index 0 is phase 1); markers appear in every phase.
    pub(crate) phases: [Vec<PhaseItem>; 5],
    pub(crate) defaults: [Defaults; 5],
    pub(crate) config: EngineConfig,
    pub(crate) prefilter: Option<Prefilter>,
    /// How many value sources the rules read (see [`CompiledRule::value_sources`]).
    pub(crate) value_sources: usize,
    /// Every tag a chain carries, numbered (see [`RuleMeta::tag_ids`]).
    tag_ids: HashMap<String, u32>,
    /// By tag number: the chains that carry the tag.
    pub(crate) tagged: Vec<Vec<u32>>,
}

impl RuleSet {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    pub fn settings(&self) -> &[rampart_seclang::Setting] {
        &self.settings
    }

    /// The number of a tag that some chain carries; `None` when no chain does.
    pub fn tag_id(&self, tag: &str) -> Option<u32> {
        self.tag_ids.get(tag).copied()
    }

    /// The engine settings the directives amount to.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The `SecDefaultAction` actions in force for a phase, if one was set.
    pub fn default_actions(&self, phase: Phase) -> Option<&[Spanned<Action>]> {
        self.default_actions.get(&phase.number()).map(Vec::as_slice)
    }

    /// Compiles a loaded configuration, or returns every problem found.
    pub fn compile(config: &Configuration) -> Result<Self, Vec<CompileError>> {
        let mut compiler = Compiler {
            sources: &config.sources,
            entries: Vec::new(),
            ids: HashMap::new(),
            default_actions: BTreeMap::new(),
            default_locations: HashMap::new(),
            settings: Vec::new(),
            setting_locations: Vec::new(),
            errors: Vec::new(),
            removed: 0,
        };
        compiler.run(&config.directives);
        compiler.check_markers();
        if !compiler.errors.is_empty() {
            return Err(compiler.errors);
        }
        let mut summary = Summary {
            data_files: config.data_file_count,
            removed: compiler.removed,
            files: config.sources.files().len(),
            ..Summary::default()
        };
        for entry in &compiler.entries {
            match entry {
                Entry::Chain(chain) => {
                    summary.rules += 1;
                    summary.chained += chain.links.len() - 1;
                    *summary.by_phase.entry(chain.phase.number()).or_default() += 1;
                }
                Entry::Marker(_) => summary.markers += 1,
            }
        }
        let mut config = EngineConfig::default();
        let mut errors = Vec::new();
        for (setting, location) in compiler.settings.iter().zip(&compiler.setting_locations) {
            if let Err(error) = config.apply(setting) {
                errors.push(CompileError {
                    location: location.clone(),
                    kind: CompileErrorKind::Setting(error.to_string()),
                });
            }
        }
        let mut chains = Vec::new();
        let mut phases: [Vec<PhaseItem>; 5] = Default::default();
        let mut tag_ids: HashMap<String, u32> = HashMap::new();
        let mut compiled = compile_links(&compiler.entries).into_iter();
        for entry in &compiler.entries {
            match entry {
                Entry::Chain(chain) => {
                    let mut links = Vec::with_capacity(chain.links.len());
                    for link in &chain.links {
                        let Some(result) = compiled.next() else {
                            break;
                        };
                        match result {
                            Ok(compiled) => {
                                if let Some(warning) =
                                    compiled.operator.as_ref().and_then(|o| o.warning())
                                {
                                    summary.warnings.push(format!(
                                        "{}:{}: rule {}: {warning}",
                                        link.location.file.display(),
                                        link.location.line,
                                        chain.id
                                    ));
                                }
                                links.push(compiled)
                            }
                            Err(error) => errors.push(CompileError {
                                location: link.location.clone(),
                                kind: CompileErrorKind::Rule(error.to_string()),
                            }),
                        }
                    }
                    let phase = usize::from(chain.phase.number() - 1);
                    phases[phase].push(PhaseItem::Chain(chains.len()));
                    let mut meta = RuleMeta::new(chain.id, chain.starter());
                    meta.tag_ids = meta
                        .tags
                        .iter()
                        .map(|tag| {
                            let next = u32::try_from(tag_ids.len()).unwrap_or(u32::MAX);
                            *tag_ids.entry(tag.clone()).or_insert(next)
                        })
                        .collect();
                    chains.push(ExecChain { meta, links });
                }
                Entry::Marker(name) => {
                    for phase in &mut phases {
                        phase.push(PhaseItem::Marker(name.clone()));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut defaults: [Defaults; 5] = Default::default();
        for (phase, actions) in &compiler.default_actions {
            if let Some(slot) = defaults.get_mut(usize::from(phase.saturating_sub(1))) {
                *slot = Defaults::compile(actions);
            }
        }
        let mut chain_ids: HashMap<Vec<rampart_seclang::Transformation>, u32> = HashMap::new();
        for (phase, items) in phases.iter().enumerate() {
            for item in items {
                let PhaseItem::Chain(index) = item else {
                    continue;
                };
                for link in &mut chains[*index].links {
                    let mut effective = Vec::new();
                    if link.default_transforms {
                        effective.extend(defaults[phase].transforms.iter().copied());
                    }
                    effective.extend(link.transforms.iter().copied());
                    let names: Vec<_> = effective.iter().map(|t| t.transformation).collect();
                    let next = u32::try_from(chain_ids.len()).unwrap_or(u32::MAX);
                    link.chain_id = *chain_ids.entry(names).or_insert(next);
                    link.chain_triggers = effective
                        .iter()
                        .try_fold(ByteSet::default(), |all, t| Some(all.union(t.triggers()?)));
                    link.case_free_triggers = effective
                        .iter()
                        .filter(|t| t.transformation != rampart_seclang::Transformation::Lowercase)
                        .try_fold(ByteSet::default(), |all, t| Some(all.union(t.triggers()?)));
                    link.effective = effective;
                }
            }
        }
        let (prefilter, value_sources) = build_prefilter(&mut chains);
        let mut tagged: Vec<Vec<u32>> = vec![Vec::new(); tag_ids.len()];
        for (index, chain) in chains.iter().enumerate() {
            for &tag in chain.meta.tag_ids.iter() {
                if let (Some(list), Ok(index)) =
                    (tagged.get_mut(tag as usize), u32::try_from(index))
                {
                    list.push(index);
                }
            }
        }
        Ok(RuleSet {
            entries: compiler.entries,
            default_actions: compiler.default_actions,
            settings: compiler.settings,
            summary,
            chains,
            phases,
            tag_ids,
            tagged,
            defaults,
            config,
            prefilter,
            value_sources,
        })
    }
}

/// Compiles every rule link, in order, on as many threads as the machine has cores (up to
/// eight): regular expressions dominate the time a rule set takes to load.
fn compile_links(entries: &[Entry]) -> Vec<Result<CompiledRule, crate::rule::RuleError>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let links: Vec<&RuleLink> = entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Chain(chain) => Some(chain.links.iter()),
            Entry::Marker(_) => None,
        })
        .flatten()
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8)
        .min(links.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(link) = links.get(index) else {
                return done;
            };
            done.push((index, CompiledRule::compile(link)));
        }
    };
    let mut results: Vec<(usize, Result<CompiledRule, crate::rule::RuleError>)> =
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut all = work();
            for helper in helpers {
                // A helper that panicked left its links out; they are compiled again below.
                if let Ok(done) = helper.join() {
                    all.extend(done);
                }
            }
            all
        });
    results.sort_by_key(|(index, _)| *index);
    let mut ordered = Vec::with_capacity(links.len());
    let mut results = results.into_iter().peekable();
    for (index, link) in links.iter().enumerate() {
        match results.next_if(|(i, _)| *i == index) {
            Some((_, result)) => ordered.push(result),
            None => ordered.push(CompiledRule::compile(link)),
        }
    }
    ordered
}

/// The [`Prefilter`] over the required literals of every rule that has them; gives each
/// such rule its bit.
fn build_prefilter(chains: &mut [ExecChain]) -> (Option<Prefilter>, usize) {
    let mut sets: Vec<Vec<Vec<u8>>> = Vec::new();
    for link in chains.iter_mut().flat_map(|chain| chain.links.iter_mut()) {
        let Some(literals) = link.literals.take() else {
            continue;
        };
        link.prefilter_bit = u32::try_from(sets.len()).ok();
        sets.push(literals);
    }
    let prefilter = (!sets.is_empty()).then(|| Prefilter::new(&sets)).flatten();
    if prefilter.is_none() {
        // No automaton (none needed, or it could not be built): every rule runs.
        for link in chains.iter_mut().flat_map(|chain| chain.links.iter_mut()) {
            link.prefilter_bit = None;
        }
    }
    let sources = assign_value_sources(chains);
    (prefilter, sources)
}

/// Gives each prefiltered rule the ids of its value sources: one per target, shared by every
/// rule that reads the same target (as written) through the same transformations, when the
/// target's values cannot change within a phase. A negated rule matches where its literals
/// are absent, so it is never ruled out and gets none. A `multiMatch` rule's operator also
/// sees the values part-way through its transformations, so its sources only serve where
/// the transformations change no value beyond ASCII case.
fn assign_value_sources(chains: &mut [ExecChain]) -> usize {
    let mut sources: HashMap<String, u32> = HashMap::new();
    for link in chains.iter_mut().flat_map(|chain| chain.links.iter_mut()) {
        let eligible = link.prefilter_bit.is_some()
            && link.reads_in_place
            && !link.negated
            && link
                .targets
                .iter()
                .all(|t| crate::rule::is_fixed_within_phase(t.variable));
        if !eligible {
            continue;
        }
        let mut id_of = |reads: String| {
            let next = u32::try_from(sources.len()).unwrap_or(u32::MAX);
            *sources.entry(reads).or_insert(next)
        };
        let ids = link
            .targets
            .iter()
            .map(|target| crate::rule::ValueSource {
                transformed: id_of(format!(
                    "{} {} {target:?}",
                    link.chain_id,
                    if link.multi_match { "stages" } else { "result" }
                )),
                stored: id_of(format!("stored {target:?}")),
            })
            .collect();
        link.value_sources = Some(ids);
    }
    sources.len()
}

struct Compiler<'a> {
    sources: &'a SourceMap,
    entries: Vec<Entry>,
    /// Where each live rule id was defined.
    ids: HashMap<u64, Location>,
    default_actions: BTreeMap<u8, Vec<Spanned<Action>>>,
    default_locations: HashMap<u8, Location>,
    settings: Vec<rampart_seclang::Setting>,
    setting_locations: Vec<Location>,
    errors: Vec<CompileError>,
    removed: usize,
}

impl Compiler<'_> {
    fn error(&mut self, location: Location, kind: CompileErrorKind) {
        self.errors.push(CompileError { location, kind });
    }

    fn run<'d>(&mut self, directives: &'d [Directive]) {
        let mut open: Option<(Chain, rampart_seclang::FileId, Location)> = None;
        let mut edits: Vec<(&'d DirectiveKind, Location)> = Vec::new();
        for directive in directives {
            let location = self.sources.locate(directive.span);
            let link = match &directive.kind {
                DirectiveKind::Rule(rule) => Some(RuleLink {
                    targets: rule.targets.clone(),
                    operator: Some(rule.operator.clone()),
                    actions: rule.actions.clone(),
                    location: location.clone(),
                }),
                DirectiveKind::Action(actions) => Some(RuleLink {
                    targets: Vec::new(),
                    operator: None,
                    actions: actions.clone(),
                    location: location.clone(),
                }),
                _ => None,
            };
            if let Some((mut chain, file, chain_at)) = open.take() {
                match link {
                    Some(link) if directive.span.file == file => {
                        self.check_chained_link(&link);
                        let continues = has(&link.actions, |a| matches!(a, Action::Chain));
                        chain.links.push(link);
                        if continues {
                            open = Some((chain, file, location));
                        } else {
                            self.push_chain(chain);
                        }
                        continue;
                    }
                    Some(_) => self.error(chain_at, CompileErrorKind::ChainEndsFile),
                    None => self.error(
                        chain_at,
                        CompileErrorKind::ChainNotFollowed {
                            found: describe(&directive.kind),
                        },
                    ),
                }
            }
            match (&directive.kind, link) {
                (_, Some(link)) => {
                    let continues = has(&link.actions, |a| matches!(a, Action::Chain));
                    let Some(chain) = self.start_chain(link) else {
                        continue;
                    };
                    if continues {
                        open = Some((chain, directive.span.file, location));
                    } else {
                        self.push_chain(chain);
                    }
                }
                (DirectiveKind::Marker(name), None) => {
                    self.entries.push(Entry::Marker(name.clone()))
                }
                (DirectiveKind::DefaultAction(actions), None) => {
                    self.default_action(actions, location)
                }
                (
                    DirectiveKind::RemoveById(_)
                    | DirectiveKind::RemoveByTag(_)
                    | DirectiveKind::RemoveByMsg(_)
                    | DirectiveKind::UpdateTargetById(..)
                    | DirectiveKind::UpdateTargetByTag(..)
                    | DirectiveKind::UpdateTargetByMsg(..)
                    | DirectiveKind::UpdateActionById(..),
                    None,
                ) => edits.push((&directive.kind, location)),
                (DirectiveKind::Setting(setting), None) => {
                    self.settings.push(setting.clone());
                    self.setting_locations.push(location);
                }
                (DirectiveKind::Rule(_) | DirectiveKind::Action(_), None) => {}
            }
        }
        if let Some((_, _, chain_at)) = open {
            self.error(chain_at, CompileErrorKind::ChainEndsFile);
        }
        for (kind, location) in edits {
            self.edit(kind, location);
        }
    }

    /// Applies a rule-editing directive. As in ModSecurity v3, these act on the whole rule set
    /// whatever their position in the files, so they run after every rule is loaded.
    fn edit(&mut self, kind: &DirectiveKind, location: Location) {
        match kind {
            DirectiveKind::RemoveById(ranges) => {
                self.remove(|chain| ranges.iter().any(|r| r.contains(chain.id)))
            }
            DirectiveKind::RemoveByTag(tag) => self.remove(|chain| chain.tags().any(|t| t == *tag)),
            DirectiveKind::RemoveByMsg(msg) => {
                self.remove(|chain| chain.msg().as_deref() == Some(msg.as_str()))
            }
            DirectiveKind::UpdateTargetById(ranges, update) => {
                self.update_targets(update, |chain| ranges.iter().any(|r| r.contains(chain.id)))
            }
            DirectiveKind::UpdateTargetByTag(tag, update) => {
                self.update_targets(update, |chain| chain.tags().any(|t| t == *tag))
            }
            DirectiveKind::UpdateTargetByMsg(msg, update) => {
                self.update_targets(update, |chain| chain.msg().as_deref() == Some(msg.as_str()))
            }
            DirectiveKind::UpdateActionById(id, actions) => {
                self.update_actions(*id, actions, location)
            }
            _ => {}
        }
    }

    fn start_chain(&mut self, link: RuleLink) -> Option<Chain> {
        self.check_single_disruptive(&link);
        let id = link.actions.iter().find_map(|a| match a.node {
            Action::Id(id) => Some(id),
            _ => None,
        });
        let Some(id) = id else {
            self.error(link.location.clone(), CompileErrorKind::MissingId);
            return None;
        };
        if let Some(first) = self.ids.get(&id) {
            let first = first.clone();
            self.error(
                link.location.clone(),
                CompileErrorKind::DuplicateId { id, first },
            );
            return None;
        }
        self.ids.insert(id, link.location.clone());
        let phase = link
            .actions
            .iter()
            .rev()
            .find_map(|a| match a.node {
                Action::Phase(phase) => Some(phase),
                _ => None,
            })
            .unwrap_or(Phase::RequestBody);
        Some(Chain {
            id,
            phase,
            links: vec![link],
        })
    }

    fn push_chain(&mut self, chain: Chain) {
        self.entries.push(Entry::Chain(chain));
    }

    fn check_chained_link(&mut self, link: &RuleLink) {
        for action in &link.actions {
            let forbidden = match &action.node {
                Action::Id(_) => Some("id"),
                Action::Phase(_) => Some("phase"),
                Action::Skip(_) => Some("skip"),
                Action::SkipAfter(_) => Some("skipAfter"),
                a if a.is_disruptive() => Some(a.name().name()),
                _ => None,
            };
            if let Some(action_name) = forbidden {
                self.error(
                    self.sources.locate(action.span),
                    CompileErrorKind::StarterOnly {
                        action: action_name,
                    },
                );
            }
        }
    }

    fn check_single_disruptive(&mut self, link: &RuleLink) {
        let mut disruptive = link.actions.iter().filter(|a| a.node.is_disruptive());
        if let (Some(first), Some(second)) = (disruptive.next(), disruptive.next()) {
            // ModSecurity keeps the last one; CRS never writes two, so say so.
            self.error(
                self.sources.locate(second.span),
                CompileErrorKind::TwoDisruptive {
                    first: first.node.name().name(),
                    second: second.node.name().name(),
                },
            );
        }
    }

    fn default_action(&mut self, actions: &[Spanned<Action>], location: Location) {
        for action in actions {
            let metadata = match action.node {
                Action::Id(_) => Some("id"),
                Action::Rev(_) => Some("rev"),
                Action::Ver(_) => Some("ver"),
                Action::Msg(_) => Some("msg"),
                Action::Maturity(_) => Some("maturity"),
                Action::Accuracy(_) => Some("accuracy"),
                Action::Chain => Some("chain"),
                Action::Skip(_) => Some("skip"),
                Action::SkipAfter(_) => Some("skipAfter"),
                _ => None,
            };
            if let Some(action_name) = metadata {
                self.error(
                    self.sources.locate(action.span),
                    CompileErrorKind::DefaultActionMetadata {
                        action: action_name,
                    },
                );
            }
        }
        if !actions.iter().any(|a| a.node.is_disruptive()) {
            self.error(
                location.clone(),
                CompileErrorKind::DefaultActionWithoutDisruptive,
            );
        }
        let Some(phase) = actions.iter().find_map(|a| match a.node {
            Action::Phase(phase) => Some(phase.number()),
            _ => None,
        }) else {
            self.error(location, CompileErrorKind::DefaultActionWithoutPhase);
            return;
        };
        if let Some(first) = self.default_locations.get(&phase) {
            let first = first.clone();
            self.error(
                location,
                CompileErrorKind::DuplicateDefaultAction { phase, first },
            );
            return;
        }
        self.default_locations.insert(phase, location);
        self.default_actions.insert(phase, actions.to_vec());
    }

    fn remove(&mut self, mut doomed: impl FnMut(&Chain) -> bool) {
        let before = self.entries.len();
        self.entries
            .retain(|entry| !matches!(entry, Entry::Chain(chain) if doomed(chain)));
        self.removed += before - self.entries.len();
    }

    fn chains_mut(&mut self) -> impl Iterator<Item = &mut Chain> {
        self.entries.iter_mut().filter_map(|entry| match entry {
            Entry::Chain(chain) => Some(chain),
            Entry::Marker(_) => None,
        })
    }

    fn update_targets(&mut self, update: &TargetUpdate, mut selected: impl FnMut(&Chain) -> bool) {
        for chain in self.chains_mut() {
            if !selected(chain) {
                continue;
            }
            let starter = &mut chain.links[0];
            if let Some(replacing) = &update.replacing {
                starter.targets.retain(|t| !replacing.contains(t));
            }
            for target in &update.targets {
                if !starter.targets.contains(target) {
                    starter.targets.push(target.clone());
                }
            }
        }
    }

    fn update_actions(&mut self, id: u64, actions: &[Spanned<Action>], location: Location) {
        for action in actions {
            let forbidden = match action.node {
                Action::Id(_) => Some("id"),
                Action::Phase(_) => Some("phase"),
                Action::Chain => Some("chain"),
                _ => None,
            };
            if let Some(action_name) = forbidden {
                self.error(
                    self.sources.locate(action.span),
                    CompileErrorKind::UpdateForbidden {
                        action: action_name,
                    },
                );
                return;
            }
        }
        let Some(chain) = self.chains_mut().find(|chain| chain.id == id) else {
            self.error(location, CompileErrorKind::UpdateUnknownRule { id });
            return;
        };
        let starter = &mut chain.links[0];
        for action in actions {
            let replaces_kind = action.node.is_disruptive()
                || !matches!(
                    action.node,
                    Action::Tag(_)
                        | Action::SetVar(_)
                        | Action::Ctl(_)
                        | Action::Transformation(_)
                        | Action::InitCol(_)
                        | Action::ExpireVar(_)
                );
            if replaces_kind {
                let same = |a: &Spanned<Action>| {
                    a.node.name() == action.node.name()
                        || (action.node.is_disruptive() && a.node.is_disruptive())
                };
                starter.actions.retain(|a| !same(a));
            }
            starter.actions.push(action.clone());
        }
    }

    fn check_markers(&mut self) {
        let markers: HashSet<&str> = self
            .entries
            .iter()
            .filter_map(|entry| match entry {
                Entry::Marker(name) => Some(name.as_str()),
                Entry::Chain(_) => None,
            })
            .collect();
        let mut missing = Vec::new();
        for entry in &self.entries {
            let Entry::Chain(chain) = entry else { continue };
            for link in &chain.links {
                for action in &link.actions {
                    if let Action::SkipAfter(marker) = &action.node {
                        let is_rule = marker
                            .parse::<u64>()
                            .is_ok_and(|id| self.ids.contains_key(&id));
                        if !markers.contains(&**marker) && !is_rule {
                            let suggestion =
                                rampart_seclang::closest(marker, markers.iter().copied())
                                    .map(str::to_string);
                            missing.push(CompileError {
                                location: self.sources.locate(action.span),
                                kind: CompileErrorKind::UnknownMarker {
                                    marker: marker.to_string(),
                                    suggestion,
                                },
                            });
                        }
                    }
                }
            }
        }
        self.errors.extend(missing);
    }
}

fn has(actions: &[Spanned<Action>], predicate: impl Fn(&Action) -> bool) -> bool {
    actions.iter().any(|a| predicate(&a.node))
}

fn describe(kind: &DirectiveKind) -> &'static str {
    match kind {
        DirectiveKind::Marker(_) => "a SecMarker",
        DirectiveKind::DefaultAction(_) => "a SecDefaultAction",
        DirectiveKind::Setting(_) => "an engine setting",
        _ => "a rule-editing directive",
    }
}
