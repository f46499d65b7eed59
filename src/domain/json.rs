//! JSON read into request types with every wrong field named in plain words: a value of the
//! wrong type is set aside and reading goes on, so one answer lists them all. What serde says
//! ("expected struct RatingInput", "expected i64") is put in words a critic reads ("must be an
//! object such as …", "must be a whole number").

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ValidationErrors;

/// How many wrong fields are set aside before giving up (each costs one more read).
const MAX_WRONG: usize = 64;

/// A field path and the shape it takes, in words, for the fields whose serde wording says
/// too little (`rating` → "an object such as {\"value\": 4.5, \"best\": 5}").
pub type Shapes = &'static [(&'static str, &'static str)];

/// What reading gave: the value with the wrong fields left out (when the rest could be read),
/// and what was wrong.
pub struct Read<T> {
    pub value: Option<T>,
    pub errors: ValidationErrors,
}

/// Reads `value` as a `T`, naming every field of the wrong type, unknown or missing.
pub fn read<T: DeserializeOwned>(mut value: Value, shapes: Shapes) -> Read<T> {
    let mut errors = ValidationErrors::default();
    for _ in 0..MAX_WRONG {
        let error = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(read) => {
                return Read {
                    value: Some(read),
                    errors,
                }
            }
            Err(error) => error,
        };
        let path: Vec<Step> = error.path().iter().filter_map(Step::of).collect();
        let message = error.into_inner().to_string();
        let field = dotted(&path);
        let (field, said) = in_words(&field, &message, shapes);
        errors.add(field, said);
        if path.is_empty() || !remove(&mut value, &path) {
            break;
        }
    }
    Read {
        value: None,
        errors,
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    fn of(segment: &serde_path_to_error::Segment) -> Option<Self> {
        match segment {
            serde_path_to_error::Segment::Map { key } => Some(Self::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => Some(Self::Index(*index)),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                None
            }
        }
    }
}

/// `film.credits[2].role`.
fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    if out.is_empty() {
        "request".into()
    } else {
        out
    }
}

/// Takes out the value at `path`; false when there is none (nothing more can be done).
fn remove(value: &mut Value, path: &[Step]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut here = value;
    for step in parents {
        let next = match (step, here) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key),
            (Step::Index(index), Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        match next {
            Some(next) => here = next,
            None => return false,
        }
    }
    match (last, here) {
        (Step::Key(key), Value::Object(map)) => map.remove(key).is_some(),
        (Step::Index(index), Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

/// The field an error is about and what to tell, from serde's message.
fn in_words(field: &str, message: &str, shapes: Shapes) -> (String, String) {
    let shape = |field: &str| {
        let general = strip_indices(field);
        shapes
            .iter()
            .find(|(path, _)| *path == general)
            .map(|(_, shape)| (*shape).to_string())
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = shape(field).unwrap_or_else(|| expected_in_words(expected));
        return (
            field.to_string(),
            format!("must be {expected}, not {}", found_in_words(found)),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let inner = if field == "request" {
            name.to_string()
        } else {
            format!("{field}.{name}")
        };
        let needs = shape(&inner).map(|s| format!(" ({s})")).unwrap_or_default();
        return (inner, format!("is required{needs}"));
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let known: Vec<&str> = rest
            .split_once("expected ")
            .map(|(_, list)| list)
            .unwrap_or_default()
            .split(|c: char| c == '`' || c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty() && *w != "one" && *w != "of" && *w != "or")
            .collect();
        let list = if known.is_empty() {
            String::new()
        } else {
            format!("; the fields here are {}", known.join(", "))
        };
        return (
            field.to_string(),
            format!("is not a field this takes{list}"),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let list = rest
            .split_once("expected ")
            .map(|(_, l)| l)
            .unwrap_or_default();
        return (
            field.to_string(),
            format!("must be {}", list.replace('`', "\"")),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (_, expected) = rest.split_once(", expected ").unwrap_or(("", rest));
        let expected = shape(field).unwrap_or_else(|| expected_in_words(expected));
        return (field.to_string(), format!("must be {expected}"));
    }
    let said = shape(field).map_or_else(|| message.to_string(), |s| format!("must be {s}"));
    (field.to_string(), said)
}

fn strip_indices(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut depth = 0usize;
    for c in field.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// serde's "expected …" (from Rust types) in words.
fn expected_in_words(expected: &str) -> String {
    let expected = expected.trim();
    match expected {
        "a string" | "a borrowed string" => "text".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "an object".into(),
        "f32" | "f64" => "a number".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => {
            "a whole number".into()
        }
        "UUID" | "a UUID string" => "an id (a UUID)".into(),
        e if e.starts_with("struct ") || e.starts_with("a map") => "an object".into(),
        e if e.starts_with("enum ") => "one of the listed words".into(),
        "" => "something else".into(),
        e => e.replace('`', "\""),
    }
}

/// serde's "invalid type: …" (what was found) in words.
fn found_in_words(found: &str) -> String {
    let found = found.trim();
    let after = |prefix: &str| found.strip_prefix(prefix).map(|v| v.trim_matches('`'));
    if let Some(v) = after("integer ").or_else(|| after("floating point ")) {
        return format!("the number {v}");
    }
    if let Some(v) = after("string ") {
        return format!("the text {v}");
    }
    if let Some(v) = after("boolean ") {
        return v.to_string();
    }
    match found {
        "map" => "an object".into(),
        "sequence" => "a list".into(),
        "null" | "unit value" => "null".into(),
        other => other.replace('`', "\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rating {
        value: f64,
        best: Option<i64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        title: Option<String>,
        body: Option<String>,
        rating: Option<Rating>,
        #[serde(default)]
        tags: Vec<String>,
    }

    const SHAPES: Shapes = &[("rating", "an object such as {\"value\": 4.5, \"best\": 5}")];

    fn errors(value: Value) -> Vec<(String, String)> {
        read::<Input>(value, SHAPES).errors.0.into_iter().collect()
    }

    #[test]
    fn every_wrong_field_is_named_in_plain_words() {
        let found = errors(json!({
            "title": 5, "body": ["x"], "rating": "nine", "tags": ["a", 3], "colour": "red"
        }));
        let text = format!("{found:?}");
        assert!(
            !text.contains("struct") && !text.contains("i64") && !text.contains("f64"),
            "{text}"
        );
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["body", "colour", "rating", "tags[1]", "title"]);
        assert_eq!(found[0].1, "must be text, not a list");
        assert!(
            found[1]
                .1
                .starts_with("is not a field this takes; the fields here are title, body"),
            "{}",
            found[1].1
        );
        assert_eq!(
            found[2].1,
            "must be an object such as {\"value\": 4.5, \"best\": 5}, not the text \"nine\""
        );
        assert_eq!(found[3].1, "must be text, not the number 3");
        assert_eq!(found[4].1, "must be text, not the number 5");
    }

    #[test]
    fn a_missing_inner_field_is_named_with_its_path() {
        let found = errors(json!({"rating": {"best": 5}}));
        assert_eq!(
            found,
            [("rating.value".to_string(), "is required".to_string())]
        );
        let found = errors(json!({"rating": {"value": "4"}}));
        assert_eq!(found[0].1, "must be a number, not the text \"4\"");
    }

    #[test]
    fn what_can_be_read_is_kept() {
        let got = read::<Input>(json!({"title": "Heat", "body": 5}), SHAPES);
        let value = got.value.expect("the rest reads");
        assert_eq!(value.title.as_deref(), Some("Heat"));
        assert!(value.body.is_none());
        assert!(read::<Input>(json!([1, 2]), SHAPES).value.is_none());
    }
}
