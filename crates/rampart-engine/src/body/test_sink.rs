//! A [`BodySink`] that records every call, for the processors' tests.

use std::collections::BTreeMap;

use rampart_seclang::Variable;

use super::BodySink;

/// Records arguments, scalars and members in the order they arrive.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct TestSink {
    /// Every accepted argument.
    pub arguments: Vec<(Vec<u8>, Vec<u8>)>,
    /// The last value of each scalar.
    pub scalars: BTreeMap<Variable, Vec<u8>>,
    /// Every member added, per collection.
    pub members: Vec<(Variable, Vec<u8>, Vec<u8>)>,
    /// How many arguments `add_argument` accepts (`SecArgumentsLimit`); 0 means no limit.
    pub argument_limit: usize,
}

impl TestSink {
    pub(crate) fn with_argument_limit(limit: usize) -> TestSink {
        TestSink {
            argument_limit: limit,
            ..TestSink::default()
        }
    }

    pub(crate) fn argument_strings(&self) -> Vec<(String, String)> {
        self.arguments
            .iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect()
    }

    pub(crate) fn scalar(&self, variable: Variable) -> Option<&str> {
        self.scalars
            .get(&variable)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The members of one collection, as strings.
    pub(crate) fn members_of(&self, variable: Variable) -> Vec<(String, String)> {
        self.members
            .iter()
            .filter(|(v, _, _)| *v == variable)
            .map(|(_, k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect()
    }
}

impl BodySink for TestSink {
    fn add_argument(&mut self, name: &[u8], value: &[u8]) -> bool {
        if self.argument_limit != 0 && self.arguments.len() >= self.argument_limit {
            return false;
        }
        self.arguments.push((name.to_vec(), value.to_vec()));
        true
    }

    fn set_scalar(&mut self, variable: Variable, value: &[u8]) {
        self.scalars.insert(variable, value.to_vec());
    }

    fn add_member(&mut self, variable: Variable, key: &[u8], value: &[u8]) {
        self.members.push((variable, key.to_vec(), value.to_vec()));
    }
}
