#!/usr/bin/env node
/*
 * A minimal VC-API signing server on the pinned JavaScript reference: the
 * same-run peer of bench/issue_http.py, and what DCC's signing service does
 * (@digitalbazaar/vc issue() behind node's http module, no storage, no status).
 *
 *   node tests/interop/js/issue_server.mjs --seed <64 hex> [--port 0]
 *
 * POST /credentials/issue {"credential", "options"?} -> 201
 *   {"verifiableCredential"}: vc.issue() with DataIntegrityProof +
 *   eddsa-rdfc-2022 and the did:key Ed25519 key derived from the seed
 *   (options are ignored); 400 {"error"} when the credential cannot be signed.
 * POST /noop -> 201 {"ok": true} without parsing the body: a trivial endpoint
 *   for measuring what the load generator itself can do.
 * GET /healthz -> 200 {"did"}.
 *
 * On start it prints one JSON line to stdout: {"port", "did",
 * "verificationMethod"}. Contexts come from contexts/manifest.json only (env
 * CREDSTACK_CONTEXTS_DIR, default <repo>/contexts), checked against their
 * sha256; nothing is fetched.
 *
 * One node process runs JavaScript on one thread: requests are signed one at
 * a time, as in DCC's signing service, which runs one such process.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  cryptosuite as eddsaRdfc2022CryptoSuite
} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(SCRIPT_DIR, '..', '..', '..');
const MAX_BODY_BYTES = 1_000_000;

/** RFC 8785 JSON text (what the manifest's sha256 is computed over). */
function jcs(value) {
  if(value === null || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if(Array.isArray(value)) {
    return '[' + value.map(jcs).join(',') + ']';
  }
  return '{' + Object.keys(value).sort()
    .map(k => JSON.stringify(k) + ':' + jcs(value[k])).join(',') + '}';
}

function loadContexts() {
  const dir = process.env.CREDSTACK_CONTEXTS_DIR ?
    path.resolve(process.env.CREDSTACK_CONTEXTS_DIR) :
    path.join(REPO_ROOT, 'contexts');
  const manifest = JSON.parse(
    readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, entry] of Object.entries(manifest)) {
    const doc = JSON.parse(readFileSync(path.join(dir, entry.file), 'utf8'));
    const digest = createHash('sha256').update(jcs(doc), 'utf8')
      .digest('hex');
    if(typeof entry.sha256 === 'string' &&
      digest !== entry.sha256.toLowerCase()) {
      throw new Error(`${url}: sha256 ${digest} is not the manifest's`);
    }
    contexts.set(url, doc);
  }
  return contexts;
}

function makeDocumentLoader(contexts) {
  return async function documentLoader(url) {
    const context = contexts.get(url);
    if(context === undefined) {
      throw new Error(`${url} is not a pinned context; nothing is fetched`);
    }
    return {contextUrl: null, documentUrl: url,
      document: structuredClone(context)};
  };
}

async function makeSuite(seedHex) {
  if(!/^[0-9a-fA-F]{64}$/.test(seedHex ?? '')) {
    throw new Error('--seed must be 64 hex characters');
  }
  const seed = new Uint8Array(Buffer.from(seedHex, 'hex'));
  const probe = await Ed25519Multikey.generate({seed});
  const did = `did:key:${probe.publicKeyMultibase}`;
  const verificationMethod = `${did}#${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate(
    {seed, id: verificationMethod, controller: did});
  // No `date`: each proof's `created` is the time it is made.
  const suite = new DataIntegrityProof(
    {signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
  return {suite, did, verificationMethod};
}

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text)
  });
  response.end(text);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', chunk => {
      size += chunk.length;
      if(size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function issue(request, response, signing) {
  let credential;
  try {
    credential = JSON.parse(await readBody(request))?.credential;
  } catch(e) {
    send(response, 400, {error: `not a JSON body: ${e.message}`});
    return;
  }
  if(credential === null || typeof credential !== 'object') {
    send(response, 400, {error: 'no credential'});
    return;
  }
  try {
    const verifiableCredential = await vc.issue(
      {credential, suite: signing.suite,
        documentLoader: signing.documentLoader});
    send(response, 201, {verifiableCredential});
  } catch(e) {
    send(response, 400, {error: e.message});
  }
}

async function main() {
  const {values} = parseArgs({options: {
    seed: {type: 'string'}, port: {type: 'string', default: '0'},
    host: {type: 'string', default: '127.0.0.1'}
  }});
  const signing = {
    ...await makeSuite(values.seed),
    documentLoader: makeDocumentLoader(loadContexts())
  };
  const server = http.createServer((request, response) => {
    if(request.method === 'POST' && request.url === '/credentials/issue') {
      issue(request, response, signing).catch(e => send(
        response, 500, {error: e.message}));
    } else if(request.method === 'POST' && request.url === '/noop') {
      request.resume();
      request.on('end', () => send(response, 201, {ok: true}));
    } else if(request.method === 'GET' && request.url === '/healthz') {
      send(response, 200, {did: signing.did});
    } else {
      request.resume();
      send(response, 404, {error: 'not found'});
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(values.port), values.host, () => {
    process.stdout.write(JSON.stringify({
      port: server.address().port, did: signing.did,
      verificationMethod: signing.verificationMethod
    }) + '\n');
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(e => {
  process.stderr.write(`issue_server: ${e.stack ?? e}\n`);
  process.exit(1);
});
