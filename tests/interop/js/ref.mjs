#!/usr/bin/env node
/*
 * Credstack interop harness: the Digital Bazaar JavaScript reference
 * implementation (@digitalbazaar/vc + data-integrity/eddsa-rdfc-2022 +
 * Ed25519Signature2020 + jsonld) behind a JSON-lines protocol.
 *
 * One JSON request object per line on stdin, exactly one JSON response object
 * per line on stdout, in order. An optional request "id" is echoed back.
 * Nothing else is ever written to stdout; diagnostics go to stderr.
 *
 * Ops: canonize, sign, verify, bench, keys, ping. See tests/interop/README.md.
 *
 * Documents are loaded statically: JSON-LD contexts come only from
 * contexts/manifest.json (env CREDSTACK_CONTEXTS_DIR, default <repo>/contexts),
 * did:key URLs and https://host/path#z6Mk... verification methods are
 * synthesized offline. Nothing is ever fetched from the network.
 *
 * Credentials with credentialStatus are verified only when the request
 * passes the status list credentials they name ("statusLists"): the
 * checkStatus hook below verifies each list (signature, issuer) and reads
 * the credential's bit (Bitstring Status List v1.0 §3.2), offline.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import readline from 'node:readline';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {
  Ed25519VerificationKey2020
} from '@digitalbazaar/ed25519-verification-key-2020';
import {
  cryptosuite as eddsaRdfc2022CryptoSuite
} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import jsonld from 'jsonld';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
// tests/interop/js -> repository root
const REPO_ROOT = path.resolve(SCRIPT_DIR, '..', '..', '..');

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const ED25519_2020_V1 = 'https://w3id.org/security/suites/ed25519-2020/v1';

const SUITE_EDDSA = 'eddsa-rdfc-2022';
const SUITE_2020 = 'Ed25519Signature2020';
const SUITES = [SUITE_EDDSA, SUITE_2020];

// multicodec varint headers
const ED25519_PUB_HEADER = Buffer.from([0xed, 0x01]);
const ED25519_PRIV_HEADER = Buffer.from([0x80, 0x26]);
// "z6Mk" + base58btc of (0xed01 || 32-byte public key) is 48 characters
const ED25519_FINGERPRINT = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

class HarnessError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'HarnessError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------
// JSON-LD contexts: static, from contexts/manifest.json only
// ---------------------------------------------------------------------------

/**
 * RFC 8785 (JCS) serialization. JCS is defined in terms of ECMAScript
 * JSON.stringify for strings and numbers and UTF-16 code unit key order,
 * which is what Array.prototype.sort does on strings.
 *
 * @param {*} value - Parsed JSON value.
 * @returns {string} Canonical JSON text.
 */
function jcs(value) {
  if(value === null || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if(Array.isArray(value)) {
    return '[' + value.map(jcs).join(',') + ']';
  }
  const keys = Object.keys(value).sort();
  return '{' + keys.map(k => JSON.stringify(k) + ':' + jcs(value[k]))
    .join(',') + '}';
}

let contextCache = null;

function contextsDir() {
  return process.env.CREDSTACK_CONTEXTS_DIR ?
    path.resolve(process.env.CREDSTACK_CONTEXTS_DIR) :
    path.join(REPO_ROOT, 'contexts');
}

/**
 * Loads and checks every context in the manifest (once per process).
 * The manifest's sha256 is over the RFC 8785 form of each document (see
 * scripts/fetch_contexts.py); a mismatch is an error for every request that
 * needs a document loader, so the JS side never runs on different contexts.
 *
 * @returns {Map<string, object>} Context URL to parsed document.
 */
function loadContexts() {
  if(contextCache) {
    return contextCache;
  }
  const dir = contextsDir();
  const manifestPath = path.join(dir, 'manifest.json');
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch(e) {
    throw new HarnessError(
      `cannot read context manifest ${manifestPath}: ${e.message}`,
      'CONTEXT_MANIFEST');
  }
  const contexts = new Map();
  const problems = [];
  for(const [url, entry] of Object.entries(manifest)) {
    if(!entry || typeof entry.file !== 'string') {
      problems.push(`${url}: manifest entry has no "file"`);
      continue;
    }
    let doc;
    try {
      doc = JSON.parse(readFileSync(path.join(dir, entry.file), 'utf8'));
    } catch(e) {
      problems.push(`${url}: cannot read ${entry.file}: ${e.message}`);
      continue;
    }
    if(typeof entry.sha256 === 'string') {
      const digest = createHash('sha256').update(jcs(doc), 'utf8')
        .digest('hex');
      if(digest !== entry.sha256.toLowerCase()) {
        problems.push(
          `${url}: sha256 of RFC 8785 form of ${entry.file} is ${digest}, ` +
          `manifest says ${entry.sha256}`);
        continue;
      }
    }
    contexts.set(url, doc);
  }
  if(problems.length > 0) {
    throw new HarnessError(
      `context manifest ${manifestPath} is inconsistent: ` +
      problems.join('; '), 'CONTEXT_MANIFEST');
  }
  contextCache = contexts;
  return contexts;
}

// ---------------------------------------------------------------------------
// Offline verification methods and controller documents
// ---------------------------------------------------------------------------

function splitFragment(url) {
  const i = url.indexOf('#');
  return i === -1 ? [url, null] : [url.slice(0, i), url.slice(i + 1)];
}

function assertFingerprint(fingerprint, url) {
  if(!ED25519_FINGERPRINT.test(fingerprint)) {
    throw new HarnessError(
      `${url}: "${fingerprint}" is not an Ed25519 multibase public key ` +
      '(z6Mk...)', 'NOT_FOUND');
  }
}

function verificationMethodDoc({id, controller, fingerprint, keyType}) {
  if(keyType === 'Ed25519VerificationKey2020') {
    return {
      '@context': ED25519_2020_V1,
      id,
      type: 'Ed25519VerificationKey2020',
      controller,
      publicKeyMultibase: fingerprint
    };
  }
  return {
    '@context': MULTIKEY_V1,
    id,
    type: 'Multikey',
    controller,
    publicKeyMultibase: fingerprint
  };
}

/**
 * A controller document for one Ed25519 key. Its first context is the DID v1
 * context, so jsonld-signatures' ControllerProofPurpose reads it as is
 * (no framing, so no context has to be loaded for it).
 *
 * @param {object} options - Options.
 * @param {string} options.id - Controller id.
 * @param {string} options.fingerprint - z6Mk... public key.
 * @param {string} options.keyType - Multikey or Ed25519VerificationKey2020.
 * @returns {object} Controller (DID) document.
 */
function controllerDoc({id, fingerprint, keyType}) {
  const vmId = `${id}#${fingerprint}`;
  const vm = verificationMethodDoc({
    id: vmId, controller: id, fingerprint, keyType});
  delete vm['@context'];
  return {
    '@context': [
      DID_V1,
      keyType === 'Ed25519VerificationKey2020' ? ED25519_2020_V1 : MULTIKEY_V1
    ],
    id,
    verificationMethod: [vm],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

/**
 * Makes a static document loader.
 *
 * - JSON-LD contexts: exactly the URLs in contexts/manifest.json.
 * - did:key:z6Mk... -> DID document; did:key:z6Mk...#z6Mk... -> the
 *   verification method.
 * - http(s)://host/path#z6Mk... -> a verification method controlled by
 *   http(s)://host/path; that controller URL then resolves to a controller
 *   document listing the method under assertionMethod (only after the method
 *   itself was resolved by this loader).
 * - anything else: error (never fetched).
 *
 * @param {object} [options] - Options.
 * @param {string} [options.keyType='Multikey'] - Type of synthesized
 *   verification methods: 'Multikey' or 'Ed25519VerificationKey2020'.
 * @returns {Function} Async document loader.
 */
function makeDocumentLoader({keyType = 'Multikey'} = {}) {
  if(keyType !== 'Multikey' && keyType !== 'Ed25519VerificationKey2020') {
    throw new HarnessError(
      `keyType must be "Multikey" or "Ed25519VerificationKey2020"`,
      'BAD_REQUEST');
  }
  const contexts = loadContexts();
  // controller id -> fingerprint, for http(s) controllers seen in this loader
  const controllers = new Map();
  const result = (url, document) => ({
    contextUrl: null, documentUrl: url, document
  });
  return async function documentLoader(url) {
    if(typeof url !== 'string') {
      throw new HarnessError(`document URL must be a string`, 'NOT_FOUND');
    }
    const context = contexts.get(url);
    if(context !== undefined) {
      // a copy: jsonld rewrites relative @context URLs inside loaded contexts
      // in place (jsonld resolves each URL once and caches the result)
      return result(url, structuredClone(context));
    }
    const [base, fragment] = splitFragment(url);
    if(base.startsWith('did:key:')) {
      const fingerprint = base.slice('did:key:'.length);
      assertFingerprint(fingerprint, url);
      if(fragment === null) {
        return result(url, controllerDoc({id: base, fingerprint, keyType}));
      }
      if(fragment !== fingerprint) {
        throw new HarnessError(
          `${url}: did:key fragment must be the key fingerprint`,
          'NOT_FOUND');
      }
      return result(url, verificationMethodDoc(
        {id: url, controller: base, fingerprint, keyType}));
    }
    if(/^https?:\/\//.test(base)) {
      if(fragment !== null && ED25519_FINGERPRINT.test(fragment)) {
        controllers.set(base, fragment);
        return result(url, verificationMethodDoc(
          {id: url, controller: base, fingerprint: fragment, keyType}));
      }
      if(fragment === null && controllers.has(base)) {
        return result(url, controllerDoc(
          {id: base, fingerprint: controllers.get(base), keyType}));
      }
    }
    throw new HarnessError(
      `${url} is not in the context manifest and is not an offline ` +
      'Ed25519 key URL; the harness never fetches documents', 'NOT_FOUND');
  };
}

// ---------------------------------------------------------------------------
// Keys and suites
// ---------------------------------------------------------------------------

function seedBytes(seed) {
  if(typeof seed !== 'string' || !/^[0-9a-fA-F]{64}$/.test(seed)) {
    throw new HarnessError(
      '"seed" must be 64 hex characters (a 32-byte Ed25519 seed)',
      'BAD_REQUEST');
  }
  return new Uint8Array(Buffer.from(seed, 'hex'));
}

function base58btc(bytes) {
  const ALPHABET =
    '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = 0n;
  for(const b of bytes) {
    n = (n << 8n) | BigInt(b);
  }
  let out = '';
  while(n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for(const b of bytes) {
    if(b !== 0) {
      break;
    }
    out = '1' + out;
  }
  return out;
}

const keyCache = new Map();

/**
 * Derives the key material for a seed with both key libraries.
 *
 * @param {string} seed - 64 hex characters.
 * @returns {Promise<object>} {seed, fingerprint, did, multikey, key2020}.
 */
async function keysFor(seed) {
  const seedHex = (typeof seed === 'string') ? seed.toLowerCase() : seed;
  const cached = keyCache.get(seedHex);
  if(cached) {
    return cached;
  }
  const bytes = seedBytes(seedHex);
  const multikey = await Ed25519Multikey.generate({seed: bytes});
  const key2020 = await Ed25519VerificationKey2020.generate({seed: bytes});
  if(multikey.publicKeyMultibase !== key2020.publicKeyMultibase) {
    throw new HarnessError(
      'key libraries disagree on the public key', 'INTERNAL');
  }
  const fingerprint = multikey.publicKeyMultibase;
  const keys = {
    seedBytes: bytes,
    fingerprint,
    did: `did:key:${fingerprint}`,
    publicKeyHex: Buffer.from(multikey.publicKey).toString('hex'),
    // W3C form: multicodec ed25519-priv (0x1300) + the 32-byte seed
    secretKeyMultibase: 'z' + base58btc(
      Buffer.concat([ED25519_PRIV_HEADER, Buffer.from(bytes)])),
    // what @digitalbazaar/ed25519-multikey exports: 0x1300 + seed || public
    librarySecretKeyMultibase: multikey.secretKeyMultibase
  };
  keyCache.set(seedHex, keys);
  return keys;
}

function assertSuite(suite) {
  if(!SUITES.includes(suite)) {
    throw new HarnessError(
      `"suite" must be one of ${SUITES.join(', ')}`, 'BAD_REQUEST');
  }
}

/**
 * Builds a signing suite for a seed.
 *
 * @param {object} options - Options.
 * @returns {Promise<object>} Suite instance for vc.issue().
 */
async function signingSuite({suite, seed, created, verificationMethod}) {
  assertSuite(suite);
  const keys = await keysFor(seed);
  const vmId = verificationMethod ?? `${keys.did}#${keys.fingerprint}`;
  if(typeof vmId !== 'string' || vmId.length === 0) {
    throw new HarnessError(
      '"verificationMethod" must be a non-empty string', 'BAD_REQUEST');
  }
  const [controller] = splitFragment(vmId);
  const date = created ?? undefined;
  if(date !== undefined && typeof date !== 'string') {
    throw new HarnessError('"created" must be a string', 'BAD_REQUEST');
  }
  if(suite === SUITE_EDDSA) {
    const keyPair = await Ed25519Multikey.generate({
      seed: keys.seedBytes, id: vmId, controller});
    return new DataIntegrityProof({
      signer: keyPair.signer(), date, cryptosuite: eddsaRdfc2022CryptoSuite
    });
  }
  const key = await Ed25519VerificationKey2020.generate({
    seed: keys.seedBytes, id: vmId, controller});
  return new Ed25519Signature2020({key, date});
}

function verifyingSuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    new Ed25519Signature2020()
  ];
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

function errorCode(error) {
  if(!error || typeof error !== 'object') {
    return undefined;
  }
  const details = error.details;
  return details?.event?.code ?? details?.code ?? error.code ??
    error.cause?.details?.code ?? error.cause?.code;
}

/**
 * Flattens the errors of a verification result into short strings.
 *
 * @param {*} error - Error, array of errors or serialized errors.
 * @param {Array<string>} out - Collected messages.
 * @returns {Array<string>} Out.
 */
function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    for(const e of error) {
      errorMessages(e, out);
    }
    return out;
  }
  if(typeof error !== 'object') {
    out.push(String(error));
    return out;
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return errorMessages(error.errors, out);
  }
  let message = error.message ?? String(error);
  const eventMessage = error.details?.event?.message;
  if(eventMessage) {
    message += ` ${eventMessage}`;
  }
  const causeMessage = error.cause?.message ?? error.details?.cause?.message;
  if(causeMessage && !message.includes(causeMessage)) {
    message += ` (cause: ${causeMessage})`;
  }
  if(!out.includes(message)) {
    out.push(message);
  }
  return out;
}

function failure(error) {
  const response = {
    ok: false,
    error: errorMessages(error)[0] ?? String(error),
    name: error?.name ?? 'Error'
  };
  const code = errorCode(error);
  response.code = code === undefined ? response.name : String(code);
  return response;
}

// ---------------------------------------------------------------------------
// Ops
// ---------------------------------------------------------------------------

function requireObject(value, name) {
  if(value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HarnessError(`"${name}" must be a JSON object`, 'BAD_REQUEST');
  }
  return value;
}

async function opCanonize(req) {
  const doc = requireObject(req.doc, 'doc');
  const safe = req.safe === undefined ? true : req.safe;
  if(typeof safe !== 'boolean') {
    throw new HarnessError('"safe" must be a boolean', 'BAD_REQUEST');
  }
  const documentLoader = makeDocumentLoader();
  let nquads;
  if(req.canonizer === SUITE_EDDSA) {
    // exactly what the eddsa-rdfc-2022 cryptosuite hashes (base: null,
    // rdfDirection: 'i18n-datatype')
    nquads = await eddsaRdfc2022CryptoSuite.canonize(
      doc, {documentLoader, safe});
  } else if(req.canonizer === undefined || req.canonizer === 'jsonld') {
    nquads = await jsonld.canonize(doc, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      documentLoader,
      safe
    });
  } else {
    throw new HarnessError(
      '"canonizer" must be "jsonld" or "eddsa-rdfc-2022"', 'BAD_REQUEST');
  }
  return {ok: true, nquads};
}

async function issue({suite, seed, created, verificationMethod, credential}) {
  const signingSuiteInstance = await signingSuite(
    {suite, seed, created, verificationMethod});
  return vc.issue({
    credential,
    suite: signingSuiteInstance,
    documentLoader: makeDocumentLoader()
  });
}

async function opSign(req) {
  const credential = requireObject(req.credential, 'credential');
  const signed = await issue({
    suite: req.suite, seed: req.seed, created: req.created,
    verificationMethod: req.verificationMethod, credential
  });
  return {ok: true, signed};
}

function proofsOf(credential) {
  const proof = credential?.proof;
  if(proof === undefined) {
    return [];
  }
  return Array.isArray(proof) ? proof : [proof];
}

function defaultKeyType(credential) {
  const proofs = proofsOf(credential);
  if(proofs.length > 0 && proofs.every(p => p?.type === SUITE_2020)) {
    return 'Ed25519VerificationKey2020';
  }
  return 'Multikey';
}

// ---------------------------------------------------------------------------
// Bitstring Status List v1.0, checked against lists passed in the request
// ---------------------------------------------------------------------------

const STATUS_ENTRY_TYPE = 'BitstringStatusListEntry';
const STATUS_LIST_TYPE = 'BitstringStatusListCredential';

function idOf(value) {
  return (value && typeof value === 'object') ? value.id : value;
}

/**
 * Bitstring Status List v1.0 §3.2 steps 7-11 for one entry's bit: the
 * encodedList is multibase base64url ("u") of a GZIP-compressed bitstring
 * whose first index is the most significant bit of the first byte.
 *
 * @param {string} encodedList - The list's credentialSubject.encodedList.
 * @param {number} index - The entry's statusListIndex.
 * @returns {number} The bit (statusSize 1).
 */
function statusBit(encodedList, index) {
  if(typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw new HarnessError('encodedList is not multibase base64url', 'STATUS');
  }
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  if(!Number.isInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new HarnessError(`statusListIndex ${index} is out of range`,
      'STATUS_LIST_LENGTH_ERROR');
  }
  return (bits[index >> 3] >> (7 - (index & 7))) & 1;
}

/**
 * Makes @digitalbazaar/vc's checkStatus hook over status list credentials
 * given by URL (nothing is fetched). Each list must itself verify, come from
 * the credential's issuer and have the entry's statusPurpose; a set bit
 * makes the credential fail as revoked or suspended.
 *
 * @param {object} statusLists - statusListCredential URL -> list credential.
 * @param {object} options - {documentLoader, now}.
 * @returns {Function} Async checkStatus({credential}).
 */
function makeCheckStatus(statusLists, {documentLoader, now}) {
  return async function checkStatus({credential}) {
    const entries = [].concat(credential.credentialStatus ?? []);
    const results = [];
    for(const entry of entries) {
      results.push(await checkEntry(entry, credential));
    }
    const failed = results.filter(r => !r.verified);
    return {
      verified: failed.length === 0,
      results,
      error: failed.length === 0 ? undefined :
        new Error(failed.map(r => r.error).join('; '))
    };
  };

  async function checkEntry(entry, credential) {
    const purpose = entry?.statusPurpose;
    if(entry?.type !== STATUS_ENTRY_TYPE) {
      return {verified: false, purpose, error: `unsupported ${entry?.type}`};
    }
    const list = statusLists[entry.statusListCredential];
    if(!list) {
      return {verified: false, purpose,
        error: `no status list given for ${entry.statusListCredential}`};
    }
    const options = {credential: list, suite: verifyingSuites(),
      documentLoader};
    if(now !== undefined) {
      options.now = now;
    }
    const listResult = await vc.verifyCredential(options);
    if(!listResult.verified) {
      return {verified: false, purpose, error:
        'status list credential does not verify: ' +
        errorMessages(listResult.error).join('; ')};
    }
    const types = [].concat(list.type ?? []);
    const subject = list.credentialSubject ?? {};
    if(!types.includes(STATUS_LIST_TYPE) ||
      idOf(list.issuer) !== idOf(credential.issuer) ||
      subject.statusPurpose !== purpose) {
      return {verified: false, purpose, error:
        'status list is not the issuer\'s list for this purpose'};
    }
    const bit = statusBit(subject.encodedList,
      Number.parseInt(entry.statusListIndex, 10));
    if(bit !== 0) {
      return {verified: false, purpose, bit,
        error: purpose === 'revocation' ? 'credential is revoked' :
          `credential status "${purpose}" is set`};
    }
    return {verified: true, purpose, bit};
  }
}

async function verify({
  credential, now, checkIssuer = true, keyType, statusLists
}) {
  if(typeof checkIssuer !== 'boolean') {
    throw new HarnessError('"checkIssuer" must be a boolean', 'BAD_REQUEST');
  }
  if(now !== undefined && (typeof now !== 'string' ||
    isNaN(new Date(now)))) {
    throw new HarnessError('"now" must be a date-time string', 'BAD_REQUEST');
  }
  const options = {
    credential,
    suite: verifyingSuites(),
    documentLoader: makeDocumentLoader(
      {keyType: keyType ?? defaultKeyType(credential)})
  };
  if(now !== undefined) {
    options.now = now;
  }
  if(statusLists !== undefined) {
    requireObject(statusLists, 'statusLists');
    options.checkStatus = makeCheckStatus(statusLists, {
      documentLoader: options.documentLoader, now});
  }
  if(!checkIssuer) {
    // plain assertionMethod check, without vc's "issuer must be the
    // verification method's controller" rule
    options.purpose = new jsigs.purposes.AssertionProofPurpose();
  }
  return vc.verifyCredential(options);
}

function summarize(result, credential) {
  const errors = errorMessages(result.error);
  const proofs = [];
  for(const r of result.results ?? []) {
    const proofErrors = errorMessages(r.error);
    for(const purposeResult of [].concat(r.purposeResult ?? [])) {
      if(purposeResult && !purposeResult.valid) {
        errorMessages(purposeResult.error, proofErrors);
      }
    }
    for(const e of proofErrors) {
      if(!errors.includes(e)) {
        errors.push(e);
      }
    }
    if(r.proof === undefined) {
      // vc's own pre-checks (dates, status, shape) report a credential-level
      // result without a proof
      continue;
    }
    proofs.push({
      type: r.proof?.type,
      cryptosuite: r.proof?.cryptosuite,
      verificationMethod: typeof r.proof?.verificationMethod === 'object' ?
        r.proof.verificationMethod.id : r.proof?.verificationMethod,
      verified: r.verified === true,
      errors: proofErrors
    });
  }
  const proofCount = proofsOf(credential).length;
  const status = result.statusResult === undefined ? undefined : {
    verified: result.statusResult.verified === true,
    results: result.statusResult.results ?? []
  };
  if(status && !status.verified) {
    errorMessages(result.statusResult.error, errors);
  }
  return {
    status,
    verified: result.verified === true,
    // jsonld-signatures calls a proof set verified if ANY matched proof
    // verifies; this is true only if every proof in the set matched a suite
    // and verified
    allProofsVerified: result.verified === true && proofCount > 0 &&
      proofs.length === proofCount && proofs.every(p => p.verified),
    errors,
    proofs
  };
}

async function opVerify(req) {
  const credential = requireObject(req.credential, 'credential');
  const result = await verify({
    credential, now: req.now, checkIssuer: req.checkIssuer,
    keyType: req.keyType, statusLists: req.statusLists
  });
  return {ok: true, ...summarize(result, credential)};
}

async function opKeys(req) {
  const keys = await keysFor(req.seed);
  return {
    ok: true,
    publicKeyMultibase: keys.fingerprint,
    secretKeyMultibase: keys.secretKeyMultibase,
    librarySecretKeyMultibase: keys.librarySecretKeyMultibase,
    publicKeyHex: keys.publicKeyHex,
    did: keys.did,
    verificationMethod: `${keys.did}#${keys.fingerprint}`
  };
}

function positiveInt(value, name, fallback, min) {
  const v = value === undefined ? fallback : value;
  if(!Number.isInteger(v) || v < min) {
    throw new HarnessError(
      `"${name}" must be an integer >= ${min}`, 'BAD_REQUEST');
  }
  return v;
}

async function opBench(req) {
  const credential = requireObject(req.credential, 'credential');
  const iterations = positiveInt(req.iterations, 'iterations', 20, 1);
  const warmup = positiveInt(req.warmup, 'warmup', 5, 0);
  const created = req.created ?? '2024-01-01T00:00:00Z';
  const signArgs = {
    suite: req.suite, seed: req.seed, created,
    verificationMethod: req.verificationMethod
  };
  const verifyArgs = {
    now: req.now, checkIssuer: req.checkIssuer, keyType: req.keyType
  };
  // key derivation is cached per seed, so it is outside the timings; the
  // suite object is built per operation, as a caller of vc.issue() would
  const text = JSON.stringify(credential);
  let signed;
  let lastResult;
  for(let i = 0; i < warmup; ++i) {
    signed = await issue({...signArgs, credential: JSON.parse(text)});
    lastResult = await verify({...verifyArgs, credential: signed});
  }
  const signMs = [];
  const verifyMs = [];
  let verifiedCount = 0;
  for(let i = 0; i < iterations; ++i) {
    const input = JSON.parse(text);
    let t0 = performance.now();
    signed = await issue({...signArgs, credential: input});
    signMs.push(performance.now() - t0);
    t0 = performance.now();
    lastResult = await verify({...verifyArgs, credential: signed});
    verifyMs.push(performance.now() - t0);
    if(lastResult.verified === true) {
      ++verifiedCount;
    }
  }
  const summary = summarize(lastResult, signed);
  return {
    ok: true,
    suite: req.suite,
    iterations,
    warmup,
    sign_ms: signMs,
    verify_ms: verifyMs,
    verified: verifiedCount === iterations,
    errors: summary.errors,
    node: process.version
  };
}

async function opPing() {
  // also loads (and checks) the context manifest
  const contexts = loadContexts();
  return {
    ok: true,
    node: process.version,
    contextsDir: contextsDir(),
    contexts: [...contexts.keys()].sort()
  };
}

const OPS = {
  canonize: opCanonize,
  sign: opSign,
  verify: opVerify,
  bench: opBench,
  keys: opKeys,
  ping: opPing
};

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch(e) {
    return {ok: false, error: `invalid JSON request: ${e.message}`,
      name: 'SyntaxError', code: 'BAD_REQUEST'};
  }
  let response;
  try {
    if(req === null || typeof req !== 'object' || Array.isArray(req)) {
      throw new HarnessError('request must be a JSON object', 'BAD_REQUEST');
    }
    const op = OPS[req.op];
    if(!Object.hasOwn(OPS, req.op)) {
      throw new HarnessError(
        `unknown op ${JSON.stringify(req.op)}; expected one of ` +
        Object.keys(OPS).join(', '), 'BAD_REQUEST');
    }
    response = await op(req);
  } catch(e) {
    if(process.env.REF_DEBUG) {
      process.stderr.write(`${e?.stack ?? e}\n`);
    }
    response = failure(e);
  }
  if(req && typeof req === 'object' && req.id !== undefined) {
    response = {id: req.id, ...response};
  }
  return response;
}

function write(response) {
  let text;
  try {
    text = JSON.stringify(response);
  } catch(e) {
    text = JSON.stringify({ok: false, error:
      `cannot serialize response: ${e.message}`, name: e.name,
    code: 'INTERNAL', id: response?.id});
  }
  process.stdout.write(text + '\n');
}

process.on('uncaughtException', e => {
  process.stderr.write(`ref.mjs: uncaught exception: ${e?.stack ?? e}\n`);
});
process.on('unhandledRejection', e => {
  process.stderr.write(`ref.mjs: unhandled rejection: ${e?.stack ?? e}\n`);
});
// a reader that went away must not kill us with EPIPE noise
process.stdout.on('error', () => process.exit(0));

const rl = readline.createInterface({
  input: process.stdin, crlfDelay: Infinity, terminal: false});
for await (const line of rl) {
  if(line.trim() === '') {
    continue;
  }
  write(await handle(line));
}
