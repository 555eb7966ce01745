//! Loads configuration files in order and prints them back as canonical SecLang, or prints
//! the errors: `cargo run -p rampart-seclang --example load -- FILE...`.
fn main() {
    let mut loader = rampart_seclang::Loader::new();
    for path in std::env::args().skip(1) {
        loader.load_file(path);
    }
    match loader.finish() {
        Ok(config) => {
            for directive in &config.directives {
                println!("{directive}");
            }
        }
        Err(errors) => eprintln!("{errors}"),
    }
}
