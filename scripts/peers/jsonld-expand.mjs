// jsonld-expand.mjs: expands a JSON-LD document with the `jsonld` processor (the one Fedify
// uses), entirely offline: the ActivityStreams and security contexts come from Fedify's
// preloaded copies; any other remote context is refused. Safe mode: a term the contexts do
// not define is an error, not silently dropped. Prints the expanded document.
//
//   $NODE scripts/peers/jsonld-expand.mjs URL      # fetches URL as application/activity+json
//   $NODE scripts/peers/jsonld-expand.mjs -        # reads the document from standard input
//
// Written for this project's tests.
import { createRequire } from "node:module";
import path from "node:path";

const peers = process.env.REVIEWPUB_PEERS_DIR ?? path.join(process.env.HOME ?? "/root", ".cache/reviewpub-peers");
const require = createRequire(path.join(peers, "node/package.json"));
const jsonld = require("jsonld");
const { preloadedContexts } = await import(require.resolve("@fedify/vocab-runtime"));

const documentLoader = async (url) => {
  const document = preloadedContexts[url];
  if (document == null) throw new Error(`no offline copy of the context ${url}`);
  return { contextUrl: null, documentUrl: url, document };
};

async function read(source) {
  if (source === "-") {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return JSON.parse(text);
  }
  const response = await fetch(source, { headers: { accept: "application/activity+json" } });
  if (!response.ok) throw new Error(`GET ${source}: ${response.status}`);
  return await response.json();
}

try {
  const expanded = await jsonld.expand(await read(process.argv[2] ?? "-"), { documentLoader, safe: true });
  process.stdout.write(JSON.stringify(expanded) + "\n");
} catch (e) {
  process.stderr.write(`jsonld-expand: ${e?.stack ?? e}\n`);
  process.exit(1);
}
