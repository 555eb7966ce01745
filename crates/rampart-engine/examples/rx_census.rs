//! Lists the `@rx` patterns of a configuration that the linear-time engine cannot compile.
//! `cargo run -p rampart-engine --example rx_census -- FILE...`
use rampart_engine::operator::rx::RxMatcher;
use rampart_seclang::{Argument, DirectiveKind, Loader, OperatorName};

fn main() {
    let mut loader = Loader::new();
    for path in std::env::args().skip(1) {
        loader.load_file(path);
    }
    let Ok(config) = loader.finish() else {
        eprintln!("load failed");
        return;
    };
    let (mut total, mut failed) = (0, 0);
    for directive in &config.directives {
        if let DirectiveKind::Rule(rule) = &directive.kind {
            if rule.operator.name != OperatorName::Rx {
                continue;
            }
            let Argument::Text(text) = &rule.operator.argument else {
                continue;
            };
            let Some(pattern) = text.as_literal() else {
                continue;
            };
            total += 1;
            if let Err(error) = RxMatcher::new(pattern) {
                failed += 1;
                let first = error.0.lines().last().unwrap_or_default().to_string();
                println!(
                    "line {}: {first}\n    {}",
                    directive.span.line,
                    &pattern[..pattern.len().min(150)]
                );
            }
        }
    }
    println!("{failed} of {total} literal @rx patterns do not compile");
}
