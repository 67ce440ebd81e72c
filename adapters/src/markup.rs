//! firebell's light Markdown (`*bold*`, `` `code` ``, the only markup a [`Reply`] carries), split
//! into what each surface draws its own way: ANSI on the console, Markdown on Discord.
//!
//! [`Reply`]: firebell_commands::Reply

/// Where a piece of text stands relative to a pair of markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marked {
    /// Outside any pair.
    Outside,
    /// Between a pair (`*this*`).
    Inside,
    /// After a last marker that has no partner: shown as typed, marker included.
    Unclosed,
}

/// `text` split at `marker`, each piece with where it stands.
pub(crate) fn split_marked(text: &str, marker: char) -> impl Iterator<Item = (Marked, &str)> {
    let parts: Vec<&str> = text.split(marker).collect();
    let (count, closed) = (parts.len(), parts.len() % 2 == 1);
    parts.into_iter().enumerate().map(move |(k, part)| {
        let marked = if k % 2 == 0 {
            Marked::Outside
        } else if !closed && k == count - 1 {
            Marked::Unclosed
        } else {
            Marked::Inside
        };
        (marked, part)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_inside_and_a_lone_marker_leaves_the_rest_unclosed() {
        let pieces: Vec<_> = split_marked("a *b* c *d", '*').collect();
        assert_eq!(
            pieces,
            vec![
                (Marked::Outside, "a "),
                (Marked::Inside, "b"),
                (Marked::Outside, " c "),
                (Marked::Unclosed, "d"),
            ]
        );
        assert_eq!(
            split_marked("plain", '`').collect::<Vec<_>>(),
            vec![(Marked::Outside, "plain")]
        );
    }
}
