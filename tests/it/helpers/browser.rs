//! A real headless Chromium driven through its WebDriver (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/install-test-deps`), one per test.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::{free_port, shared_tmp};

pub struct Browser {
    pub client: Client,
    /// ChromeDriver, until killed.
    driver: Option<Child>,
    _profile: tempfile::TempDir,
}

fn program(name: &str, debian_path: &str) -> String {
    if std::path::Path::new(debian_path).exists() {
        debian_path.to_string()
    } else {
        name.to_string()
    }
}

impl Browser {
    /// Starts ChromeDriver on a free loopback port and a headless Chromium through it.
    pub async fn start() -> Self {
        let port = free_port();
        let driver = Command::new(program("chromedriver", "/usr/bin/chromedriver"))
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // A group of its own, with the Chromium it starts: stopped together (see `kill`).
            .process_group(0)
            .spawn()
            .expect("chromedriver runs (scripts/install-test-deps installs it)");
        let profile = shared_tmp("reviewpub-chromium-");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": program("chromium", "/usr/bin/chromium"),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("an object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) => {
                    assert!(Instant::now() < deadline, "ChromeDriver did not start: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        Self {
            client,
            driver: Some(driver),
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Types `text` into the field `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Sets a field's value as a picker would (date and time inputs take no typed text).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .expect("set the value");
    }

    /// Clicks `css` (a link or a form's button) and waits until the next page has replaced
    /// this one.
    pub async fn click(&self, css: &str) {
        let page = self.find("html").await;
        self.find(css).await.click().await.expect("click");
        let deadline = Instant::now() + Duration::from_secs(10);
        // The old page's root goes stale once the new page is there.
        while page.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "clicking {css} led to no new page"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("body"))
            .await
            .expect("the new page");
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// Emulates `prefers-color-scheme: light` or `dark` for the pages from now on, through
    /// ChromeDriver's passage to the DevTools protocol.
    pub async fn prefer_color_scheme(&self, scheme: &str) {
        let features = json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]});
        self.client
            .issue_cmd(DevTools {
                cmd: "Emulation.setEmulatedMedia",
                params: features,
            })
            .await
            .expect("Emulation.setEmulatedMedia");
    }

    /// A PNG of the window as it is now.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("screenshot")
    }

    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        self.kill();
    }

    /// Kills ChromeDriver's whole process group: the Chromium it started too, which killing
    /// ChromeDriver alone would leave running after a failed test. Once only: the group's id
    /// may be reused after that.
    fn kill(&mut self) {
        let Some(mut driver) = self.driver.take() else {
            return;
        };
        if let Ok(pid) = i32::try_from(driver.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = driver.kill();
        let _ = driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A DevTools protocol command sent through ChromeDriver (`goog/cdp/execute`).
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}
