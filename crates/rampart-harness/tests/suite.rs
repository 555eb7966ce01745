//! The real CRS regression suite loads completely, with the counts CRS documents.

use rampart_harness::suite;

#[test]
fn loads_the_whole_crs_suite() {
    let dir = rampart_testkit::shared_dir().join("crs/v4.28.0/tests/regression/tests");
    let files = match suite::load_dir(&dir) {
        Ok(files) => files,
        Err(error) => panic!("loading {}: {error}", dir.display()),
    };
    assert_eq!(files.len(), 322);
    let tests: usize = files.iter().map(|f| f.tests.len()).sum();
    assert_eq!(tests, 5003);

    // Sorted by path, and every test id unique.
    assert!(files.windows(2).all(|w| w[0].path < w[1].path));
    let mut ids: Vec<String> = files
        .iter()
        .flat_map(|f| f.tests.iter().map(suite::Test::id))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5003);
}
