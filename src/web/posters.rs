//! Posters as pages show them: an uploaded poster (its address names the largest size we
//! made) with its pixel size, a `srcset` of every size and a thumbnail for listings; any
//! other poster address as it is.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::db::images::{self, ImageRow};
use crate::db::DbError;
use crate::domain::Review;
use crate::urls::Urls;

/// An image as pages show it; an uploaded one knows its sizes.
#[derive(Debug, Clone, Default)]
pub struct Image {
    pub url: String,
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Every size, for `srcset` (empty: only `url`).
    pub srcset: String,
    /// The smallest size, for listings.
    pub thumb: String,
    pub thumb_width: Option<u32>,
    pub thumb_height: Option<u32>,
}

/// The uploaded posters of some reviews, by poster address.
pub struct Posters(HashMap<String, ImageRow>);

impl Posters {
    /// Looks up the uploaded posters of these reviews (one query).
    pub async fn of<'a>(
        pool: &PgPool,
        urls: &Urls,
        reviews: impl IntoIterator<Item = &'a Review>,
    ) -> Result<Self, DbError> {
        let names: Vec<String> = reviews
            .into_iter()
            .filter_map(|r| r.film.poster_url.as_ref())
            .filter_map(|u| urls.media_name(u.as_str()))
            .collect();
        let rows = images::by_largest(pool, &names).await?;
        Ok(Self(
            rows.into_iter()
                .filter_map(|row| Some((urls.media(&row.largest()?.name), row)))
                .collect(),
        ))
    }

    /// The review's poster as shown, if it has one.
    pub fn image(&self, r: &Review, urls: &Urls) -> Option<Image> {
        let url = r.film.poster_url.as_ref()?.to_string();
        let alt = r
            .film
            .poster_alt
            .clone()
            .unwrap_or_else(|| format!("Poster of {}", r.film.title));
        let Some(row) = self.0.get(&url) else {
            return Some(Image {
                thumb: url.clone(),
                url,
                alt,
                ..Image::default()
            });
        };
        let sizes = &row.variants.0;
        let largest = sizes.last()?;
        let smallest = sizes.first()?;
        let srcset = sizes
            .iter()
            .map(|s| format!("{} {}w", urls.media(&s.name), s.width))
            .collect::<Vec<_>>()
            .join(", ");
        Some(Image {
            url,
            alt,
            width: Some(largest.width),
            height: Some(largest.height),
            srcset,
            thumb: urls.media(&smallest.name),
            thumb_width: Some(smallest.width),
            thumb_height: Some(smallest.height),
        })
    }
}
