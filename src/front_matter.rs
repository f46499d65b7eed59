//! Markdown files with front matter, for `reviewpub publish review.md`.
//!
//! YAML between `---` lines or TOML between `+++` lines holds the same fields as the admin API
//! (`title`, `film`, `rating`, `status`, …); the Markdown after it is the body. Without a `title`,
//! a leading `# Heading` becomes the title. An `id` names the review the file updates.
//! [`write`] makes such a file (YAML) from a review, as `reviewpub export` puts them in its
//! archive: [`parse`] reads it back to the same [`Document`].

use serde_json::Value;
use uuid::Uuid;

use crate::domain::{ReviewInput, ValidationErrors};
use crate::error::AppError;
use crate::publishing;

/// A parsed file: the review it holds, and the id of the review it updates, if it names one.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: Option<Uuid>,
    pub input: ReviewInput,
}

pub fn parse(text: &str) -> Result<Document, AppError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut fields, body) = if let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    {
        let (head, body) = split_at_fence(rest, "---")?;
        let value: Value = serde_yaml::from_str(head).map_err(|e| {
            let at = e.location().map(|l| (l.line(), l.column()));
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or_default();
            syntax_error("YAML", head, at, message)
        })?;
        (value, body)
    } else if let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    {
        let (head, body) = split_at_fence(rest, "+++")?;
        let value: toml::Value = toml::from_str(head).map_err(|e| {
            let at = e.span().and_then(|span| {
                let before = head.get(..span.start)?;
                let line = before.matches('\n').count() + 1;
                let column = before
                    .rsplit('\n')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .count()
                    + 1;
                Some((line, column))
            });
            syntax_error("TOML", head, at, e.message())
        })?;
        (toml_to_json(value), body)
    } else {
        (Value::Object(Default::default()), text)
    };
    if fields.is_null() {
        fields = Value::Object(Default::default());
    }
    let Value::Object(fields_map) = &mut fields else {
        return Err(AppError::BadRequest(
            "front matter must be a mapping of fields".into(),
        ));
    };
    if fields_map.contains_key("body") {
        return Err(AppError::BadRequest(
            "the body is the Markdown after the front matter, not a field".into(),
        ));
    }
    let mut body = body.trim_start_matches(['\n', '\r']).to_string();
    if !fields_map.contains_key("title") {
        if let Some(rest) = body.strip_prefix("# ") {
            let (title, rest) = rest.split_once('\n').unwrap_or((rest, ""));
            fields_map.insert("title".into(), Value::String(title.trim().to_string()));
            body = rest.trim_start_matches(['\n', '\r']).to_string();
        }
    }
    let id = match fields_map.remove("id") {
        None => None,
        Some(value) => Some(
            value
                .as_str()
                .and_then(crate::domain::parse_id)
                .ok_or_else(|| {
                    let mut errors = ValidationErrors::default();
                    errors.add("id", "must be a review's id (a UUID)");
                    AppError::Validation(errors)
                })?,
        ),
    };
    fields_map.insert("body".into(), Value::String(body));
    Ok(Document {
        id,
        input: publishing::input_from_value(fields)?,
    })
}

/// A file [`parse`] reads back to `document`: YAML front matter (the `id` first, then every
/// field that is set) and the body.
pub fn write(document: &Document) -> Result<String, AppError> {
    let fields = serde_json::to_value(&document.input)
        .map_err(|e| AppError::internal("serializing a review's fields", e))?;
    let Value::Object(mut fields) = fields else {
        return Err(AppError::Bug("a review's fields are not a mapping"));
    };
    let body = match fields.remove("body") {
        Some(Value::String(body)) => body,
        _ => String::new(),
    };
    prune(&mut fields);
    let mut text = String::from("---\n");
    if let Some(id) = document.id {
        text.push_str(&format!("id: {id}\n"));
    }
    if !fields.is_empty() {
        let yaml = serde_yaml::to_string(&fields)
            .map_err(|e| AppError::internal("writing front matter", e))?;
        text.push_str(&yaml);
    }
    text.push_str("---\n\n");
    text.push_str(&body);
    Ok(text)
}

/// Leaves out the fields that are not set (`null`, `[]`), at every level: absent reads back
/// the same.
fn prune(fields: &mut serde_json::Map<String, Value>) {
    fields.retain(|_, value| match value {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        _ => true,
    });
    for value in fields.values_mut() {
        if let Value::Object(inner) = value {
            prune(inner);
        }
    }
}

/// A syntax error placed on the file's own lines (the front matter starts on line 2), with a
/// hint for the most common mistake: a YAML value holding an unquoted colon
/// (`title: Alien: Covenant`).
fn syntax_error(language: &str, head: &str, at: Option<(usize, usize)>, message: &str) -> AppError {
    let message = message.trim().trim_end_matches('.');
    let mut said = match at {
        Some((line, column)) => format!(
            "front matter ({language}), line {}, column {column}: {message}",
            line + 1
        ),
        None => format!("front matter ({language}): {message}"),
    };
    // YAML names the line where it noticed, which may be the one after the culprit.
    let lines: Vec<&str> = head.lines().collect();
    let near = at.map_or(0, |(line, _)| line.saturating_sub(1));
    let suspects = [near, near.saturating_sub(1)];
    let culprit = suspects.iter().find_map(|&index| {
        let line = lines.get(index)?;
        let (key, value) = line.split_once(": ")?;
        let value = value.trim();
        let quoted = value.starts_with(['"', '\'', '[', '{', '|', '>']);
        (language == "YAML" && !quoted && value.contains(": ")).then(|| (key.trim(), value))
    });
    if let Some((key, value)) = culprit {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        said.push_str(&format!(
            ". The value of `{key}` holds a colon: put it in quotes, as in {key}: \"{escaped}\""
        ));
    }
    AppError::BadRequest(said)
}

fn split_at_fence<'a>(rest: &'a str, fence: &str) -> Result<(&'a str, &'a str), AppError> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            return Ok((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err(AppError::BadRequest(format!(
        "the front matter has no closing {fence} line"
    )))
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        match parse(text) {
            Err(AppError::BadRequest(message)) => message,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn an_unquoted_colon_gets_a_hint_and_errors_name_the_files_own_lines() {
        let said = refusal("---\nfilm:\n  title: Alien\ntitle: Alien: Covenant\n---\nBody\n");
        assert!(
            said.starts_with("front matter (YAML), line 4, column "),
            "{said}"
        );
        assert!(
            said.ends_with("put it in quotes, as in title: \"Alien: Covenant\""),
            "{said}"
        );
        let said = refusal("+++\n[film]\ntitle = \"x\n+++\nBody\n");
        assert!(
            said.starts_with("front matter (TOML), line 3, column "),
            "{said}"
        );
        assert!(!said.contains('\n'), "one line: {said}");
        // A quoted colon is fine, and no hint is given for other mistakes.
        assert!(parse("---\ntitle: \"Alien: Covenant\"\n---\nBody\n").is_ok());
        let said = refusal("---\ntitle: [unclosed\n---\nBody\n");
        assert!(!said.contains("quotes"), "{said}");
    }

    #[test]
    fn yaml_front_matter() {
        let input = parse("---\ntitle: Heat (1995)\nfilm:\n  title: Heat\n  year: 1995\nrating: {value: 4.5, best: 5}\ntags: [crime]\n---\n\nA *great* film.\n").expect("valid").input;
        assert_eq!(input.title.as_deref(), Some("Heat (1995)"));
        assert_eq!(input.film.as_ref().and_then(|f| f.year), Some(1995));
        assert_eq!(input.body.as_deref(), Some("A *great* film.\n"));
        assert_eq!(input.rating.map(|r| r.value), Some(4.5));
    }

    #[test]
    fn toml_front_matter_and_heading_title() {
        let input = parse("+++\nstatus = \"published\"\npublish_at = 2011-02-04T02:54:00Z\n[film]\ntitle = \"Heat\"\n+++\n# Heat, again\n\nBody.\n").expect("valid").input;
        assert_eq!(input.title.as_deref(), Some("Heat, again"));
        assert_eq!(input.body.as_deref(), Some("Body.\n"));
        assert!(input.publish_at.is_some());
    }

    #[test]
    fn an_id_names_the_review_to_update() {
        let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        let yaml = parse(&format!("---\nid: {id}\ntitle: Heat\n---\nBody.\n")).expect("valid");
        assert_eq!(yaml.id.map(|u| u.to_string()).as_deref(), Some(id));
        assert_eq!(yaml.input.title.as_deref(), Some("Heat"));
        let toml = parse(&format!("+++\nid = \"{id}\"\n+++\n# Heat\n")).expect("valid");
        assert_eq!(toml.id, yaml.id);
        assert_eq!(
            parse("---\ntitle: Heat\n---\nBody.\n").expect("valid").id,
            None
        );
        for bad in ["id: 12", "id: heat-1995", "id: [x]"] {
            let Err(AppError::Validation(errors)) = parse(&format!("---\n{bad}\n---\nx")) else {
                panic!("{bad} accepted");
            };
            assert!(errors.0.contains_key("id"), "{bad}: {errors:?}");
        }
    }

    #[test]
    fn written_files_read_back_to_the_same_document() {
        let full = parse("---\ntitle: \"Heat: the 1995 film\"\nsummary: A *teaser*.\nfilm:\n  title: Heat\n  year: 1995\n  directors: [Michael Mann]\n  imdb_id: tt0113277\n  credits: [{role: Music, name: Elliot Goldenthal}]\nrating: {value: 4.5, best: 5}\ncategories: [Crime]\ntags: [\"#LA\", heists]\nspoiler_warning: The ending.\nlanguage: en\nauthor: A. Critic\nstatus: published\npublish_at: 1996-01-02T03:04:05.123456Z\nslug: heat-1995\nquote_policy: followers\n---\n\n# Not a title\n\n---\n\nA body with a rule.\n").expect("valid");
        let bare = parse("---\ntitle: \"yes\"\n---\n").expect("valid");
        for input in [full.input, bare.input] {
            for id in [None, Some(Uuid::now_v7())] {
                let document = Document {
                    id,
                    input: input.clone(),
                };
                let text = write(&document).expect("written");
                assert_eq!(parse(&text).expect("reads back"), document, "{text}");
            }
        }
    }

    #[test]
    fn errors_are_clear() {
        assert!(parse("---\ntitle: x\n").is_err());
        assert!(parse("---\nbody: x\n---\n").is_err());
        assert!(matches!(
            parse("---\nunknown: 1\n---\nx"),
            Err(AppError::Validation(_))
        ));
    }
}
