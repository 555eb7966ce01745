//! The harness pipeline over the real suite, minus the engine: every `/reflect` request gets
//! the answer its document names, and every expectation in the suite can be checked.

use rampart_harness::expect::{self, Observed, Verdict};
use rampart_harness::{raw, reflect, request, suite};

fn load() -> Result<Vec<suite::TestFile>, suite::Error> {
    suite::load_dir(&rampart_testkit::shared_dir().join("crs/v4.28.0/tests/regression/tests"))
}

#[test]
fn reflect_requests_get_the_responses_they_name() {
    let mut reflected = 0;
    let mut invalid_json = Vec::new();
    let files = match load() {
        Ok(files) => files,
        Err(error) => panic!("{error}"),
    };
    for file in files {
        for test in &file.tests {
            for stage in &test.stages {
                let Ok(bytes) = request::build(&stage.input) else {
                    panic!("{}: build failed", test.id());
                };
                let Ok(parsed) = raw::parse(&bytes) else {
                    continue;
                };
                if !parsed.uri.starts_with(b"/reflect") {
                    continue;
                }
                reflected += 1;
                let response = reflect::respond(&parsed.method, &parsed.uri, &parsed.body);
                if response.status == 400 {
                    invalid_json.push(test.id());
                    continue;
                }
                assert_eq!(response.status, 200, "{}", test.id());
                // The suite's documents name a plain `body` (or nothing): it comes back.
                let document = String::from_utf8_lossy(&parsed.body);
                if document.contains("\"body\"") {
                    assert!(!response.body.is_empty(), "{}: empty body", test.id());
                }
            }
        }
    }
    assert_eq!(reflected, 87);
    // 956110-4 posts a template, not JSON, on purpose.
    assert_eq!(invalid_json, ["956110-4"]);
}

#[test]
fn every_expectation_in_the_suite_can_be_checked() {
    // With a log line that matches none of the suite's patterns and no ids logged, a verdict is
    // pass or fail, never "unsupported": every regex in the suite is within the subset.
    let log = "nothing to see";
    let response = b"HTTP/1.1 200 OK\r\n\r\n";
    let files = match load() {
        Ok(files) => files,
        Err(error) => panic!("{error}"),
    };
    for file in files {
        for test in &file.tests {
            for stage in &test.stages {
                let observed = Observed {
                    logged_ids: &[],
                    status: Some(200),
                    log: Some(log),
                    response: Some(response),
                    error: None,
                };
                let verdict = expect::check(&stage.output, &observed);
                assert!(
                    !matches!(verdict, Verdict::Unsupported(_)),
                    "{}: {verdict}",
                    test.id()
                );
                if let Verdict::Fail(reasons) = &verdict {
                    assert!(
                        reasons.iter().all(|r| !r.starts_with("unchecked")),
                        "{}: {verdict}",
                        test.id()
                    );
                }
            }
        }
    }
}
