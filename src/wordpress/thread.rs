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
    // The nearest kept ancestor, walking up at most as many steps as there are comments.
    let ancestor = |comment: &Comment| -> Option<u64> {
        let mut at = comment.parent;
        for _ in 0..=comments.len() {
            if at == 0 || at == comment.id {
                return None;
            }
            if kept_ids.contains(&at) {
                return Some(at);
            }
            at = parents.get(&at).copied().unwrap_or(0);
        }
        None
    };
    kept.sort_by_key(|c| (c.date_gmt.or(c.date), c.id));
    let mut children: HashMap<Option<u64>, Vec<&Comment>> = HashMap::new();
    for comment in &kept {
        children.entry(ancestor(comment)).or_default().push(comment);
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
}
