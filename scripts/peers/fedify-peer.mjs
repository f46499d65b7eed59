// fedify-peer.mjs: a small ActivityPub peer over the Fedify library, for reviewpub's
// interoperability tests on loopback. Written for this project (MIT licence, like reviewpub's
// test tooling); it only uses Fedify's public API.
//
// Run with the Node 22 that scripts/peers/install puts in place:
//
//   NODE=${REVIEWPUB_PEERS_DIR:-$HOME/.cache/reviewpub-peers}/bin/node
//   $NODE scripts/peers/fedify-peer.mjs [OPTIONS] COMMAND [ARGS]
//
// Commands
//   lookup URL           Signed GET (draft-cavage or RFC 9421, double-knock) of an actor or object,
//                        signed with the peer actor's key. Prints one JSON document on stdout:
//                          {"url", "type", "id", "isActor", "publicKey": {"id","owner"} | null,
//                           "publicKeyFound": bool (actors only), "jsonld": <Fedify's compacted
//                           JSON-LD of the parsed object>}
//                        Fedify drops publicKey when the actor's @context lacks security/v1, so
//                        publicKeyFound=false for an actor means "Fedify cannot verify its
//                        signatures". Exit 0 when found, 1 when not found or on error.
//   serve                Serve the peer actor (a Person) at http://HOST:PORT/users/USER, with inbox
//                        /users/USER/inbox and shared inbox /inbox, and the notes made by `reply`
//                        at /notes/ID. Prints "LISTEN <actor url>" once ready, then for each inbox
//                        delivery one line, on stdout and appended to STATE/inbox.log:
//                          RECV <Type> <object id> actor=<actor id> id=<activity id>
//                               (passed Fedify's HTTP-signature check and key-owner check)
//                          REJECT <Type> <object id> actor=<actor id> id=<activity id> reason=<...>
//                               (failed it; Fedify answers 401)
//                        STATE/inbox.jsonl gets the same events with the full activity JSON.
//                        Follows are accepted automatically (unless --no-accept).
//   follow ACTOR_URL     Send Follow from the peer actor (a `serve` for the same --port/--state must
//                        be running, to serve the key and receive the Accept). Prints
//                        "FOLLOW <follow id>", then waits up to --wait seconds for a verified Accept
//                        of that Follow in STATE/inbox.jsonl and prints "ACCEPTED <follow id>".
//                        Exit 0 on Accept, 3 on timeout (--wait 0: do not wait).
//   unfollow ACTOR_URL   Send Undo(Follow) for the last Follow sent to ACTOR_URL. Prints "UNDO <id>".
//   reply OBJECT_URL TEXT
//                        Send Create(Note{inReplyTo: OBJECT_URL}) to the object's author
//                        (attributedTo). The note is stored in STATE/notes/ and served by `serve`.
//                        Prints "REPLY <note id>".
//
// Options (environment variable in brackets)
//   --port N              port of the peer's origin and listener      [FEDIFY_PEER_PORT, 18091]
//   --host NAME           host name in the peer's URLs                [FEDIFY_PEER_HOST, localhost]
//   --listen ADDR         address `serve` binds to                    [FEDIFY_PEER_LISTEN, 127.0.0.1]
//   --user NAME           the actor's identifier                       [FEDIFY_PEER_USER, peer]
//   --state DIR           keys, inbox log, notes  [FEDIFY_PEER_STATE, /tmp/fedify-peer-PORT]
//   --first-knock SPEC    rfc9421 | draft-cavage-http-signatures-12   [FIRST_KNOCK, rfc9421]
//   --wait SECONDS        how long `follow` waits for the Accept      [30]
//   --shared-inbox        deliver to the recipient's shared inbox when it has one
//   --no-accept           `serve` does not Accept incoming Follows
//   --unsigned            `lookup` without a signature
//   --debug               Fedify's debug log on stderr                 [DEBUG=1]
//
// Every outgoing HTTP request is traced on stderr as
//   HTTP-OUT <METHOD> <URL> sig=<rfc9421|draft-cavage|none> -> <status>
// and every request `serve` answers as
//   HTTP-IN <METHOD> <path> sig=<...> -> <status>
// so a test can see the double-knock (an rfc9421 try answered 401, then a draft-cavage retry).
//
// Use actor URLs, not handles: Fedify resolves handles with WebFinger over https only.
// The modules come from $REVIEWPUB_PEERS_DIR/node/node_modules (see scripts/peers/install),
// or from FEDIFY_PEER_NODE_MODULES.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

// ------------------------------------------------------------------ arguments ----

function usage(msg) {
  if (msg) process.stderr.write(`fedify-peer: ${msg}\n`);
  process.stderr.write(
    "usage: fedify-peer.mjs [--port N] [--host NAME] [--listen ADDR] [--user NAME] [--state DIR]\n" +
      "                       [--first-knock rfc9421|draft-cavage-http-signatures-12] [--wait S]\n" +
      "                       [--shared-inbox] [--no-accept] [--unsigned] [--debug]\n" +
      "                       lookup URL | serve | follow ACTOR_URL | unfollow ACTOR_URL |\n" +
      "                       reply OBJECT_URL TEXT\n",
  );
  process.exit(2);
}

const env = process.env;
const opts = {
  port: Number(env.FEDIFY_PEER_PORT ?? 18091),
  host: env.FEDIFY_PEER_HOST ?? "localhost",
  listen: env.FEDIFY_PEER_LISTEN ?? "127.0.0.1",
  user: env.FEDIFY_PEER_USER ?? "peer",
  state: env.FEDIFY_PEER_STATE ?? null,
  firstKnock: env.FIRST_KNOCK ?? "rfc9421",
  wait: 30,
  sharedInbox: false,
  accept: true,
  unsigned: false,
  debug: env.DEBUG === "1",
};
const positional = [];
{
  const argv = process.argv.slice(2);
  const value = (i) => {
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--port": opts.port = Number(value(i)); i++; break;
      case "--host": opts.host = value(i); i++; break;
      case "--listen": opts.listen = value(i); i++; break;
      case "--user": opts.user = value(i); i++; break;
      case "--state": opts.state = value(i); i++; break;
      case "--first-knock": opts.firstKnock = value(i); i++; break;
      case "--wait": opts.wait = Number(value(i)); i++; break;
      case "--shared-inbox": opts.sharedInbox = true; break;
      case "--no-accept": opts.accept = false; break;
      case "--unsigned": opts.unsigned = true; break;
      case "--debug": opts.debug = true; break;
      case "-h": case "--help": usage(); break;
      default:
        if (a.startsWith("--")) usage(`unknown option ${a}`);
        positional.push(a);
    }
  }
}
if (!Number.isInteger(opts.port) || opts.port <= 0 || opts.port > 65535) usage("bad --port");
if (!Number.isFinite(opts.wait) || opts.wait < 0) usage("bad --wait");
if (!["rfc9421", "draft-cavage-http-signatures-12"].includes(opts.firstKnock)) {
  usage(`bad --first-knock ${opts.firstKnock}`);
}
if (!/^[A-Za-z0-9_.-]+$/.test(opts.user)) usage("bad --user");
const command = positional.shift();
const arity = { lookup: 1, serve: 0, follow: 1, unfollow: 1, reply: 2 };
if (!(command in arity)) usage(command ? `unknown command ${command}` : "no command");
if (positional.length !== arity[command]) usage(`${command} takes ${arity[command]} argument(s)`);

const ORIGIN = `http://${opts.host}:${opts.port}`;
const STATE = path.resolve(opts.state ?? path.join(os.tmpdir(), `fedify-peer-${opts.port}`));
fs.mkdirSync(path.join(STATE, "notes"), { recursive: true });

function fail(msg, code = 1) {
  process.stderr.write(`fedify-peer: error: ${msg}\n`);
  process.exit(code);
}

// -------------------------------------------------------------- module loading ----

const NODE_MODULES = env.FEDIFY_PEER_NODE_MODULES ??
  path.join(env.REVIEWPUB_PEERS_DIR ?? path.join(os.homedir(), ".cache", "reviewpub-peers"),
    "node", "node_modules");

// Resolve a package's ESM entry point from its package.json "exports" (this script lives outside
// the node_modules tree, so a bare import would not find it).
function esmEntry(exp) {
  if (typeof exp === "string") return exp;
  if (Array.isArray(exp)) {
    for (const e of exp) {
      const r = esmEntry(e);
      if (r) return r;
    }
    return null;
  }
  if (exp && typeof exp === "object") {
    if ("." in exp) return esmEntry(exp["."]);
    for (const k of ["import", "node", "default"]) if (k in exp) return esmEntry(exp[k]);
  }
  return null;
}
async function load(pkg) {
  const dir = path.join(NODE_MODULES, pkg);
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    fail(`${pkg} not found under ${NODE_MODULES} (run scripts/peers/install)`);
  }
  const entry = esmEntry(meta.exports) ?? meta.module ?? meta.main ?? "index.js";
  return await import(pathToFileURL(path.join(dir, entry)).href);
}

const fedify = await load("@fedify/fedify");
const vocab = await load("@fedify/vocab");
const logtape = await load("@logtape/logtape");
const { Temporal } = await load("@js-temporal/polyfill");
const {
  Accept, Activity, Create, Endpoints, Follow, Note, Person, PUBLIC_COLLECTION, Undo, isActor,
} = vocab;

// Fedify logs through LogTape; send it to stderr so stdout stays machine-readable.
await logtape.configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr: (record) => process.stderr.write(logtape.defaultTextFormatter(record)),
  },
  loggers: [
    { category: "fedify", lowestLevel: opts.debug ? "debug" : "warning", sinks: ["stderr"] },
    // Without an Ed25519 key Fedify warns on every send that it adds no integrity proof.
    { category: ["fedify", "federation", "outbox"], lowestLevel: opts.debug ? "debug" : "error", sinks: ["stderr"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
  ],
});

// --------------------------------------------------------------- HTTP tracing ----

function sigKind(headers) {
  if (headers.get("signature-input")) return "rfc9421";
  if (headers.get("signature")) return "draft-cavage";
  return "none";
}
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  // Do not build a new Request from `input`: that would consume its body.
  const isReq = input instanceof Request;
  const method = init?.method ?? (isReq ? input.method : "GET");
  const url = isReq ? input.url : String(input);
  const kind = sigKind(new Headers(init?.headers ?? (isReq ? input.headers : undefined)));
  try {
    const res = await realFetch(input, init);
    process.stderr.write(`HTTP-OUT ${method} ${url} sig=${kind} -> ${res.status}\n`);
    return res;
  } catch (e) {
    process.stderr.write(`HTTP-OUT ${method} ${url} sig=${kind} -> error ${e?.message}\n`);
    throw e;
  }
};

// ----------------------------------------------------------------------- keys ----

// One RSA key pair per state directory, shared by `serve` and the sending commands.
async function loadKeyPair() {
  const file = path.join(STATE, "keys.json");
  if (!fs.existsSync(file)) {
    const pair = await fedify.generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const data = JSON.stringify({
      privateKey: await fedify.exportJwk(pair.privateKey),
      publicKey: await fedify.exportJwk(pair.publicKey),
    });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file); // atomic; fails if another process won the race
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    fs.unlinkSync(tmp);
  }
  const data = JSON.parse(fs.readFileSync(file, "utf8"));
  return {
    privateKey: await fedify.importJwk(data.privateKey, "private"),
    publicKey: await fedify.importJwk(data.publicKey, "public"),
  };
}
const keyPair = await loadKeyPair();

// ------------------------------------------------------------------ federation ----

const federation = fedify.createFederation({
  kv: new fedify.MemoryKvStore(),
  origin: ORIGIN,
  allowPrivateAddress: true,
  firstKnock: opts.firstKnock,
  userAgent: { software: "reviewpub-interop-fedify-peer/1.0" },
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== opts.user) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify interop peer",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: keys[0]?.cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === opts.user ? [keyPair] : []));

federation.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) =>
  identifier === opts.user ? { items: [] } : null
);

federation.setObjectDispatcher(Note, "/notes/{id}", async (ctx, values) => {
  if (!/^[A-Za-z0-9-]+$/.test(values.id)) return null;
  const file = path.join(STATE, "notes", `${values.id}.json`);
  if (!fs.existsSync(file)) return null;
  return await Note.fromJsonLd(JSON.parse(fs.readFileSync(file, "utf8")), {
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
  });
});

// Inbox: record what passed verification (RECV) and what did not (REJECT).
function appendEvent(line, event) {
  process.stdout.write(`${line}\n`);
  fs.appendFileSync(path.join(STATE, "inbox.log"), `${line}\n`);
  fs.appendFileSync(path.join(STATE, "inbox.jsonl"), `${JSON.stringify(event)}\n`);
}
async function record(activity, verified, reason) {
  const json = await activity.toJsonLd({ format: "compact" });
  const type = Array.isArray(json.type) ? json.type.join(",") : String(json.type);
  const objectId = activity.objectId?.href ?? "-";
  const actorId = activity.actorId?.href ?? "-";
  const id = activity.id?.href ?? "-";
  let line = `${verified ? "RECV" : "REJECT"} ${type} ${objectId} actor=${actorId} id=${id}`;
  if (!verified) line += ` reason=${JSON.stringify(reason)}`;
  appendEvent(line, {
    time: new Date().toISOString(), verified, type, objectId, actorId, id,
    reason: reason ?? null, activity: json,
  });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    await record(follow, true);
    if (!opts.accept || follow.id == null || follow.objectId?.href !== ctx.getActorUri(opts.user).href) return;
    const follower = await follow.getActor(ctx);
    if (follower == null) return;
    await ctx.sendActivity({ identifier: opts.user }, follower, new Accept({
      id: new URL(`${ORIGIN}/activities/${randomUUID()}`),
      actor: ctx.getActorUri(opts.user),
      object: follow,
    }));
  })
  .on(Activity, async (_ctx, activity) => {
    await record(activity, true);
  })
  .onUnverifiedActivity(async (_ctx, activity, reason) => {
    const r = { type: reason.type };
    if (reason.keyId) r.keyId = reason.keyId.href;
    if (reason.result?.status) r.status = reason.result.status;
    if (reason.result?.error) r.error = String(reason.result.error);
    await record(activity, false, r);
    // Returning nothing lets Fedify answer 401.
  })
  .onError((_ctx, error) => {
    process.stderr.write(`INBOX-ERROR ${error?.stack ?? error}\n`);
  });

function context() {
  return federation.createContext(new URL(ORIGIN), undefined);
}

async function signedLoader(ctx) {
  return await ctx.getDocumentLoader({ identifier: opts.user });
}

async function lookup(ctx, url) {
  const options = opts.unsigned ? {} : { documentLoader: await signedLoader(ctx) };
  return await ctx.lookupObject(url, options);
}

async function recipientOf(ctx, actorUrl) {
  const actor = await lookup(ctx, actorUrl);
  if (actor == null) fail(`could not fetch ${actorUrl}`);
  if (!isActor(actor)) fail(`${actorUrl} is not an actor`);
  if (actor.inboxId == null) fail(`${actorUrl} has no inbox`);
  return actor;
}

const sendOptions = () => ({ preferSharedInbox: opts.sharedInbox, immediate: true });

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return fallback;
  }
}

// -------------------------------------------------------------------- commands ----

async function cmdLookup(url) {
  const ctx = context();
  const obj = await lookup(ctx, url);
  if (obj == null) fail(`lookup of ${url} returned nothing (see the HTTP-OUT lines and warnings above)`);
  const json = await obj.toJsonLd({ format: "compact" });
  const out = {
    url,
    type: Array.isArray(json.type) ? json.type.join(",") : json.type,
    id: obj.id?.href ?? null,
    isActor: isActor(obj),
    publicKey: null,
  };
  if (isActor(obj)) {
    const key = await obj.getPublicKey({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
    out.publicKeyFound = key != null;
    if (key != null) out.publicKey = { id: key.id?.href ?? null, owner: key.ownerId?.href ?? null };
  }
  out.jsonld = json;
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.exit(!out.isActor || out.publicKeyFound ? 0 : 1);
}

async function toFetchRequest(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = !["GET", "HEAD"].includes(req.method) && chunks.length > 0;
  return new Request(new URL(req.url, ORIGIN), {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

// Keep each refused POST verbatim (STATE/refused/N.http) for debugging signature problems.
let refusedCount = 0;
async function dumpRequest(request, status) {
  const dir = path.join(STATE, "refused");
  fs.mkdirSync(dir, { recursive: true });
  let text = `${request.method} ${new URL(request.url).pathname} -> ${status}\n`;
  request.headers.forEach((v, k) => { text += `${k}: ${v}\n`; });
  text += `\n${await request.text()}\n`;
  const file = path.join(dir, `${Date.now()}-${++refusedCount}.http`);
  fs.writeFileSync(file, text);
  process.stderr.write(`REFUSED-REQUEST saved to ${file}\n`);
}

async function cmdServe() {
  const server = http.createServer(async (req, res) => {
    let status = 500;
    try {
      const request = await toFetchRequest(req);
      const kind = sigKind(request.headers);
      const copy = request.clone();
      const response = await federation.fetch(request, { contextData: undefined });
      status = response.status;
      if (req.method === "POST" && status >= 400) await dumpRequest(copy, status);
      const headers = {};
      response.headers.forEach((v, k) => { headers[k] = v; });
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
      process.stderr.write(`HTTP-IN ${req.method} ${req.url} sig=${kind} -> ${status}\n`);
    } catch (e) {
      process.stderr.write(`HTTP-IN ${req.method} ${req.url} -> 500 ${e?.stack ?? e}\n`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error\n");
    }
  });
  server.on("error", (e) => fail(`cannot listen on ${opts.listen}:${opts.port}: ${e.message}`));
  server.listen(opts.port, opts.listen, () => {
    process.stdout.write(`LISTEN ${ORIGIN}/users/${opts.user}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function cmdFollow(actorUrl) {
  const ctx = context();
  const target = await recipientOf(ctx, actorUrl);
  const follow = new Follow({
    id: new URL(`${ORIGIN}/follows/${randomUUID()}`),
    actor: ctx.getActorUri(opts.user),
    object: target.id,
  });
  const jsonl = path.join(STATE, "inbox.jsonl");
  const startSize = fs.existsSync(jsonl) ? fs.statSync(jsonl).size : 0;
  await ctx.sendActivity({ identifier: opts.user }, target, follow, sendOptions());
  const follows = readJson(path.join(STATE, "follows.json"), {});
  follows[target.id.href] = follow.id.href;
  fs.writeFileSync(path.join(STATE, "follows.json"), JSON.stringify(follows, null, 2));
  process.stdout.write(`FOLLOW ${follow.id.href}\n`);
  if (opts.wait === 0) process.exit(0);
  const deadline = Date.now() + opts.wait * 1000;
  let offset = startSize;
  while (Date.now() < deadline) {
    const buf = fs.existsSync(jsonl) ? fs.readFileSync(jsonl) : Buffer.alloc(0);
    const end = buf.lastIndexOf(0x0a) + 1; // only complete lines
    if (end > offset) {
      const text = buf.subarray(offset, end).toString("utf8");
      offset = end;
      for (const line of text.split("\n")) {
        let ev;
        try { ev = JSON.parse(line); } catch { continue; }
        if (ev.type !== "Accept" || ev.objectId !== follow.id.href) continue;
        if (ev.verified) {
          process.stdout.write(`ACCEPTED ${follow.id.href}\n`);
          process.exit(0);
        }
        process.stderr.write(`fedify-peer: an Accept arrived but failed verification: ${JSON.stringify(ev.reason)}\n`);
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`no verified Accept for ${follow.id.href} within ${opts.wait}s (is \`serve\` running with the same --port/--state?)`, 3);
}

async function cmdUnfollow(actorUrl) {
  const ctx = context();
  const target = await recipientOf(ctx, actorUrl);
  const follows = readJson(path.join(STATE, "follows.json"), {});
  const followId = follows[target.id.href];
  if (followId == null) fail(`no Follow of ${target.id.href} recorded in ${STATE}/follows.json`);
  const undo = new Undo({
    id: new URL(`${ORIGIN}/activities/${randomUUID()}`),
    actor: ctx.getActorUri(opts.user),
    object: new Follow({ id: new URL(followId), actor: ctx.getActorUri(opts.user), object: target.id }),
  });
  await ctx.sendActivity({ identifier: opts.user }, target, undo, sendOptions());
  delete follows[target.id.href];
  fs.writeFileSync(path.join(STATE, "follows.json"), JSON.stringify(follows, null, 2));
  process.stdout.write(`UNDO ${undo.id.href}\n`);
  process.exit(0);
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function cmdReply(objectUrl, text) {
  const ctx = context();
  const obj = await lookup(ctx, objectUrl);
  if (obj == null) fail(`could not fetch ${objectUrl}`);
  const authorId = obj.attributionId ?? (isActor(obj) ? obj.id : null);
  if (authorId == null) fail(`${objectUrl} has no attributedTo`);
  const author = await recipientOf(ctx, authorId.href);
  const uuid = randomUUID();
  const me = ctx.getActorUri(opts.user);
  const now = Temporal.Now.instant();
  const note = new Note({
    id: new URL(`${ORIGIN}/notes/${uuid}`),
    attribution: me,
    replyTarget: obj.id,
    content: `<p>${escapeHtml(text)}</p>`,
    to: PUBLIC_COLLECTION,
    cc: author.id,
    published: now,
  });
  // Store it first so that the recipient can dereference it while handling the Create.
  fs.writeFileSync(path.join(STATE, "notes", `${uuid}.json`), JSON.stringify(await note.toJsonLd()));
  const create = new Create({
    id: new URL(`${ORIGIN}/notes/${uuid}/activity`),
    actor: me,
    object: note,
    to: PUBLIC_COLLECTION,
    cc: author.id,
    published: now,
  });
  await ctx.sendActivity({ identifier: opts.user }, author, create, sendOptions());
  process.stdout.write(`REPLY ${note.id.href}\n`);
  process.exit(0);
}

try {
  if (command === "lookup") await cmdLookup(positional[0]);
  else if (command === "serve") await cmdServe();
  else if (command === "follow") await cmdFollow(positional[0]);
  else if (command === "unfollow") await cmdUnfollow(positional[0]);
  else if (command === "reply") await cmdReply(positional[0], positional[1]);
} catch (e) {
  fail(e?.stack ?? String(e));
}
