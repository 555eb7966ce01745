//! Every stage of the real CRS suite builds into request bytes, and those bytes parse back,
//! except the few requests that are broken on purpose.

use rampart_harness::{raw, request, suite};

#[test]
fn every_suite_stage_builds_and_parses() {
    let dir = rampart_testkit::shared_dir().join("crs/v4.28.0/tests/regression/tests");
    let files = match suite::load_dir(&dir) {
        Ok(files) => files,
        Err(error) => panic!("loading {}: {error}", dir.display()),
    };
    let mut stages = 0;
    let mut parse_errors = Vec::new();
    for file in &files {
        for test in &file.tests {
            for stage in &test.stages {
                stages += 1;
                let bytes = match request::build(&stage.input) {
                    Ok(bytes) => bytes,
                    Err(error) => panic!("{}: {error}", test.id()),
                };
                if let Err(error) = raw::parse(&bytes) {
                    // A request the parser refuses is one a front-end answers with 400, and
                    // the suite must say so.
                    assert_eq!(stage.output.status, Some(400), "{}: {error}", test.id());
                    parse_errors.push(test.id());
                }
            }
        }
    }
    assert_eq!(stages, 5009);
    assert_eq!(
        parse_errors,
        [
            "920100-2",
            "920100-12",
            "920160-1",
            "920160-2",
            "920160-3",
            "920160-5",
            "921140-1"
        ]
    );
}
