//! The `proptest` strategies that build texts, references, values, notes, activities and
//! steps from the vocabulary.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;

use super::vocabulary::{
    ACTOR_KEYS, BROKEN, CHARS, DATES, DELETED_THINGS, DEPTHS, ESCAPES, FOLLOWED, HOSTILE,
    HOSTILE_URLS, KEYS, KINDS, LANGUAGES, NOTE_TYPES, NUMBERS, ODD_REVIEW_SPELLINGS, PARENTS,
    TOMBSTONES, TOO_DEEP, UNDONE, UNREACHABLE, WORDS,
};
use super::{lit, r, ActSpec, Frag, NoteId, NoteSpec, Object, Piece, Ref, Step, Text, Val};

pub(super) fn frag() -> BoxedStrategy<Frag> {
    prop_oneof![
        8 => select(HOSTILE).prop_map(Frag::Lit),
        3 => select(CHARS).prop_map(Frag::Lit),
        1 => select(ESCAPES).prop_map(Frag::Escape),
        2 => any::<String>().prop_map(Frag::Any),
        3 => select(WORDS).prop_map(Frag::Lit),
    ]
    .boxed()
}

pub(super) fn text() -> BoxedStrategy<Text> {
    let times = prop_oneof![
        60 => Just(1usize),
        8 => 2..40usize,
        2 => 300..3000usize,
        1 => 3000..12_000usize,
    ];
    prop::collection::vec(
        (frag(), times).prop_map(|(frag, times)| Piece { frag, times }),
        0..5,
    )
    .prop_map(Text)
    .boxed()
}

pub(super) fn reference() -> BoxedStrategy<Ref> {
    prop_oneof![
        6 => Just(Ref::Review).boxed(),
        2 => Just(Ref::ReviewPage).boxed(),
        2 => (0..ODD_REVIEW_SPELLINGS).prop_map(Ref::ReviewOdd).boxed(),
        1 => Just(Ref::Draft).boxed(),
        1 => Just(Ref::Deleted).boxed(),
        2 => Just(Ref::OurComment).boxed(),
        2 => Just(Ref::Blog).boxed(),
        3 => Just(Ref::Alice).boxed(),
        3 => Just(Ref::Bob).boxed(),
        4 => (0..3u8).prop_map(Ref::AliceNote).boxed(),
        3 => (0..3u8).prop_map(Ref::BobNote).boxed(),
        1 => (0..3u8).prop_map(Ref::AliceActivity).boxed(),
        1 => (0..3u8).prop_map(Ref::BobActivity).boxed(),
        1 => Just(Ref::Public).boxed(),
        2 => (0..UNREACHABLE).prop_map(Ref::Unreachable).boxed(),
        3 => (0..HOSTILE_URLS).prop_map(Ref::Hostile).boxed(),
    ]
    .boxed()
}

pub(super) fn leaf() -> BoxedStrategy<Val> {
    prop_oneof![
        8 => Just(Val::Null),
        8 => any::<bool>().prop_map(Val::Bool),
        8 => select(NUMBERS).prop_map(Val::Num),
        32 => text().prop_map(Val::Str),
        32 => reference().prop_map(Val::Ref),
        6 => (select(DEPTHS), any::<bool>()).prop_map(|(n, arrays)| Val::Deep(n, arrays)),
        // What no parser accepts: rare, or few activities would get past parsing.
        1 => prop_oneof![
            (select(TOO_DEEP), any::<bool>()).prop_map(|(n, arrays)| Val::Deep(n, arrays)),
            select(BROKEN).prop_map(Val::Broken),
        ],
    ]
    .boxed()
}

pub(super) fn val() -> BoxedStrategy<Val> {
    leaf()
        .prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Val::Arr),
                prop::collection::vec((select(KEYS), inner), 0..4).prop_map(Val::Obj),
            ]
        })
        .boxed()
}

/// Mostly `right`, sometimes anything.
pub(super) fn usually<T: std::fmt::Debug + Clone + 'static>(
    right: impl Strategy<Value = T> + 'static,
    wrong: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![5 => right, 1 => wrong].boxed()
}

pub(super) fn maybe(probability: f64, s: BoxedStrategy<Val>) -> BoxedStrategy<Option<Val>> {
    prop::option::weighted(probability, s).boxed()
}

/// A note: half of them with a sound structure (the sender's own id and attribution), so that
/// their hostile content gets stored and shown.
pub(super) fn note() -> BoxedStrategy<NoteSpec> {
    (any_note(), any::<bool>())
        .prop_map(|(mut note, sound)| {
            if sound {
                if !matches!(note.id, NoteId::Own(_)) {
                    note.id = NoteId::Own(0);
                }
                note.attributed_to = Some(r(Ref::Owner));
            }
            note
        })
        .boxed()
}

/// A parent note for a reply: mostly sound and answering the review.
pub(super) fn parent_note() -> BoxedStrategy<NoteSpec> {
    (note(), prop::bool::weighted(0.8))
        .prop_map(|(mut note, answers_review)| {
            if answers_review {
                note.in_reply_to = Some(r(Ref::Review));
            }
            note
        })
        .boxed()
}

pub(super) fn any_note() -> BoxedStrategy<NoteSpec> {
    let id = prop_oneof![
        6 => (0..3u8).prop_map(NoteId::Own),
        1 => (0..3u8).prop_map(|k| NoteId::Other(r(Ref::BobNote(k)))),
        1 => (0..2u8).prop_map(|s| NoteId::Other(r(Ref::AliceLong(0, s)))),
        1 => val().prop_map(NoteId::Other),
    ];
    let kind = usually(select(NOTE_TYPES).prop_map(lit), val());
    // Mostly the sender's own note; often a claim to be someone else's.
    let attributed_to = prop_oneof![
        6 => Just(Some(r(Ref::Owner))),
        1 => Just(Some(r(Ref::Bob))),
        1 => Just(Some(r(Ref::Alice))),
        1 => Just(Some(Val::Arr(vec![r(Ref::Owner), r(Ref::Bob)]))),
        1 => Just(Some(Val::Arr(vec![r(Ref::Bob), r(Ref::Owner)]))),
        1 => Just(Some(Val::Obj(vec![("id", r(Ref::Bob))]))),
        1 => prop::option::of(val()),
    ];
    let in_reply_to = usually(
        select(PARENTS).prop_map(|x| Some(r(x))),
        prop::option::of(val()),
    );
    let content = maybe(0.9, usually(text().prop_map(Val::Str), val()));
    let content_map = maybe(
        0.2,
        prop::collection::vec((select(LANGUAGES), text().prop_map(Val::Str)), 0..3)
            .prop_map(Val::Obj)
            .boxed(),
    );
    let summary = maybe(0.4, usually(text().prop_map(Val::Str), val()));
    let sensitive = maybe(0.3, usually(any::<bool>().prop_map(Val::Bool), val()));
    let published = maybe(0.5, usually(select(DATES).prop_map(lit), val()));
    let updated = maybe(0.3, usually(select(DATES).prop_map(lit), val()));
    let url = maybe(0.4, val());
    let to = usually(
        Just(Some(Val::Arr(vec![r(Ref::Public)]))),
        prop::option::of(val()),
    );
    let cc = maybe(0.4, val());
    let tag = maybe(0.3, val());
    let extra = prop::collection::vec((select(KEYS), val()), 0..3);
    (
        (id, kind, attributed_to, in_reply_to, content),
        (content_map, summary, sensitive, published, updated),
        (url, to, cc, tag, extra),
    )
        .prop_map(
            |(
                (id, kind, attributed_to, in_reply_to, content),
                (content_map, summary, sensitive, published, updated),
                (url, to, cc, tag, extra),
            )| NoteSpec {
                id,
                kind,
                attributed_to,
                in_reply_to,
                content,
                content_map,
                summary,
                sensitive,
                published,
                updated,
                url,
                to,
                cc,
                tag,
                extra,
            },
        )
        .boxed()
}

pub(super) fn refs(choices: &'static [Ref]) -> BoxedStrategy<Val> {
    select(choices).prop_map(r).boxed()
}

pub(super) fn object_for(kind: &'static str, nested: bool) -> BoxedStrategy<Object> {
    let any = val().prop_map(Object::Val).boxed();
    let note = note().prop_map(|n| Object::Note(Box::new(n))).boxed();
    match kind {
        "Create" => prop_oneof![8 => note, 2 => any, 1 => Just(Object::Missing)].boxed(),
        "Update" => prop_oneof![
            6 => note,
            2 => Just(Object::Val(r(Ref::Alice))),
            2 => any,
        ]
        .boxed(),
        "Delete" => prop_oneof![
            4 => refs(DELETED_THINGS).prop_map(Object::Val),
            2 => refs(TOMBSTONES)
                .prop_map(|id| Object::Val(Val::Obj(vec![("id", id), ("type", lit("Tombstone"))]))),
            1 => any,
        ]
        .boxed(),
        "Like" | "Announce" | "EmojiReact" => prop_oneof![
            5 => reference().prop_map(|x| Object::Val(r(x))),
            1 => note,
            1 => any,
        ]
        .boxed(),
        "Undo" if !nested => prop_oneof![
            4 => activity_spec(true).prop_map(|a| Object::Activity(Box::new(a))),
            2 => refs(UNDONE).prop_map(Object::Val),
            1 => any,
        ]
        .boxed(),
        "Follow" => prop_oneof![
            4 => Just(Object::Val(r(Ref::Blog))),
            1 => refs(FOLLOWED).prop_map(Object::Val),
            1 => any,
        ]
        .boxed(),
        "Flag" => prop_oneof![
            3 => prop::collection::vec(reference().prop_map(r), 0..5)
                .prop_map(|v| Object::Val(Val::Arr(v))),
            1 => any,
        ]
        .boxed(),
        _ => prop_oneof![2 => any, 1 => note, 1 => Just(Object::Missing)].boxed(),
    }
}

pub(super) fn activity_spec(nested: bool) -> BoxedStrategy<ActSpec> {
    let kinds: Vec<(u32, BoxedStrategy<&'static str>)> = KINDS
        .iter()
        .filter(|(_, k)| !(nested && *k == "Undo"))
        .map(|(w, k)| (*w, Just(*k).boxed()))
        .collect();
    Union::new_weighted(kinds)
        .prop_flat_map(move |name| {
            let kind = if name == "?" {
                val()
            } else {
                Just(lit(name)).boxed()
            };
            let id = prop_oneof![
                16 => (0..3u8).prop_map(|k| Some(r(Ref::AliceActivity(k)))),
                1 => (0..2u8).prop_map(|s| Some(r(Ref::AliceLong(1, s)))),
                1 => Just(Some(r(Ref::BobActivity(0)))),
                1 => prop::option::of(val()),
            ];
            // Mostly alice, who signs; sometimes a claim to be bob, in one shape or another.
            let actor = prop_oneof![
                36 => Just(Some(r(Ref::Alice))),
                1 => Just(Some(r(Ref::Bob))),
                1 => Just(Some(Val::Arr(vec![r(Ref::Alice)]))),
                1 => Just(Some(Val::Obj(vec![("id", r(Ref::Alice))]))),
                1 => prop::option::of(val()),
            ];
            let extra = prop_oneof![
                3 => Just(Vec::new()),
                1 => prop::collection::vec((select(KEYS), val()), 1..3),
                1 => text().prop_map(|t| vec![("content", Val::Str(t))]),
            ];
            (Just(name), kind, id, actor, object_for(name, nested), extra)
        })
        .prop_map(|(name, kind, id, actor, object, extra)| ActSpec {
            name,
            kind,
            id,
            actor,
            object,
            extra,
        })
        .boxed()
}

pub(super) fn actor_value() -> BoxedStrategy<Val> {
    prop_oneof![
        3 => text().prop_map(Val::Str),
        2 => (0..HOSTILE_URLS).prop_map(|h| r(Ref::Hostile(h))),
        1 => (0..HOSTILE_URLS)
            .prop_map(|h| Val::Obj(vec![("type", lit("Image")), ("url", r(Ref::Hostile(h)))])),
        1 => text().prop_map(|pem| Val::Obj(vec![
            ("id", r(Ref::AliceKey)),
            ("owner", r(Ref::Alice)),
            ("publicKeyPem", Val::Str(pem)),
        ])),
        2 => val(),
    ]
    .boxed()
}

pub(super) fn serve() -> BoxedStrategy<Step> {
    (
        prop::bool::weighted(0.7),
        prop_oneof![3 => Just(0u8), 1 => 1..3u8],
        note(),
    )
        .prop_map(|(bob, slot, note)| Step::Serve {
            bob,
            slot,
            note: Box::new(note),
        })
        .boxed()
}

pub(super) fn step() -> BoxedStrategy<Step> {
    prop_oneof![
        12 => (prop::bool::weighted(0.15), activity_spec(false))
            .prop_map(|(personal, activity)| Step::Send { personal, activity }),
        2 => serve(),
        3 => (prop::bool::weighted(0.7), parent_note(), note(), prop::bool::weighted(0.15))
            .prop_map(|(bob, parent, reply, personal)| Step::Reply {
                bob,
                parent: Box::new(parent),
                reply: Box::new(reply),
                personal,
            }),
        1 => prop::collection::vec((select(ACTOR_KEYS), actor_value()), 1..4)
            .prop_map(Step::EditActor),
    ]
    .boxed()
}
