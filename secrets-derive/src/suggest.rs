//! Did-you-mean for a misspelt option or manifest key: the nearest candidate at most two
//! edits away.

use crate::symbol::Symbol;

/// The option `word` was probably meant to be: at most two edits (a swap counts as one) away.
pub(crate) fn closest(word: &str, options: &[Symbol]) -> Option<Symbol> {
    options
        .iter()
        .map(|o| (edit_distance(word, o.as_str()), *o))
        .filter(|(d, o)| *d <= 2 && *d < o.as_str().len().min(word.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbol::{CONTAINER_OPTIONS, ENVIRONMENT, FIELD_OPTIONS};

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("nmae", "name"), 1);
        assert_eq!(edit_distance("no-env", "no_env"), 1);
        assert_eq!(edit_distance("", "env"), 3);
        assert_eq!(closest("enviroment", CONTAINER_OPTIONS), Some(ENVIRONMENT));
        assert_eq!(closest("x", FIELD_OPTIONS), None);
    }
}
