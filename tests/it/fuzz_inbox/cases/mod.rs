//! What the fuzz generates: hostile activities, notes and actor edits, as `proptest`
//! strategies. References (our review, alice's notes, …) stay abstract until a case runs.

mod strategies;
mod vocabulary;

use proptest::prelude::*;

use self::strategies::{serve, step};

/// A generated string: pieces, each repeated.
#[derive(Debug, Clone)]
pub(super) struct Text(pub(super) Vec<Piece>);

#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub(super) frag: Frag,
    pub(super) times: usize,
}

#[derive(Debug, Clone)]
pub(super) enum Frag {
    Lit(&'static str),
    Any(String),
    /// Written into the JSON verbatim, inside a string.
    Escape(&'static str),
}

/// A URL or id, made concrete when the case runs (ids carry the case's number).
#[derive(Debug, Clone, Copy)]
pub(super) enum Ref {
    /// The case's review, by its ActivityPub id.
    Review,
    ReviewPage,
    /// The review's id or page, spelled oddly.
    ReviewOdd(u8),
    Draft,
    Deleted,
    /// `/comments/{id}` of the newest comment stored.
    OurComment,
    Blog,
    Alice,
    AliceKey,
    Bob,
    /// Whoever sends or serves the note: alice, or bob for what bob's server serves.
    Owner,
    AliceNote(u8),
    BobNote(u8),
    AliceActivity(u8),
    BobActivity(u8),
    /// A note (0) or activity (1) id on alice's server, thousands of characters long.
    AliceLong(u8, u8),
    Public,
    Unreachable(u8),
    Hostile(u8),
}

#[derive(Debug, Clone)]
pub(super) enum Val {
    Null,
    Bool(bool),
    Num(&'static str),
    Str(Text),
    Ref(Ref),
    Arr(Vec<Val>),
    Obj(Vec<(&'static str, Val)>),
    /// `n` nested arrays, or objects.
    Deep(usize, bool),
    /// Written into the JSON as it is (see [`BROKEN`]).
    Broken(&'static str),
}

#[derive(Debug, Clone)]
pub(super) enum NoteId {
    /// The note's own URL on the server that sends or serves it.
    Own(u8),
    Other(Val),
}

#[derive(Debug, Clone)]
pub(super) struct NoteSpec {
    pub(super) id: NoteId,
    pub(super) kind: Val,
    pub(super) attributed_to: Option<Val>,
    pub(super) in_reply_to: Option<Val>,
    pub(super) content: Option<Val>,
    pub(super) content_map: Option<Val>,
    pub(super) summary: Option<Val>,
    pub(super) sensitive: Option<Val>,
    pub(super) published: Option<Val>,
    pub(super) updated: Option<Val>,
    pub(super) url: Option<Val>,
    pub(super) to: Option<Val>,
    pub(super) cc: Option<Val>,
    pub(super) tag: Option<Val>,
    pub(super) extra: Vec<(&'static str, Val)>,
}

#[derive(Debug, Clone)]
pub(super) enum Object {
    Note(Box<NoteSpec>),
    Activity(Box<ActSpec>),
    Val(Val),
    Missing,
}

#[derive(Debug, Clone)]
pub(super) struct ActSpec {
    /// The type's name when it is one (for the statistics); `?` for a generated value.
    pub(super) name: &'static str,
    pub(super) kind: Val,
    pub(super) id: Option<Val>,
    pub(super) actor: Option<Val>,
    pub(super) object: Object,
    pub(super) extra: Vec<(&'static str, Val)>,
}

#[derive(Debug, Clone)]
pub(super) enum Step {
    /// A signed POST to the shared inbox, or to the blog's own.
    Send { personal: bool, activity: ActSpec },
    /// A note alice's or bob's server serves from now on (a parent we may fetch).
    Serve {
        bob: bool,
        slot: u8,
        note: Box<NoteSpec>,
    },
    /// Alice's or bob's server serves `parent`; alice then sends `Create{reply}` answering it.
    Reply {
        bob: bool,
        parent: Box<NoteSpec>,
        reply: Box<NoteSpec>,
        personal: bool,
    },
    /// Alice changes her actor document and says so with `Update{Person}`.
    EditActor(Vec<(&'static str, Val)>),
}

#[derive(Debug, Clone)]
pub(super) struct Case {
    pub(super) steps: Vec<Step>,
}

pub(super) fn lit(s: &'static str) -> Val {
    Val::Str(Text(vec![Piece {
        frag: Frag::Lit(s),
        times: 1,
    }]))
}

pub(super) fn r(x: Ref) -> Val {
    Val::Ref(x)
}

pub(super) fn case() -> BoxedStrategy<Case> {
    prop_oneof![
        3 => prop::collection::vec(step(), 1..5),
        // A parent served first, so that replies to it make us fetch it.
        1 => (serve(), prop::collection::vec(step(), 1..4)).prop_map(|(first, rest)| {
            let mut steps = vec![first];
            steps.extend(rest);
            steps
        }),
    ]
    .prop_map(|steps| Case { steps })
    .boxed()
}
