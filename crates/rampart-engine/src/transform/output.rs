//! An output buffer that stays a borrow of the input for as long as it has only repeated it.
//!
//! Most values a WAF sees are benign and come out of a decoder unchanged. ModSecurity's
//! decoders work in place over a copy; here each one writes into an [`Output`] instead, which
//! keeps no bytes of its own until the first byte that differs from the input at the same
//! position. A transformation that changes nothing therefore allocates nothing, and one that
//! only shortens its input (a trim, a truncation) still borrows.

use std::borrow::Cow;

/// Bytes being produced from `input`, borrowed while they are a prefix of it.
pub(super) struct Output<'a> {
    input: &'a [u8],
    /// While `owned` is `None`, the output is `input[..len]`.
    len: usize,
    owned: Option<Vec<u8>>,
}

impl<'a> Output<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Output {
            input,
            len: 0,
            owned: None,
        }
    }

    /// Appends one byte.
    #[inline]
    pub(super) fn push(&mut self, byte: u8) {
        match &mut self.owned {
            Some(bytes) => bytes.push(byte),
            None if self.input.get(self.len) == Some(&byte) => self.len += 1,
            None => self.diverge(byte),
        }
    }

    /// The first byte that differs from the input: from here on the output is its own.
    #[cold]
    fn diverge(&mut self, byte: u8) {
        let mut bytes = Vec::with_capacity(self.input.len().max(self.len + 1));
        bytes.extend_from_slice(self.prefix());
        bytes.push(byte);
        self.owned = Some(bytes);
    }

    /// Appends several bytes at once: a decoder copies the text between two escapes this
    /// way rather than byte by byte.
    pub(super) fn extend(&mut self, run: &[u8]) {
        match &mut self.owned {
            Some(bytes) => bytes.extend_from_slice(run),
            None => {
                let end = self.len + run.len();
                if self.input.get(self.len..end) == Some(run) {
                    self.len = end;
                } else {
                    let mut bytes = Vec::with_capacity(self.input.len().max(end));
                    bytes.extend_from_slice(self.prefix());
                    bytes.extend_from_slice(run);
                    self.owned = Some(bytes);
                }
            }
        }
    }

    /// The number of bytes produced so far.
    #[inline]
    pub(super) fn len(&self) -> usize {
        match &self.owned {
            Some(bytes) => bytes.len(),
            None => self.len,
        }
    }

    /// The byte at `index` of the output, if there is one.
    #[inline]
    pub(super) fn get(&self, index: usize) -> Option<u8> {
        match &self.owned {
            Some(bytes) => bytes.get(index).copied(),
            None if index < self.len => self.input.get(index).copied(),
            None => None,
        }
    }

    /// The last byte produced, if any.
    pub(super) fn last(&self) -> Option<u8> {
        self.len().checked_sub(1).and_then(|index| self.get(index))
    }

    /// Shortens the output to `len` bytes (no effect if it is not longer).
    pub(super) fn truncate(&mut self, len: usize) {
        match &mut self.owned {
            Some(bytes) => bytes.truncate(len),
            None => self.len = self.len.min(len),
        }
    }

    /// Cuts the output at its first NUL byte, as a C string copy of it would.
    pub(super) fn truncate_at_nul(&mut self) {
        let cut = match &self.owned {
            Some(bytes) => bytes.iter().position(|&b| b == 0),
            None => self.prefix().iter().position(|&b| b == 0),
        };
        if let Some(cut) = cut {
            self.truncate(cut);
        }
    }

    /// The result: borrowed from the input whenever it equals (a prefix of) it.
    pub(super) fn finish(self) -> Cow<'a, [u8]> {
        match self.owned {
            None => Cow::Borrowed(self.prefix()),
            Some(bytes) => owned_unless_same(self.input, bytes),
        }
    }

    fn prefix(&self) -> &'a [u8] {
        self.input.get(..self.len).unwrap_or(self.input)
    }
}

/// `bytes` as the result of transforming `input`, borrowing `input` when they are equal.
pub(super) fn owned_unless_same(input: &[u8], bytes: Vec<u8>) -> Cow<'_, [u8]> {
    if bytes == input {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_runs_borrow_until_the_output_differs() {
        let mut out = Output::new(b"ab%20cd");
        out.extend(b"ab");
        out.push(b' ');
        assert!(
            out.owned.is_some(),
            "a decoded escape is shorter than its text"
        );
        out.extend(b"cd");
        assert_eq!(&out.finish()[..], b"ab cd");
        let mut out = Output::new(b"abcd");
        out.extend(b"ab");
        out.extend(b"cd");
        assert!(matches!(out.finish(), Cow::Borrowed(b"abcd")));
        let mut out = Output::new(b"abcd");
        out.extend(b"ab");
        out.extend(b"xd");
        assert_eq!(&out.finish()[..], b"abxd");
    }

    #[test]
    fn repeating_the_input_borrows() {
        let mut out = Output::new(b"abc");
        out.extend(b"abc");
        assert!(matches!(out.finish(), Cow::Borrowed(b"abc")));
    }

    #[test]
    fn a_prefix_still_borrows() {
        let mut out = Output::new(b"abc");
        out.extend(b"ab");
        assert!(matches!(out.finish(), Cow::Borrowed(b"ab")));
    }

    #[test]
    fn the_first_difference_allocates_and_keeps_the_prefix() {
        let mut out = Output::new(b"abc");
        out.extend(b"aXc");
        assert_eq!(out.len(), 3);
        assert_eq!(out.get(1), Some(b'X'));
        let result = out.finish();
        assert!(matches!(result, Cow::Owned(_)));
        assert_eq!(&*result, b"aXc");
    }

    #[test]
    fn growing_past_the_input_allocates() {
        let mut out = Output::new(b"ab");
        out.extend(b"abc");
        assert_eq!(&*out.finish(), b"abc");
    }

    #[test]
    fn truncation_and_reads() {
        let mut out = Output::new(b"abcdef");
        out.extend(b"abcd");
        out.truncate(2);
        assert_eq!(out.last(), Some(b'b'));
        assert_eq!(out.get(2), None);
        out.push(b'z');
        assert_eq!(&*out.finish(), b"abz");
    }

    #[test]
    fn cut_at_nul() {
        let mut out = Output::new(b"a\0b");
        out.extend(b"a\0b");
        out.truncate_at_nul();
        assert!(matches!(out.finish(), Cow::Borrowed(b"a")));
        let mut out = Output::new(b"xyz");
        out.extend(b"q\0r");
        out.truncate_at_nul();
        assert_eq!(&*out.finish(), b"q");
    }

    #[test]
    fn an_owned_result_equal_to_the_input_is_returned_borrowed() {
        let mut out = Output::new(b"ab");
        out.push(b'x');
        out.truncate(0);
        out.extend(b"ab");
        assert!(matches!(out.finish(), Cow::Borrowed(b"ab")));
    }
}
