//! Operators: the test a rule applies to each value.
pub mod rx;
