//! The Prometheus text exposition format 0.0.4, written straight into one `String`.
//!
//! Numbers stay integers until this point (counts, anomaly points, microseconds), so a value in
//! seconds is printed by placing a decimal point rather than by going through a float: the
//! output is exact, and `le` labels read `0.00001`, not `1.0000000000000001e-5`.

use std::fmt::Write;

/// What `# TYPE` says.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// The text being rendered.
pub(super) struct Text {
    out: String,
}

impl Text {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Text {
            out: String::with_capacity(capacity),
        }
    }

    pub(super) fn finish(self) -> String {
        self.out
    }

    /// `# HELP` then `# TYPE`, which precede a family's samples.
    pub(super) fn family(&mut self, name: &str, help: &str, kind: Kind) {
        self.out.push_str("# HELP ");
        self.out.push_str(name);
        self.out.push(' ');
        escape_help(&mut self.out, help);
        self.out.push_str("\n# TYPE ");
        self.out.push_str(name);
        self.out.push(' ');
        self.out.push_str(kind.name());
        self.out.push('\n');
    }

    /// Starts a sample line: the name and, when there are any, the labels.
    pub(super) fn start(&mut self, name: &str, labels: &[(&str, Label<'_>)]) {
        self.out.push_str(name);
        if let Some(((first_key, first_value), rest)) = labels.split_first() {
            self.out.push('{');
            self.label(first_key, *first_value);
            for (key, value) in rest {
                self.out.push(',');
                self.label(key, *value);
            }
            self.out.push('}');
        }
        self.out.push(' ');
    }

    fn label(&mut self, key: &str, value: Label<'_>) {
        self.out.push_str(key);
        self.out.push_str("=\"");
        match value {
            Label::Str(text) => escape_label_value(&mut self.out, text),
            Label::Int(number) => {
                let _ = write!(self.out, "{number}");
            }
            Label::Scaled(number, scale) => write_scaled(&mut self.out, number, scale),
            Label::PlusInf => self.out.push_str("+Inf"),
        }
        self.out.push('"');
    }

    /// A sample with an integer value.
    pub(super) fn int(&mut self, name: &str, labels: &[(&str, Label<'_>)], value: impl Into<i128>) {
        self.start(name, labels);
        let _ = writeln!(self.out, "{}", value.into());
    }

    /// A sample whose value is `value / scale` (`scale` a power of ten).
    pub(super) fn scaled(
        &mut self,
        name: &str,
        labels: &[(&str, Label<'_>)],
        value: i64,
        scale: u64,
    ) {
        self.start(name, labels);
        write_scaled(&mut self.out, value, scale);
        self.out.push('\n');
    }
}

/// A label value. Numbers are written as they are: only text needs escaping.
#[derive(Debug, Clone, Copy)]
pub(super) enum Label<'a> {
    Str(&'a str),
    Int(u64),
    /// `value / scale`, for `le` bounds.
    Scaled(i64, u64),
    PlusInf,
}

/// Label values escape backslash, double quote and line feed.
pub(super) fn escape_label_value(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// `# HELP` text escapes backslash and line feed (a double quote is literal there).
pub(super) fn escape_help(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Writes `value / scale` in decimal without trailing zeros; `scale` is 1 or a power of ten.
pub(super) fn write_scaled(out: &mut String, value: i64, scale: u64) {
    if value < 0 {
        out.push('-');
    }
    let magnitude = value.unsigned_abs();
    if scale <= 1 {
        let _ = write!(out, "{magnitude}");
        return;
    }
    let (whole, mut fraction) = (magnitude / scale, magnitude % scale);
    let _ = write!(out, "{whole}");
    if fraction == 0 {
        return;
    }
    let mut width = scale.ilog10() as usize;
    while fraction % 10 == 0 {
        fraction /= 10;
        width -= 1;
    }
    let _ = write!(out, ".{fraction:0width$}");
}
