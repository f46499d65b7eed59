//! The discovery documents: WebFinger's JRD (also host-meta's JSON form of the NodeInfo
//! links) and NodeInfo.

use serde::Serialize;

use crate::urls::Urls;

/// A JSON Resource Descriptor (RFC 7033).
#[derive(Debug, Clone, Serialize)]
pub struct Jrd {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub rel: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Link {
    fn to(rel: &'static str, kind: Option<&'static str>, href: String) -> Self {
        Self {
            rel,
            kind,
            href: Some(href),
            template: None,
        }
    }
}

const SELF: &str = "self";
const ACTIVITY_JSON: &str = "application/activity+json";

/// The blog's WebFinger answer: its actor, its home page, its avatar, and where a remote
/// follow lands (OStatus subscribe, which Mastodon and others use for "interact").
pub fn blog_jrd(urls: &Urls) -> Jrd {
    Jrd {
        subject: Some(format!("acct:{}", urls.acct())),
        aliases: vec![urls.actor(), urls.home()],
        links: vec![
            Link::to(SELF, Some(ACTIVITY_JSON), urls.actor()),
            Link::to(
                "http://webfinger.net/rel/profile-page",
                Some("text/html"),
                urls.home(),
            ),
            Link::to(
                "http://webfinger.net/rel/avatar",
                Some("image/png"),
                urls.avatar(),
            ),
            Link {
                rel: "http://ostatus.org/schema/1.0/subscribe",
                kind: None,
                href: None,
                template: Some(format!("{}/authorize_interaction?uri={{uri}}", urls.base())),
            },
        ],
    }
}

/// The instance actor's WebFinger answer.
pub fn instance_jrd(urls: &Urls) -> Jrd {
    Jrd {
        subject: Some(format!("acct:{}@{}", urls.host(), urls.domain())),
        aliases: vec![urls.instance_actor()],
        links: vec![Link::to(SELF, Some(ACTIVITY_JSON), urls.instance_actor())],
    }
}

/// `/.well-known/nodeinfo`: where the NodeInfo documents are.
pub fn nodeinfo_links(urls: &Urls) -> Jrd {
    let base = urls.base();
    Jrd {
        subject: None,
        aliases: Vec::new(),
        links: ["2.1", "2.0"]
            .into_iter()
            .map(|version| Link {
                rel: match version {
                    "2.1" => "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    _ => "http://nodeinfo.diaspora.software/ns/schema/2.0",
                },
                kind: None,
                href: Some(format!("{base}/nodeinfo/{version}")),
                template: None,
            })
            .collect(),
    }
}

/// NodeInfo 2.0 or 2.1 (which adds the software's homepage).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub version: &'static str,
    pub software: Software,
    pub protocols: [&'static str; 1],
    pub services: Services,
    pub open_registrations: bool,
    pub usage: Usage,
    pub metadata: Metadata,
}

#[derive(Debug, Clone, Serialize)]
pub struct Software {
    pub name: &'static str,
    pub version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Services {
    pub inbound: [&'static str; 0],
    pub outbound: [&'static str; 1],
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub users: Users,
    pub local_posts: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Users {
    pub total: u32,
    pub active_month: u32,
    pub active_halfyear: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub node_name: String,
    pub node_description: String,
}

/// NodeInfo `version` ("2.0" or "2.1") of a one-author blog with `posts` public reviews.
pub fn nodeinfo(
    version: &'static str,
    urls: &Urls,
    posts: i64,
    title: &str,
    description: &str,
) -> NodeInfo {
    NodeInfo {
        version,
        software: Software {
            name: "reviewpub",
            version: env!("CARGO_PKG_VERSION"),
            homepage: (version == "2.1").then(|| urls.home()),
        },
        protocols: ["activitypub"],
        services: Services {
            inbound: [],
            outbound: ["atom1.0"],
        },
        open_registrations: false,
        usage: Usage {
            users: Users {
                total: 1,
                active_month: 1,
                active_halfyear: 1,
            },
            local_posts: posts,
        },
        metadata: Metadata {
            node_name: title.to_string(),
            node_description: description.to_string(),
        },
    }
}
