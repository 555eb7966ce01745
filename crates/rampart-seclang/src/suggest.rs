//! "Did you mean …?" for misspelt names.

/// The candidate closest to `name` (case-insensitively), if it is close enough to be a
/// plausible typo rather than a different word.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = name.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&lowered, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let budget = (name.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= budget).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_rejects_strangers() {
        let names = ["SecRule", "SecAction", "SecMarker"];
        assert_eq!(closest("SecRul", names), Some("SecRule"));
        assert_eq!(closest("secaction", names), Some("SecAction"));
        assert_eq!(closest("Listen", names), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
