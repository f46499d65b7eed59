//! Making a generated case concrete: its references resolved for the running instance and
//! peers, written as JSON text (which may hold what no `serde_json::Value` can: lone
//! surrogates, overflowing numbers, nesting deeper than any parser accepts).

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::cases::*;
use super::world::World;

/// What a case's references resolve to.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub(super) world: &'a World,
    pub(super) nonce: u64,
    pub(super) review_ap: &'a str,
    pub(super) review_page: &'a str,
    pub(super) slug: &'a str,
    pub(super) our_comment: Option<&'a str>,
    /// Whose server sends or serves what is being written.
    pub(super) owner_is_bob: bool,
    /// The URL a served note is served at.
    pub(super) served_at: Option<&'a str>,
}

/// Characters that look random but repeat for the same case: a long, incompressible path.
pub(super) fn long_path(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (state >> 33) as usize % ALPHABET.len();
            char::from(ALPHABET.get(i).copied().unwrap_or(b'x'))
        })
        .collect()
}

impl Ctx<'_> {
    pub(super) fn url(&self, x: Ref) -> String {
        let w = self.world;
        let n = self.nonce;
        match x {
            Ref::Review => self.review_ap.to_string(),
            Ref::ReviewPage => self.review_page.to_string(),
            Ref::ReviewOdd(k) => match k {
                0 => format!("{}/", self.review_ap),
                1 => format!("{}?x=1", self.review_ap),
                2 => format!("{}#c", self.review_ap),
                3 => format!("{}/../../comments/x", self.review_page),
                4 => format!(
                    "{}/reviews/{}",
                    w.app.base.replace("localhost", "127.0.0.1"),
                    self.slug
                ),
                5 => self.review_ap.to_uppercase(),
                6 => format!("{}%00", self.review_page),
                _ => format!("{}//reviews/{}", w.app.base, self.slug),
            },
            Ref::Draft => w.draft_ap.clone(),
            Ref::Deleted => w.deleted_ap.clone(),
            Ref::OurComment => self
                .our_comment
                .map(str::to_string)
                .unwrap_or_else(|| self.review_ap.to_string()),
            Ref::Blog => w.app.url("/users/reviews"),
            Ref::Alice => w.alice().actor_id.clone(),
            Ref::AliceKey => format!("{}#main-key", w.alice().actor_id),
            Ref::Bob => w.bob.actor_id.clone(),
            Ref::Owner if self.owner_is_bob => w.bob.actor_id.clone(),
            Ref::Owner => w.alice().actor_id.clone(),
            Ref::AliceNote(k) => format!("{}/objects/f{n}-{k}", w.alice().base),
            Ref::BobNote(k) => format!("{}/objects/f{n}-{k}", w.bob.base),
            Ref::AliceActivity(k) => format!("{}/activities/f{n}-{k}", w.alice().base),
            Ref::BobActivity(k) => format!("{}/activities/f{n}-{k}", w.bob.base),
            Ref::AliceLong(what, size) => format!(
                "{}/{}/f{n}-{}",
                w.alice().base,
                if what == 0 { "objects" } else { "activities" },
                long_path(n ^ u64::from(what), if size == 0 { 3_000 } else { 20_000 })
            ),
            Ref::Public => "https://www.w3.org/ns/activitystreams#Public".to_string(),
            Ref::Unreachable(k) => match k {
                0 => "http://unknown.invalid/notes/1".to_string(),
                1 => "http://127.0.0.1:1/notes/1".to_string(),
                2 => "https://localhost:1/notes/1".to_string(),
                _ => format!("{}/objects/missing-{n}", w.bob.base),
            },
            Ref::Hostile(k) => match k {
                0 => "javascript:alert(1)".to_string(),
                1 => "JaVaScRiPt:alert(1)".to_string(),
                2 => " javascript:alert(1)".to_string(),
                3 => "data:text/html,<script>alert(1)</script>".to_string(),
                4 => "vbscript:msgbox(1)".to_string(),
                5 => String::new(),
                6 => "not a url".to_string(),
                7 => "//evil.invalid/x".to_string(),
                8 => "http://[::1".to_string(),
                9 => format!("http://{}.example/", "a".repeat(3000)),
                10 => "file:///etc/passwd".to_string(),
                11 => "http://user:pass@localhost:1/x".to_string(),
                12 => "java\tscript:alert(1)".to_string(),
                _ => "ftp://x.invalid/y".to_string(),
            },
        }
    }

    pub(super) fn note_id(&self, id: &NoteId) -> Val {
        match id {
            NoteId::Own(k) => match self.served_at {
                Some(url) => Val::Str(Text(vec![Piece {
                    frag: Frag::Any(url.to_string()),
                    times: 1,
                }])),
                None => r(Ref::AliceNote(*k)),
            },
            NoteId::Other(v) => v.clone(),
        }
    }
}

/// A JSON string's inside for `s`.
pub(super) fn escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("a string serializes");
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

pub(super) fn write_text(out: &mut String, text: &Text) {
    out.push('"');
    for piece in &text.0 {
        let once = match &piece.frag {
            Frag::Lit(s) => escaped(s),
            Frag::Any(s) => escaped(s),
            Frag::Escape(e) => (*e).to_string(),
        };
        for _ in 0..piece.times {
            out.push_str(&once);
        }
    }
    out.push('"');
}

pub(super) fn write_val(out: &mut String, v: &Val, cx: &Ctx) {
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) | Val::Broken(n) => out.push_str(n),
        Val::Str(t) => write_text(out, t),
        Val::Ref(x) => {
            let _ = write!(out, "\"{}\"", escaped(&cx.url(*x)));
        }
        Val::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_val(out, item, cx);
            }
            out.push(']');
        }
        Val::Obj(fields) => write_fields(out, fields.iter().map(|(k, v)| (*k, v)), cx),
        Val::Deep(n, arrays) => {
            if *arrays {
                out.push_str(&"[".repeat(*n));
                out.push_str(&"]".repeat(*n));
            } else {
                out.push_str(&"{\"a\":".repeat(*n));
                out.push_str("null");
                out.push_str(&"}".repeat(*n));
            }
        }
    }
}

pub(super) fn write_fields<'v>(
    out: &mut String,
    fields: impl Iterator<Item = (&'v str, &'v Val)>,
    cx: &Ctx,
) {
    out.push('{');
    for (i, (k, v)) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{}\":", escaped(k));
        write_val(out, v, cx);
    }
    out.push('}');
}

pub(super) fn note_fields(note: &NoteSpec, cx: &Ctx) -> Vec<(&'static str, Val)> {
    let mut fields = vec![("id", cx.note_id(&note.id)), ("type", note.kind.clone())];
    let optional = [
        ("attributedTo", &note.attributed_to),
        ("inReplyTo", &note.in_reply_to),
        ("content", &note.content),
        ("contentMap", &note.content_map),
        ("summary", &note.summary),
        ("sensitive", &note.sensitive),
        ("published", &note.published),
        ("updated", &note.updated),
        ("url", &note.url),
        ("to", &note.to),
        ("cc", &note.cc),
        ("tag", &note.tag),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            fields.push((key, v.clone()));
        }
    }
    fields.extend(note.extra.iter().cloned());
    fields
}

pub(super) fn write_note(out: &mut String, note: &NoteSpec, cx: &Ctx) {
    let fields = note_fields(note, cx);
    write_fields(out, fields.iter().map(|(k, v)| (*k, v)), cx);
}

pub(super) fn write_activity(out: &mut String, a: &ActSpec, cx: &Ctx, top: bool) {
    out.push('{');
    if top {
        out.push_str("\"@context\":\"https://www.w3.org/ns/activitystreams\",");
    }
    out.push_str("\"type\":");
    write_val(out, &a.kind, cx);
    if let Some(id) = &a.id {
        out.push_str(",\"id\":");
        write_val(out, id, cx);
    }
    if let Some(actor) = &a.actor {
        out.push_str(",\"actor\":");
        write_val(out, actor, cx);
    }
    match &a.object {
        Object::Note(note) => {
            out.push_str(",\"object\":");
            write_note(out, note, cx);
        }
        Object::Activity(inner) => {
            out.push_str(",\"object\":");
            write_activity(out, inner, cx, false);
        }
        Object::Val(v) => {
            out.push_str(",\"object\":");
            write_val(out, v, cx);
        }
        Object::Missing => {}
    }
    for (k, v) in &a.extra {
        let _ = write!(out, ",\"{}\":", escaped(k));
        write_val(out, v, cx);
    }
    out.push('}');
}

/// A value as a document a peer serves (lone surrogates become U+FFFD, invalid numbers null,
/// nesting capped: a `Value` is dropped recursively).
pub(super) fn to_value(v: &Val, cx: &Ctx) -> Value {
    match v {
        Val::Null => Value::Null,
        Val::Bool(b) => json!(b),
        Val::Num(n) | Val::Broken(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        Val::Str(t) => {
            let mut s = String::new();
            for piece in &t.0 {
                let once = match &piece.frag {
                    Frag::Lit(s) => (*s).to_string(),
                    Frag::Any(s) => s.clone(),
                    Frag::Escape(e) => serde_json::from_str::<String>(&format!("\"{e}\""))
                        .unwrap_or_else(|_| "\u{fffd}".to_string()),
                };
                s.push_str(&once.repeat(piece.times));
            }
            Value::String(s)
        }
        Val::Ref(x) => Value::String(cx.url(*x)),
        Val::Arr(items) => Value::Array(items.iter().map(|i| to_value(i, cx)).collect()),
        Val::Obj(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), to_value(v, cx)))
                .collect(),
        ),
        Val::Deep(n, arrays) => {
            let mut value = Value::Null;
            for _ in 0..(*n).min(100) {
                value = if *arrays {
                    json!([value])
                } else {
                    json!({ "a": value })
                };
            }
            value
        }
    }
}

/// Whether a note claims to be someone else's, or to live on another server.
pub(super) fn claims_another(note: &NoteSpec) -> bool {
    !matches!(note.attributed_to, Some(Val::Ref(Ref::Owner))) || !matches!(note.id, NoteId::Own(_))
}

pub(super) fn attempts_misattribution(a: &ActSpec) -> bool {
    let actor_is_other = !matches!(a.actor, Some(Val::Ref(Ref::Alice)));
    let object_is_other = match &a.object {
        Object::Note(n) => claims_another(n),
        Object::Activity(inner) => attempts_misattribution(inner),
        _ => false,
    };
    actor_is_other || object_is_other
}
