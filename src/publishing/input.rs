//! The review input read from JSON (the admin API's bodies, front matter).

use chrono::Utc;
use serde_json::Value;

use crate::domain::review::Defaults;
use crate::domain::ReviewInput;
use crate::error::AppError;

/// Parses a JSON value into the input shape. A 422 names every wrong field: those of the wrong
/// type, and what validation finds in the rest.
pub fn input_from_value(value: Value) -> Result<ReviewInput, AppError> {
    let read = crate::domain::json::read::<ReviewInput>(value, crate::domain::review::SHAPES);
    let mut errors = read.errors;
    match read.value {
        Some(input) if errors.is_empty() => return Ok(input),
        Some(input) => {
            // The site's settings change no message that matters here.
            let english = crate::domain::Language::parse("en")
                .map_err(|_| AppError::Bug("en is a language"))?;
            let defaults = Defaults {
                language: &english,
                author: "",
                time_zone: chrono_tz::Tz::UTC,
            };
            if let Err(more) = input.parse(&defaults, Utc::now()) {
                for (field, message) in more.0 {
                    errors.add(field, message);
                }
            }
        }
        None => {}
    }
    Err(AppError::Validation(errors))
}
