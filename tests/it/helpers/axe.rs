//! axe-core in the test browser: the page's WCAG 2.1 A/AA and best-practice violations, typed.
//! `scripts/install-test-deps` installs axe-core (pinned) from npm outside the repository.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::json;

use super::browser::Browser;

/// One rule the page breaks, with the elements that break it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    pub nodes: Vec<FailingNode>,
}

#[derive(Debug, Deserialize)]
pub struct FailingNode {
    /// CSS selectors (nested lists inside frames or shadow roots).
    pub target: Vec<serde_json::Value>,
    pub html: String,
    #[serde(rename = "failureSummary")]
    pub failure_summary: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Outcome {
    Ran {
        /// How many rules found something to check: a page axe did not see has none.
        rules: usize,
        violations: Vec<Violation>,
    },
    Failed {
        error: String,
    },
}

/// Where `scripts/install-test-deps` puts axe-core: `$REVIEWPUB_AXE_DIR`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/reviewpub/axe-core`.
fn axe_path() -> PathBuf {
    let dir = std::env::var_os("REVIEWPUB_AXE_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(|cache| PathBuf::from(cache).join("reviewpub/axe-core"))
        })
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/reviewpub/axe-core"))
        })
        .expect("HOME or XDG_CACHE_HOME is set");
    dir.join("node_modules/axe-core/axe.min.js")
}

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = axe_path();
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is not at {} ({e}): run scripts/install-test-deps",
                path.display()
            )
        })
    })
}

/// Runs axe on the page and hands back plain data (no DOM nodes), or the error.
const RUN: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  resultTypes: ['violations'],
}).then(
  (r) => done({ rules: r.passes.length + r.violations.length, violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
  })) }),
  (e) => done({ error: String(e) }),
);
";

impl Browser {
    /// axe-core's violations on the page now shown.
    pub async fn axe(&self) -> Vec<Violation> {
        let present = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .expect("script runs");
        if present != json!(true) {
            self.client
                .execute(axe_source(), vec![])
                .await
                .expect("axe-core loads");
        }
        let outcome = self
            .client
            .execute_async(RUN, vec![])
            .await
            .expect("axe runs");
        match serde_json::from_value(outcome).expect("axe's results") {
            Outcome::Ran { rules, violations } => {
                assert!(rules >= 10, "axe checked only {rules} rules");
                violations
            }
            Outcome::Failed { error } => panic!("axe failed: {error}"),
        }
    }

    /// Asserts the page now shown has no axe violations, naming each one and its elements.
    pub async fn assert_accessible(&self, page: &str) {
        let violations = self.axe().await;
        assert!(
            violations.is_empty(),
            "{page} ({}) has {} accessibility violation(s):\n{}",
            self.url().await,
            violations.len(),
            describe(&violations)
        );
    }
}

pub fn describe(violations: &[Violation]) -> String {
    let mut out = String::new();
    for v in violations {
        out.push_str(&format!(
            "- {} [{}]: {} ({})\n",
            v.id,
            v.impact.as_deref().unwrap_or("?"),
            v.help,
            v.help_url
        ));
        for node in &v.nodes {
            let target: Vec<String> = node.target.iter().map(|t| t.to_string()).collect();
            out.push_str(&format!("    at {}: {}\n", target.join(" > "), node.html));
            if let Some(summary) = &node.failure_summary {
                for line in summary.lines() {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
    }
    out
}
