//! Which of a post's WordPress comments come over, and in what order: approved readers'
//! comments only, each under its nearest ancestor that came over, parents before their
//! answers (a walk over a queue, never recursion; a cycle in the file ends at the top level).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::domain::wxr::{Approval, Comment, CommentKind};

/// A comment to import and the WordPress id of the kept comment it answers.
#[derive(Debug)]
pub struct Planned<'a> {
    pub comment: &'a Comment,
    pub parent: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Thread<'a> {
    /// Parents before their answers.
    pub ordered: Vec<Planned<'a>>,
    /// Left out, by why: `pingback`, `trackback`, `pending`, `spam`, `trash`, `empty`, ….
    pub left_out: BTreeMap<String, usize>,
}

/// Why a comment is not imported, if it is not.
fn left_out(comment: &Comment) -> Option<&'static str> {
    match (&comment.kind, &comment.approved) {
        (CommentKind::Pingback, _) => Some("pingback"),
        (CommentKind::Trackback, _) => Some("trackback"),
        (CommentKind::Other(_), _) => Some("other_type"),
        (_, Approval::Pending) => Some("pending"),
        (_, Approval::Spam) => Some("spam"),
        (_, Approval::Trash) => Some("trash"),
        (_, Approval::Other(_)) => Some("unapproved"),
        _ if comment.content.trim().is_empty() => Some("empty"),
        (CommentKind::Comment, Approval::Approved) => None,
    }
}

pub fn plan(comments: &[Comment]) -> Thread<'_> {
    let mut thread = Thread::default();
    let parents: HashMap<u64, u64> = comments.iter().map(|c| (c.id, c.parent)).collect();
    let mut kept: Vec<&Comment> = Vec::new();
    for comment in comments {
        match left_out(comment) {
            Some(why) => *thread.left_out.entry(why.to_string()).or_default() += 1,
            None => kept.push(comment),
        }
    }
    let kept_ids: HashSet<u64> = kept.iter().map(|c| c.id).collect();
    let mut nearest = Nearest {
        parents: &parents,
        kept: &kept_ids,
        known: HashMap::new(),
    };
    kept.sort_by_key(|c| (c.date_gmt.or(c.date), c.id));
    let mut children: HashMap<Option<u64>, Vec<&Comment>> = HashMap::new();
    for comment in &kept {
        // A comment cannot answer itself (its ancestors answer each other in a circle).
        let above = nearest
            .at_or_above(comment.parent)
            .filter(|&a| a != comment.id);
        children.entry(above).or_default().push(comment);
    }
    let mut queue: VecDeque<Option<u64>> = VecDeque::from([None]);
    let mut placed: HashSet<u64> = HashSet::new();
    while let Some(parent) = queue.pop_front() {
        for comment in children.remove(&parent).unwrap_or_default() {
            if placed.insert(comment.id) {
                thread.ordered.push(Planned { comment, parent });
                queue.push_back(Some(comment.id));
            }
        }
    }
    // Comments whose ancestors answer each other in a circle: on the review itself.
    for comment in kept {
        if placed.insert(comment.id) {
            thread.ordered.push(Planned {
                comment,
                parent: None,
            });
        }
    }
    thread
}

/// The nearest kept comment at or above each comment, each found once: a walk up stops at
/// the first comment whose answer is known and gives it to every comment it passed, so a
/// chain of any length is walked once in all.
struct Nearest<'a> {
    parents: &'a HashMap<u64, u64>,
    kept: &'a HashSet<u64>,
    known: HashMap<u64, Option<u64>>,
}

impl Nearest<'_> {
    fn at_or_above(&mut self, start: u64) -> Option<u64> {
        let mut passed: Vec<u64> = Vec::new();
        let mut on_path: HashSet<u64> = HashSet::new();
        let mut at = start;
        let found = loop {
            if at == 0 {
                break None;
            }
            if self.kept.contains(&at) {
                break Some(at);
            }
            if let Some(&known) = self.known.get(&at) {
                break known;
            }
            // Not a comment of this file, or a circle of left-out comments: the top.
            let Some(&parent) = self.parents.get(&at) else {
                break None;
            };
            if !on_path.insert(at) {
                break None;
            }
            passed.push(at);
            at = parent;
        };
        for id in passed {
            self.known.insert(id, found);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u64, parent: u64, approved: Approval, kind: CommentKind) -> Comment {
        Comment {
            id,
            parent,
            approved,
            kind,
            content: format!("comment {id}"),
            ..Comment::default()
        }
    }

    #[test]
    fn left_out_parents_pass_their_answers_to_the_nearest_kept_ancestor() {
        let comments = [
            comment(4, 3, Approval::Approved, CommentKind::Comment),
            comment(1, 0, Approval::Approved, CommentKind::Comment),
            comment(2, 1, Approval::Spam, CommentKind::Comment),
            comment(3, 2, Approval::Approved, CommentKind::Comment),
            comment(5, 9, Approval::Approved, CommentKind::Comment),
            comment(6, 0, Approval::Approved, CommentKind::Pingback),
            comment(7, 0, Approval::Pending, CommentKind::Comment),
            comment(8, 7, Approval::Approved, CommentKind::Comment),
            // A circle.
            comment(10, 11, Approval::Approved, CommentKind::Comment),
            comment(11, 10, Approval::Approved, CommentKind::Comment),
        ];
        let thread = plan(&comments);
        let order: Vec<(u64, Option<u64>)> = thread
            .ordered
            .iter()
            .map(|p| (p.comment.id, p.parent))
            .collect();
        assert_eq!(
            order,
            [
                (1, None),
                (5, None),
                (8, None),
                (3, Some(1)),
                (4, Some(3)),
                (10, None),
                (11, None)
            ]
        );
        assert_eq!(thread.left_out.get("spam"), Some(&1));
        assert_eq!(thread.left_out.get("pingback"), Some(&1));
        assert_eq!(thread.left_out.get("pending"), Some(&1));
    }

    /// A chain of 200,000 held comments, each answered by an approved one: the walk up from
    /// each answer is not done again (it once took time quadratic in the chain's length).
    #[test]
    fn a_long_chain_of_left_out_comments_is_walked_once() {
        let n: u64 = 200_000;
        let mut comments = vec![comment(1, 0, Approval::Approved, CommentKind::Comment)];
        for id in 2..=n {
            comments.push(comment(id, id - 1, Approval::Pending, CommentKind::Comment));
            comments.push(comment(
                n + id,
                id,
                Approval::Approved,
                CommentKind::Comment,
            ));
        }
        // A circle of held comments, answered.
        comments.push(comment(
            3 * n,
            3 * n + 1,
            Approval::Spam,
            CommentKind::Comment,
        ));
        comments.push(comment(
            3 * n + 1,
            3 * n,
            Approval::Spam,
            CommentKind::Comment,
        ));
        comments.push(comment(
            3 * n + 2,
            3 * n,
            Approval::Approved,
            CommentKind::Comment,
        ));
        let thread = plan(&comments);
        assert_eq!(thread.ordered.len() as u64, n + 1);
        for planned in &thread.ordered {
            let expected = match planned.comment.id {
                1 => None,
                id if id == 3 * n + 2 => None,
                _ => Some(1),
            };
            assert_eq!(planned.parent, expected, "{}", planned.comment.id);
        }
    }
}
