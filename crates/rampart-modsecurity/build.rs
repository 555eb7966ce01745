//! Links libmodsecurity, and only when the `modsecurity` feature is on: without it the crate
//! has no C code to link and the build needs no C library at all.
//!
//! The flags come from `pkg-config --libs modsecurity` (Debian's `libmodsecurity-dev` ships
//! `modsecurity.pc`). It is a plain `Command`, not the `pkg-config` crate: two flags to read do
//! not justify a dependency. A missing pkg-config, a missing library or a version other than
//! 3.x stops the build with a message that says what to install.

use std::process::{exit, Command};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_MODSECURITY");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_SYSROOT_DIR");
    if std::env::var_os("CARGO_FEATURE_MODSECURITY").is_none() {
        return;
    }
    let version = pkg_config(&["--modversion", "modsecurity"]);
    if !version.trim().starts_with("3.") {
        fail(&format!(
            "pkg-config reports libmodsecurity {}, but the declarations in \
             rampart-modsecurity are written for the v3 C API (checked against 3.0.9)",
            version.trim()
        ));
    }
    let libs = pkg_config(&["--libs", "modsecurity"]);
    let mut linked = false;
    for flag in libs.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={lib}");
            linked |= lib == "modsecurity";
        }
    }
    if !linked {
        // Some .pc files leave the library itself out of --libs when it sits in a default
        // directory; the C API lives in it either way.
        println!("cargo:rustc-link-lib=modsecurity");
    }
}

fn pkg_config(args: &[&str]) -> String {
    let output = match Command::new("pkg-config").args(args).output() {
        Ok(output) => output,
        Err(err) => fail(&format!(
            "could not run pkg-config ({err}); install it (Debian: apt-get install pkg-config)"
        )),
    };
    if !output.status.success() {
        fail(&format!(
            "`pkg-config {}` failed: {}libmodsecurity v3 and its development files are \
             needed for the `modsecurity` feature (Debian: apt-get install libmodsecurity-dev)",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fail(message: &str) -> ! {
    eprintln!("error: rampart-modsecurity with the `modsecurity` feature: {message}");
    exit(1);
}
