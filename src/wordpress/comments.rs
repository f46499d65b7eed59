//! Writing a post's thread: its approved comments not imported before, each under its
//! nearest ancestor that is here and published (see [`super::thread`] for which come over).

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use uuid::Uuid;

use super::{posts, thread, Report, Run};
use crate::comments::{self, ImportInput};
use crate::db::comments::{self as stored, CommentRow};
use crate::db::wordpress_comments;
use crate::domain::wxr::Item;
use crate::domain::WebUrl;
use crate::error::AppError;

/// The post's approved comments not imported before, parents first, in the caller's
/// transaction.
pub(super) async fn import_thread(
    conn: &mut PgConnection,
    run: &Run<'_>,
    review: Uuid,
    item: &Item,
    report: &mut Report,
) -> Result<(), AppError> {
    let (site, offset) = (run.blog.key.as_str(), run.offset);
    let thread = thread::plan(&item.comments);
    for (why, n) in thread.left_out {
        *report.comments_left_out.entry(why).or_default() += n;
    }
    let ids: Vec<u64> = thread.ordered.iter().map(|p| p.comment.id).collect();
    let imported: HashMap<u64, Uuid> = wordpress_comments::imported(&mut *conn, site, &ids).await?;
    // Whether the comments imported before that new ones may answer are still shown (the
    // critic may have rejected or deleted one since).
    let parents: HashSet<u64> = thread.ordered.iter().filter_map(|p| p.parent).collect();
    let wanted: Vec<Uuid> = parents
        .iter()
        .filter_map(|p| imported.get(p).copied())
        .collect();
    let shown: HashSet<Uuid> = stored::get_many(&mut *conn, &wanted)
        .await?
        .into_iter()
        .filter(CommentRow::is_public)
        .map(|c| c.id)
        .collect();
    // Where an answer to each WordPress comment goes here: that comment when it is here and
    // shown, else where an answer to its parent goes (parents come first, so each is known
    // when asked, and the walk up is never repeated).
    let mut anchor: HashMap<u64, Option<Uuid>> = HashMap::new();
    let fallback_date = posts::utc(item.post_date_gmt, item.post_date, offset).unwrap_or(run.now);
    for planned in thread.ordered {
        let c = planned.comment;
        let above = planned
            .parent
            .and_then(|p| anchor.get(&p).copied().flatten());
        if let Some(&known) = imported.get(&c.id) {
            report.comments_skipped += 1;
            anchor.insert(c.id, Some(known).filter(|k| shown.contains(k)).or(above));
            continue;
        }
        let author = crate::content::clean_line(&posts::plain(&c.author), 200);
        let input = ImportInput {
            author_name: if author.is_empty() {
                "Anonymous".into()
            } else {
                author
            },
            // Kept only when it is a web address (a stranger typed it into a form).
            author_url: WebUrl::parse(&c.author_url).ok().map(|u| u.to_string()),
            date: posts::utc(c.date_gmt, c.date, offset).unwrap_or(fallback_date),
            content: crate::content::wordpress::comment_html(&c.content),
            parent: above,
        };
        match comments::import_in(conn, run.settings, review, &input).await {
            Ok(row) => {
                wordpress_comments::insert(conn, site, c.id, row.id).await?;
                anchor.insert(c.id, Some(row.id).filter(|_| row.is_public()).or(above));
                report.comments_imported += 1;
            }
            // Refused before anything was written (too long, say): reported, the rest goes on,
            // its answers under its own parent.
            Err(AppError::Validation(_)) => {
                *report
                    .comments_left_out
                    .entry("invalid".into())
                    .or_default() += 1;
                anchor.insert(c.id, above);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
