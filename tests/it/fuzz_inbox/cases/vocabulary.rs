//! The raw material of generated cases: hostile markup and text, broken JSON, odd keys,
//! numbers, dates, depths and spellings.

use super::Ref;

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

pub(super) const ODD_REVIEW_SPELLINGS: u8 = 8;
pub(super) const UNREACHABLE: u8 = 4;
pub(super) const HOSTILE_URLS: u8 = 14;

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
