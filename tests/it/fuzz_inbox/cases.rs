//! What the fuzz generates: hostile activities, notes and actor edits, as `proptest`
//! strategies. References (our review, alice's notes, …) stay abstract until a case runs.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;

/// Markup and text that try to run script, restyle the page or break parsers.
pub(super) const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.invalid/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a class=\"u-url mention\" href=\"https://ok.example/@x\" onclick=\"alert(1)\">@x</a>",
    "<span class=\"h-card\" onmouseover=alert(1)>x</span>",
    "<iframe src=//x.invalid></iframe>",
    "<style>body{display:none}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=x></object><embed src=x>",
    "<form action=javascript:alert(1)><button formaction=javascript:alert(1)>x</button></form>",
    "<base href=javascript:/>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=//x.invalid/x.css>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "]]>",
    "</script><script>alert(1)</script>",
    "</textarea></title></style><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<a href=https://ok.example/>ok</a>",
    "<p>A fine <em>review</em>.</p>",
    "<blockquote><pre><code>x</code></pre></blockquote>",
    "<ol><li><ul><li>deep",
    "&#0;",
    "&#1;",
    "&#x1F;",
    "&#xFFFE;",
    "&#xD800;",
    "&#x110000;",
    "&#128;",
    "&amp;",
    "&",
    "<",
    ">",
    "\"",
    "'",
    "\u{0}",
];

/// Single characters that XML, logs or terminals do not like.
pub(super) const CHARS: &[&str] = &[
    "\u{0}",
    "\u{1}",
    "\u{8}",
    "\u{b}",
    "\u{c}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{9f}",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{202e}",
    "\u{2028}",
    "\u{200b}",
    "\r\n",
    "\t",
    "🎬",
    "é",
];

/// Escapes written into the JSON body as they are: escaped controls and noncharacters.
pub(super) const ESCAPES: &[&str] = &["\\u0000", "\\u001b", "\\ufffe", "\\ud83c\\udfac", "\\u2028"];

/// What no JSON parser should accept: lone surrogates, numbers JSON does not have or that
/// overflow, nesting deeper than any parser's limit.
pub(super) const BROKEN: &[&str] = &[
    "\"\\ud800\"",
    "\"\\udfff\"",
    "\"x\\udc00\\ud800\"",
    "NaN",
    "00",
    "1e400",
    "-1e400",
];

pub(super) const WORDS: &[&str] = &["Great review", " ", "film", "@reviews", "#cinema", "x"];

/// Numbers as written into the JSON: huge, tiny, negative zero, not JSON at all.
pub(super) const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "18446744073709551616",
    "123456789012345678901234567890",
    "1.7976931348623157e308",
    "5e-324",
    "9007199254740993",
    "0.1",
];

/// Keys of generated objects (and extra fields of activities and notes).
pub(super) const KEYS: &[&str] = &[
    "id",
    "type",
    "href",
    "url",
    "name",
    "content",
    "actor",
    "object",
    "@context",
    "mediaType",
    "attributedTo",
    "inReplyTo",
    "to",
    "cc",
    "target",
    "signature",
    "__proto__",
    "",
    "\u{0}",
];

/// Fields of alice's actor document a case may change.
pub(super) const ACTOR_KEYS: &[&str] = &[
    "name",
    "name",
    "preferredUsername",
    "summary",
    "url",
    "icon",
    "image",
    "type",
    "id",
    "inbox",
    "endpoints",
    "publicKey",
    "attachment",
];

pub(super) const NOTE_TYPES: &[&str] = &["Note", "Article", "Question", "Page"];
pub(super) const LANGUAGES: &[&str] = &["en", "", "<script>", "\u{0}"];
/// Nesting a parser accepts inside an activity (whose own envelope is a few levels deep).
pub(super) const DEPTHS: &[usize] = &[5, 20, 60];
pub(super) const TOO_DEEP: &[usize] = &[129, 1000, 100_000];
pub(super) const PARENTS: &[Ref] = &[
    Ref::Review,
    Ref::Review,
    Ref::Review,
    Ref::ReviewPage,
    Ref::OurComment,
    Ref::AliceNote(0),
    Ref::BobNote(0),
    Ref::BobNote(0),
    Ref::BobNote(1),
];
pub(super) const DELETED_THINGS: &[Ref] = &[
    Ref::AliceNote(0),
    Ref::AliceNote(1),
    Ref::Alice,
    Ref::BobNote(0),
    Ref::Bob,
    Ref::OurComment,
    Ref::Review,
];
pub(super) const TOMBSTONES: &[Ref] = &[Ref::AliceNote(0), Ref::BobNote(0), Ref::OurComment];
pub(super) const UNDONE: &[Ref] = &[
    Ref::AliceActivity(0),
    Ref::AliceActivity(1),
    Ref::BobActivity(0),
];
pub(super) const FOLLOWED: &[Ref] = &[Ref::Alice, Ref::Bob, Ref::Review];

pub(super) const DATES: &[&str] = &[
    "2026-11-20T10:00:00Z",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "1970-01-01T00:00:00+23:59",
    "2026-13-45T99:99:99Z",
    "2026-11-20T10:00:00.123456789123Z",
    "+275760-09-13T00:00:00Z",
    "",
    "now",
];

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

pub(super) const ODD_REVIEW_SPELLINGS: u8 = 8;
pub(super) const UNREACHABLE: u8 = 4;
pub(super) const HOSTILE_URLS: u8 = 14;

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

// ---------------------------------------------------------------------------------------------
// Strategies

pub(super) fn lit(s: &'static str) -> Val {
    Val::Str(Text(vec![Piece {
        frag: Frag::Lit(s),
        times: 1,
    }]))
}

pub(super) fn r(x: Ref) -> Val {
    Val::Ref(x)
}

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

/// Activity types and how often they are sent; `?` is a generated value as the type.
pub(super) const KINDS: &[(u32, &str)] = &[
    (30, "Create"),
    (12, "Update"),
    (10, "Delete"),
    (6, "Like"),
    (6, "Announce"),
    (10, "Undo"),
    (6, "Follow"),
    (5, "Flag"),
    (1, "Accept"),
    (1, "Reject"),
    (1, "Add"),
    (1, "Block"),
    (1, "Move"),
    (1, "EmojiReact"),
    (4, "?"),
];

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
