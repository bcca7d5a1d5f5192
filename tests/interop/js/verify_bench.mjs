#!/usr/bin/env node
/*
 * Times the JavaScript reference verifying one credential, per operation: the
 * same-run peer of bench/verify.py.
 *
 *   node tests/interop/js/verify_bench.mjs < request.json
 *
 * The request (one JSON object on stdin): {"credentialText": "<the signed
 * credential as JSON text>", "iterations": N, "warmup": W}. Each operation is
 * JSON.parse of that text + vc.verifyCredential() of @digitalbazaar/vc with
 * DataIntegrityProof/eddsa-rdfc-2022 and Ed25519Signature2020 and vc's default
 * purpose (assertionMethod, and the verification method's controller must be
 * the issuer), timed with performance.now(); W untimed operations run first,
 * so jsonld's resolved-context cache is warm. The suites and the document
 * loader are built once, as a long-running verifier would hold them.
 *
 * Documents are loaded statically, as in ref.mjs: JSON-LD contexts only from
 * contexts/manifest.json (env CREDSTACK_CONTEXTS_DIR, default <repo>/contexts,
 * checked against their sha256), did:key:z6Mk... DID documents and
 * verification methods (Multikey) synthesized offline. Nothing is fetched.
 *
 * The answer (one JSON line on stdout): {"node", "iterations", "warmup",
 * "verify_ms": [...], "verified": every operation verified, "errors": [...]}.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {
  cryptosuite as eddsaRdfc2022CryptoSuite
} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(SCRIPT_DIR, '..', '..', '..');
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const ED25519_FINGERPRINT = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

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

function verificationMethod(id, controller, fingerprint) {
  return {
    '@context': MULTIKEY_V1,
    id,
    type: 'Multikey',
    controller,
    publicKeyMultibase: fingerprint
  };
}

/** The DID document of a did:key (one Multikey, in every relationship). */
function didDocument(did, fingerprint) {
  const vmId = `${did}#${fingerprint}`;
  const vm = verificationMethod(vmId, did, fingerprint);
  delete vm['@context'];
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [vm],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

function makeDocumentLoader(contexts) {
  const result = (url, document) => ({
    contextUrl: null, documentUrl: url, document
  });
  return async function documentLoader(url) {
    const context = contexts.get(url);
    if(context !== undefined) {
      // a copy: jsonld may rewrite relative @context URLs in place
      return result(url, structuredClone(context));
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? null : url.slice(hash + 1);
    const fingerprint = base.startsWith('did:key:') ?
      base.slice('did:key:'.length) : '';
    if(!ED25519_FINGERPRINT.test(fingerprint) ||
      (fragment !== null && fragment !== fingerprint)) {
      throw new Error(`${url} is neither a pinned context nor an Ed25519 ` +
        'did:key; nothing is fetched');
    }
    return result(url, fragment === null ?
      didDocument(base, fingerprint) :
      verificationMethod(url, base, fingerprint));
  };
}

function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return errorMessages(error.errors, out);
  }
  const message = error.message ?? String(error);
  if(!out.includes(message)) {
    out.push(message);
  }
  return out;
}

function count(value, name, min) {
  if(!Number.isInteger(value) || value < min) {
    throw new Error(`"${name}" must be an integer >= ${min}`);
  }
  return value;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const request = JSON.parse(await readStdin());
  const text = request.credentialText;
  if(typeof text !== 'string') {
    throw new Error('"credentialText" must be a string');
  }
  const iterations = count(request.iterations, 'iterations', 1);
  const warmup = count(request.warmup ?? 0, 'warmup', 0);
  const documentLoader = makeDocumentLoader(loadContexts());
  const suite = [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    new Ed25519Signature2020()
  ];
  const verifyMs = [];
  const errors = [];
  let verifiedCount = 0;
  for(let i = 0; i < warmup + iterations; ++i) {
    const t0 = performance.now();
    const credential = JSON.parse(text);
    const result = await vc.verifyCredential(
      {credential, suite, documentLoader});
    const elapsed = performance.now() - t0;
    if(i < warmup) {
      continue;
    }
    verifyMs.push(elapsed);
    if(result.verified === true) {
      ++verifiedCount;
    } else if(errors.length === 0) {
      errorMessages(result.error, errors);
      for(const r of result.results ?? []) {
        errorMessages(r.error, errors);
      }
    }
  }
  return {
    node: process.version,
    iterations,
    warmup,
    verify_ms: verifyMs,
    verified: verifiedCount === iterations,
    errors
  };
}

try {
  process.stdout.write(JSON.stringify(await main()) + '\n');
} catch(e) {
  process.stderr.write(`verify_bench.mjs: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
}
