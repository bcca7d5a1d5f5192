/*
 * Shared plumbing for the wallet drivers. Import it FIRST in every driver (before any wallet library), because it:
 *
 * - keeps the drivers on loopback: every TCP/TLS connection to a host other than 127.0.0.0/8, ::1 or localhost is
 *   refused in-process (net.Socket#connect, which node's fetch, undici, http/https and node-fetch all go through)
 *   and reported as a {"step":"blocked"} line, so a library that would fetch a context, a schema or a DID document
 *   from the internet fails fast and visibly instead of hanging on DNS;
 * - logs every HTTP request any library makes ({"step":"http", method, url, status}) from node's diagnostics
 *   channels (undici = node's fetch and @digitalbazaar/http-client; http.client = cross-fetch/node-fetch);
 * - moves console.log/info/warn/debug to stderr, so stdout carries only this driver's JSON lines.
 *
 * Output protocol (read by tests/interop/wallets/wallet_server.py): one JSON object per stdout line with a "step"
 * member; the last one is {"step":"result","ok":true|false,...}. Exit 0 = ok, 1 = the flow failed or its check
 * failed, 2 = usage error.
 */
import crypto from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

/** The 1EdTech OB JSON schemas Credstack pins (src/schemas/data), for verifier-core's schema check. */
export const PINNED_SCHEMAS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'src',
  'schemas', 'data');
const SCHEMA_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/';

const write = process.stdout.write.bind(process.stdout);
for(const method of ['log', 'info', 'warn', 'debug', 'trace']) {
  console[method] = (...args) => console.error(...args);
}

/** Print one JSON step line on stdout. */
export function step(name, data = {}) {
  write(JSON.stringify({step: name, ...data}) + '\n');
}

// ---------------------------------------------------------------------------------------------------- network

export function isLoopbackHost(host) {
  if(typeof host !== 'string' || host === '') {
    return true; // node's default host is localhost
  }
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === '::ffff:127.0.0.1';
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  let options = args[0];
  if(Array.isArray(options)) { // net.connect() passes its normalized [options, cb]
    options = options[0];
  }
  let host;
  let port;
  let path;
  if(options && typeof options === 'object') {
    ({host, port, path} = options);
  } else if(typeof options === 'number' || (typeof options === 'string' && /^\d+$/.test(options))) {
    port = options;
    host = typeof args[1] === 'string' ? args[1] : undefined;
  } else if(typeof options === 'string') {
    path = options;
  }
  if(!path && !isLoopbackHost(host)) {
    step('blocked', {host, port: port === undefined ? null : Number(port)});
    const error = new Error(`connection to ${host}:${port} refused: wallet drivers stay on loopback`);
    error.code = 'ECONNREFUSED';
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

const REDACT = new Set(['pre-authorized_code', 'tx_code', 'user_pin', 'access_token', 'jwt', 'client_secret']);

/** A short description of a request body: parameter names (form) or top-level keys (JSON), secrets left out. */
export function describeBody(body, contentType = '') {
  if(body === undefined || body === null) {
    return undefined;
  }
  let text;
  if(typeof body === 'string') {
    text = body;
  } else if(body instanceof URLSearchParams) {
    text = body.toString();
  } else if(body instanceof Uint8Array) {
    text = Buffer.from(body).toString('utf8');
  } else {
    return undefined;
  }
  const trimmed = text.trim();
  if(trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed);
      const shape = {};
      for(const [key, value] of Object.entries(json)) {
        if(value && typeof value === 'object' && !Array.isArray(value)) {
          shape[key] = Object.keys(value);
        } else {
          shape[key] = REDACT.has(key) ? '…' : (typeof value === 'string' && value.length > 80 ? '…' : value);
        }
      }
      return {json: shape};
    } catch {
      return {text: trimmed.slice(0, 80)};
    }
  }
  if(contentType.includes('x-www-form-urlencoded') || /^[\w.%~-]+=/.test(trimmed) || trimmed === '') {
    const form = {};
    for(const [key, value] of new URLSearchParams(trimmed)) {
      form[key] = REDACT.has(key) ? '…' : (value.length > 120 ? value.slice(0, 120) + '…' : value);
    }
    return {form};
  }
  return {text: trimmed.slice(0, 80)};
}

function headerValue(headers, name) {
  // undici: flat array [k, v, k, v] (or a string block in older versions); http: getHeader()
  if(Array.isArray(headers)) {
    for(let i = 0; i + 1 < headers.length; i += 2) {
      if(String(headers[i]).toLowerCase() === name) {
        return String(headers[i + 1]);
      }
    }
  } else if(typeof headers === 'string') {
    const match = headers.match(new RegExp(`^${name}:\\s*(.*)$`, 'im'));
    return match ? match[1].trim() : undefined;
  }
  return undefined;
}

const pending = new WeakMap();
diagnostics.subscribe('undici:request:create', ({request}) => {
  const entry = {
    method: request.method,
    url: `${request.origin}${request.path}`,
    contentType: headerValue(request.headers, 'content-type'),
    accept: headerValue(request.headers, 'accept'),
    body: describeBody(request.body, headerValue(request.headers, 'content-type') ?? '')
  };
  pending.set(request, entry);
});
diagnostics.subscribe('undici:request:headers', ({request, response}) => {
  const entry = pending.get(request);
  if(entry) {
    pending.delete(request);
    step('http', {via: 'undici', ...entry, status: response.statusCode});
  }
});
diagnostics.subscribe('undici:request:error', ({request, error}) => {
  const entry = pending.get(request);
  if(entry) {
    pending.delete(request);
    step('http', {via: 'undici', ...entry, error: String(error?.message ?? error)});
  }
});
diagnostics.subscribe('http.client.response.finish', ({request, response}) => {
  step('http', {
    via: 'http',
    method: request.method,
    url: `${request.protocol}//${request.getHeader('host') ?? request.host}${request.path}`,
    contentType: [].concat(request.getHeader('content-type') ?? [])[0],
    accept: [].concat(request.getHeader('accept') ?? [])[0],
    status: response.statusCode
  });
});

// ------------------------------------------------------------------------------------------------------- keys

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes) {
  let value = 0n;
  for(const byte of bytes) {
    value = value * 256n + BigInt(byte);
  }
  let out = '';
  while(value > 0n) {
    out = BASE58[Number(value % 58n)] + out;
    value /= 58n;
  }
  for(const byte of bytes) {
    if(byte !== 0) {
      break;
    }
    out = '1' + out;
  }
  return out;
}

export function base64url(bytes) {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * A random Ed25519 holder key (node:crypto) and its did:key (multicodec 0xed01 + base58btc).
 * `signJwt(header, payload)` returns a compact EdDSA JWS.
 */
export function ed25519Holder() {
  const {publicKey, privateKey} = crypto.generateKeyPairSync('ed25519');
  const jwk = publicKey.export({format: 'jwk'});
  const raw = Buffer.from(jwk.x, 'base64url');
  const fingerprint = 'z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
  const did = `did:key:${fingerprint}`;
  const kid = `${did}#${fingerprint}`;
  const sign = data => new Uint8Array(crypto.sign(null, Buffer.from(data), privateKey));
  const signJwt = (header, payload) => {
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    return `${input}.${base64url(sign(Buffer.from(input)))}`;
  };
  return {did, kid, publicJwk: {kty: 'OKP', crv: 'Ed25519', x: jwk.x}, sign, signJwt, privateKey};
}

// ----------------------------------------------------------------------------------------------- credentials

export function decodeJwtPayload(jwt) {
  const parts = String(jwt).split('.');
  if(parts.length !== 3) {
    throw new Error('not a compact JWS');
  }
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

export function decodeJwtHeader(jwt) {
  return JSON.parse(Buffer.from(String(jwt).split('.')[0], 'base64url').toString('utf8'));
}

/**
 * The credential document inside what an issuer returned: an object as is; a compact JWT decoded, with the
 * OB 3.0 VC-JWT layout (credential at the top level of the payload) or the VCDM 1.1 one (`vc` claim), as
 * walt.id's wallet reads it (`payload.vc ?? payload`).
 */
export function credentialDocument(credential) {
  if(typeof credential === 'string') {
    const payload = decodeJwtPayload(credential);
    return payload.vc ?? payload;
  }
  return credential;
}

export function subjectIds(document) {
  const subjects = [].concat(document?.credentialSubject ?? []);
  return subjects.map(subject => (typeof subject === 'string' ? subject : subject?.id)).filter(Boolean);
}

/**
 * Print the result line, write the credential to `out` (JSON, or the JWT string as is), and exit:
 * 0 when every credential's credentialSubject.id is `expectedSubject` (skipped when it is null), 1 otherwise.
 */
export function finish({credentials, expectedSubject, out, extra = {}}) {
  const list = [].concat(credentials ?? []);
  const documents = list.map(credentialDocument);
  const subjects = documents.map(subjectIds);
  let ok = list.length > 0;
  let reason = ok ? undefined : 'no credential received';
  if(ok && expectedSubject !== null && expectedSubject !== undefined) {
    ok = subjects.every(ids => ids.includes(expectedSubject));
    if(!ok) {
      reason = `credentialSubject.id ${JSON.stringify(subjects)} is not the holder ${expectedSubject}`;
    }
  }
  if(out && list.length > 0) {
    const first = list[0];
    fs.writeFileSync(out, typeof first === 'string' ? first + '\n' : JSON.stringify(first, null, 2) + '\n');
  }
  step('result', {
    ok, ...(reason ? {reason} : {}), holder: expectedSubject ?? null, subjects, ...extra,
    credentials: list
  });
  process.exit(ok ? 0 : 1);
}

/** Print a failed result for an exception (with its cause chain and any HTTP body) and exit 1. */
export function fail(error, extra = {}) {
  const causes = [];
  for(let e = error, depth = 0; e && depth < 6; e = e.cause, depth++) {
    const entry = {name: e.name, message: String(e.message ?? e)};
    const data = e.data ?? e.response?.data ?? e.response?.body;
    if(data !== undefined) {
      entry.data = data;
    }
    if(e.status ?? e.response?.status) {
      entry.status = e.status ?? e.response?.status;
    }
    causes.push(entry);
  }
  console.error(error?.stack ?? error);
  step('result', {ok: false, reason: String(error?.message ?? error), errors: causes, ...extra});
  process.exit(1);
}

/**
 * node:util parseArgs with `--help` and usage errors (exit 2). `spec` is {name: {type, short?, default?, help}}.
 */
export function cli({name, summary, usage, spec}) {
  const options = {help: {type: 'boolean', short: 'h'}};
  for(const [key, value] of Object.entries(spec)) {
    options[key] = {type: value.type, ...(value.short ? {short: value.short} : {}),
      ...(value.multiple ? {multiple: true} : {}), ...(value.default !== undefined ? {default: value.default} : {})};
  }
  const help = () => {
    const lines = [`${name}: ${summary}`, '', `usage: node ${name} ${usage}`, ''];
    for(const [key, value] of Object.entries(spec)) {
      const flag = `--${key}${value.type === 'string' ? ' VALUE' : ''}`;
      lines.push(`  ${flag.padEnd(28)} ${value.help}${value.default !== undefined ? ` (default: ${value.default})` : ''}`);
    }
    lines.push(`  ${'--help'.padEnd(28)} this text`);
    return lines.join('\n') + '\n';
  };
  let parsed;
  try {
    parsed = parseArgs({options, allowPositionals: false, strict: true});
  } catch(error) {
    process.stderr.write(`${name}: ${error.message}\n\n${help()}`);
    process.exit(2);
  }
  if(parsed.values.help) {
    write(help());
    process.exit(0);
  }
  return {values: parsed.values, usageError(message) {
    process.stderr.write(`${name}: ${message}\n\n${help()}`);
    process.exit(2);
  }};
}

/** Read a file argument, or stdin for "-". */
export function readInput(path) {
  return fs.readFileSync(path === '-' ? 0 : path, 'utf8');
}

/** Fail unless `url` is https and on loopback: the drivers talk to a local Credstack only. */
export function assertLocalHttps(url, what) {
  const parsed = new URL(url);
  if(parsed.protocol !== 'https:') {
    throw new Error(`${what} ${url} is not https`);
  }
  if(!isLoopbackHost(parsed.hostname)) {
    throw new Error(`${what} ${url} is not on loopback`);
  }
}

/**
 * verifier-core fetches the OB JSON schema (https://purl.imsglobal.org/spec/ob/v3p0/schema/...) with the global
 * fetch: answer those URLs from the files in `dir` (a {"step":"schema"} line each); other URLs go to the network
 * (and so are refused unless on loopback). A falsy `dir` changes nothing.
 */
export function answerSchemasFrom(dir) {
  if(!dir) {
    return;
  }
  const networkFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : (input?.url ?? String(input));
    if(url.startsWith(SCHEMA_PREFIX)) {
      const file = path.join(dir, path.basename(new URL(url).pathname));
      if(fs.existsSync(file)) {
        step('schema', {url, file});
        return new Response(fs.readFileSync(file), {status: 200, headers: {'content-type': 'application/json'}});
      }
    }
    return networkFetch(input, init);
  };
}
