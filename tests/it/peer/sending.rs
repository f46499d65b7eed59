//! What alice sends: signed GETs and POSTs, with the wrong key, a chosen date, a tampered
//! body, a signature built by hand, or none.

use activitypub_federation::config::Data;
use activitypub_federation::http_signatures::generate_actor_keypair;
use reviewpub::db::federation::KeyRow;
use reviewpub::federation::actors::LocalActor;
use serde_json::Value;
use url::Url;

use super::{signer_for, Peer, RawSigned};

impl Peer {
    /// A GET signed by alice (as Mastodon's secure mode requires).
    pub async fn get_signed(&self, url: &str, accept: &str) -> reqwest::Response {
        self.get_signed_by(&self.signer, url, accept).await
    }

    async fn get_signed_by(&self, signer: &Data<()>, url: &str, accept: &str) -> reqwest::Response {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .get(url)
            .header("accept", accept);
        let request = signer
            .sign_request(builder, bytes::Bytes::new())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("GET")
    }

    /// Signs as alice (her keyId) with a key that is not hers.
    async fn impostor(&self) -> Data<()> {
        let pair = tokio::task::spawn_blocking(generate_actor_keypair)
            .await
            .expect("join")
            .expect("keys");
        let keys = KeyRow {
            public_key_pem: pair.public_key,
            private_key_pem: pair.private_key,
            created_at: chrono::Utc::now(),
        };
        let id = Url::parse(&self.actor_id).expect("url");
        let me = LocalActor {
            inbox: id.clone(),
            id,
            keys,
        };
        let domain = self.base.trim_start_matches("http://").to_string();
        signer_for(domain, &me).await
    }

    pub async fn get_signed_with_wrong_key(&self, url: &str, accept: &str) -> reqwest::Response {
        let impostor = self.impostor().await;
        self.get_signed_by(&impostor, url, accept).await
    }

    pub async fn post_with_wrong_key(&self, inbox: &str, activity: &Value) -> reqwest::Response {
        let impostor = self.impostor().await;
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let request = impostor
            .sign_request(builder, activity.to_string().into())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("POST")
    }

    /// POSTs `activity` to `inbox`, signed by alice as Mastodon signs.
    pub async fn post(&self, inbox: &str, activity: &Value) -> reqwest::Response {
        let body = activity.to_string();
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let request = self
            .signer
            .sign_request(builder, body.into())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("POST")
    }

    /// POSTs `body` as it is (any bytes, not only JSON a `Value` can hold) to `inbox`, signed
    /// by alice as Mastodon signs; a dropped connection is an `Err`, not a panic.
    pub async fn try_post_raw(
        &self,
        inbox: &str,
        body: String,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let request = self
            .signer
            .sign_request(builder, body.into())
            .await
            .expect("signing");
        self.client.execute(request).await
    }

    /// A POST signed by alice with the given `Date` (for stale and future dates).
    pub async fn post_dated(
        &self,
        inbox: &str,
        activity: &Value,
        date: chrono::DateTime<chrono::Utc>,
    ) -> reqwest::Response {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json")
            .header("date", date.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
        let request = self
            .signer
            .sign_request(builder, activity.to_string().into())
            .await
            .expect("signing");
        self.client.execute(request).await.expect("POST")
    }

    /// The same request, with its body changed after signing (the Digest no longer matches).
    pub async fn post_tampered(
        &self,
        inbox: &str,
        activity: &Value,
        tampered: &Value,
    ) -> reqwest::Response {
        let builder = reqwest_middleware::ClientWithMiddleware::from(self.client.clone())
            .post(inbox)
            .header("content-type", "application/activity+json");
        let mut request = self
            .signer
            .sign_request(builder, activity.to_string().into())
            .await
            .expect("signing");
        *request.body_mut() = Some(tampered.to_string().into());
        self.client.execute(request).await.expect("POST")
    }

    /// Sends a request whose signature alice built by hand from `raw` (a valid signature over
    /// whatever `raw` says is signed).
    pub async fn send_raw(&self, url: &str, raw: RawSigned<'_>) -> reqwest::Response {
        use sha2::Digest;
        let mut headers = raw.headers.clone();
        if let Some(body) = &raw.body {
            let digest = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                sha2::Sha256::digest(body.as_bytes()),
            );
            headers.push(("digest", format!("SHA-256={digest}")));
        }
        let lookup = |name: &str| {
            raw.signed
                .iter()
                .chain(headers.iter())
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let signing_string = raw
            .components
            .split(' ')
            .map(|c| match c {
                "(request-target)" => format!(
                    "(request-target): {} {}",
                    raw.method.to_ascii_lowercase(),
                    raw.target
                ),
                "(created)" | "(expires)" => {
                    let param = c.trim_matches(['(', ')']);
                    let value = raw
                        .extra
                        .split(',')
                        .find_map(|p| p.trim().strip_prefix(&format!("{param}=")))
                        .unwrap_or_default();
                    format!("{c}: {value}")
                }
                name => format!("{name}: {}", lookup(name)),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let signature = self.raw_signer.sign_string(&signing_string).expect("sign");
        let header = format!(
            "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{signature}\"{}",
            raw.key_id
                .clone()
                .unwrap_or_else(|| format!("{}#main-key", self.actor_id)),
            raw.components,
            raw.extra
        );
        let method = reqwest::Method::from_bytes(raw.method.as_bytes()).expect("method");
        let mut request = self.client.request(method, url).header("signature", header);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = raw.body {
            request = request.body(body);
        }
        request
            .send()
            .await
            .expect("request answered (not dropped)")
    }

    /// An unsigned POST.
    pub async fn post_unsigned(&self, inbox: &str, activity: &Value) -> reqwest::Response {
        self.client
            .post(inbox)
            .header("content-type", "application/activity+json")
            .body(activity.to_string())
            .send()
            .await
            .expect("POST")
    }
}

impl Peer {
    /// Sends `body` (or a GET when `None`) to `url` signed the RFC 9421 way, as Mastodon 4.5
    /// and Fedify do: `Content-Digest`, and a signature over `@method`, `@target-uri` and
    /// `content-digest` with `created` and `keyid`. `tamper` changes the body after signing.
    pub async fn send_rfc9421(
        &self,
        url: &str,
        body: Option<&Value>,
        tamper: Option<&Value>,
    ) -> reqwest::Response {
        use base64::Engine;
        use sha2::Digest;
        let b64 = base64::engine::general_purpose::STANDARD;
        let created = chrono::Utc::now().timestamp();
        let key_id = format!("{}#main-key", self.actor_id);
        let (method, components) = match body {
            Some(_) => ("POST", r#"("@method" "@target-uri" "content-digest")"#),
            None => ("GET", r#"("@method" "@target-uri")"#),
        };
        let params =
            format!(r#"{components};created={created};keyid="{key_id}";alg="rsa-v1_5-sha256""#);
        let body_text = body.map(Value::to_string).unwrap_or_default();
        let digest = format!(
            "sha-256=:{}:",
            b64.encode(sha2::Sha256::digest(body_text.as_bytes()))
        );
        let mut base = format!("\"@method\": {method}\n\"@target-uri\": {url}\n");
        if body.is_some() {
            base.push_str(&format!("\"content-digest\": {digest}\n"));
        }
        base.push_str(&format!("\"@signature-params\": {params}"));
        let signature = self.raw_signer.sign_string(&base).expect("sign");
        let sent = tamper.map(Value::to_string).unwrap_or(body_text);
        let mut request = self
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                url,
            )
            .header("signature-input", format!("sig1={params}"))
            .header("signature", format!("sig1=:{signature}:"))
            .header("accept", "application/activity+json");
        if body.is_some() {
            request = request
                .header("content-type", "application/activity+json")
                .header("content-digest", digest)
                .body(sent);
        }
        request.send().await.expect("request")
    }
}
