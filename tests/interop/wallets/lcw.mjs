/*
 * The DCC Learner Credential Wallet's request logic (LCW 2.2.10, app/lib/{decode,credentialRequest,present,
 * composeVp,exchanges,did}.ts) re-expressed with LCW's own libraries at the majors it pins:
 * @digitalcredentials/vc 10.0.2, ed25519-signature-2020 6.0.0, ed25519-verification-key-2020 5.0.0,
 * did-method-key 3.0.0, security-document-loader 8.0.0 (built with fetchRemoteContexts: false; LCW uses true),
 * query-string 7 (LCW's `qs`), and @digitalcredentials/verifier-core for what LCW then shows.
 * The vcalm-di mode signs with Digital Bazaar's eddsa-rdfc-2022 stack instead (VCALM example style).
 *
 *   node lcw.mjs legacy     --link 'https://lcw.app/request.html?issuer=…&auth_type=bearer&challenge=…&vc_request_url=…'
 *   node lcw.mjs vcapi      --url 'https://127.0.0.1:PORT/interactions/ID?iuv=1'   (or --exchange URL)
 *   node lcw.mjs vcalm-di   --url 'https://127.0.0.1:PORT/interactions/ID?iuv=1'   (or --exchange URL)
 *   node lcw.mjs offer      --url 'https://127.0.0.1:PORT/interactions/ID?iuv=1'   (or --exchange URL)
 *   node lcw.mjs url-import --url 'https://127.0.0.1:PORT/<public credential URL>'
 *   common: [--out FILE] [--strict] [--expect-subject DID]
 *
 * legacy: parse the link as LCW does, qs.parse(link.split('?')[1]) — so an unencoded '?' inside vc_request_url
 *   truncates it (WALLETS.md §3.2: percent-encode it); auth_type must be 'bearer' (LCW's default 'code' throws);
 *   mint a did:key (Ed25519VerificationKey2020), createPresentation({holder}) (VCDM 2.0 context) +
 *   signPresentation({challenge}) with Ed25519Signature2020 (no domain), POST the bare VP as application/json
 *   without Authorization; the answer is a VC or a VP whose VCs are taken.
 * vcapi: GET the interaction URL with Accept: application/json -> {protocols: {vcapi}} (only vcapi is used; a map
 *   without it fails like LCW: "Only the vcapi protocol is supported currently"); POST {} -> a DIDAuthentication
 *   verifiablePresentationRequest, which must carry challenge and domain; POST {verifiablePresentation} signed
 *   Ed25519Signature2020 with challenge and domain; the answer's VP credentials are taken. (LCW 2.2.10 itself
 *   discards credentials returned after a DIDAuth request, WALLETS.md §3.1; this driver checks what a wallet
 *   that keeps them would get.)
 * vcalm-di: as vcapi, the VP signed DataIntegrityProof eddsa-rdfc-2022 (Multikey did:key).
 * offer: POST {} must be answered with {verifiablePresentation} (an offer; what LCW 2.2.10 stores); no DIDAuth.
 * url-import: GET the URL, trim, JSON: a VC, or a VP's VCs (LCW's "add from URL").
 *
 * Every received credential is verified with verifier-core (LCW only warns on failure; --strict makes a bad
 * signature fatal). Exit 0 only if every credential's credentialSubject.id is the holder DID (legacy, vcapi,
 * vcalm-di) or --expect-subject (offer, url-import: unbound credentials; without it any credential will do).
 */
import {answerSchemasFrom, cli, credentialDocument, fail, finish, PINNED_SCHEMAS, step} from './lib/common.mjs';
import crypto from 'node:crypto';
import qs from 'query-string';
import * as vc from '@digitalcredentials/vc';
import * as DidMethodKey from '@digitalcredentials/did-method-key';
import {Ed25519VerificationKey2020} from '@digitalcredentials/ed25519-verification-key-2020';
import {Ed25519Signature2020} from '@digitalcredentials/ed25519-signature-2020';
import {securityLoader} from '@digitalcredentials/security-document-loader';
import * as dbVc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {verifyCredential} from '@digitalcredentials/verifier-core';

const MODES = ['legacy', 'vcapi', 'vcalm-di', 'offer', 'url-import'];
const mode = process.argv[2];
if(mode !== undefined && !mode.startsWith('-')) {
  process.argv.splice(2, 1);
}
const {values, usageError} = cli({
  name: 'lcw.mjs',
  summary: 'the Learner Credential Wallet 2.2.10 request logic, with LCW\'s own libraries',
  usage: `${MODES.join('|')} (--link LINK | --url URL | --exchange URL) [--out FILE] [--strict]`,
  spec: {
    link: {type: 'string', help: 'legacy: the lcw.app/request.html (or dccrequest://request?) deep link'},
    url: {type: 'string', help: 'vcapi, vcalm-di, offer: interaction URL (…?iuv=1); url-import: the credential URL'},
    exchange: {type: 'string', help: 'vcapi, vcalm-di, offer: start at this exchange URL (skip the interaction URL)'},
    'expect-subject': {type: 'string', help: 'offer, url-import: required credentialSubject.id'},
    strict: {type: 'boolean', help: 'a credential verifier-core does not verify fails the run (LCW only warns)'},
    'schema-dir': {type: 'string', default: PINNED_SCHEMAS, help: "verifier-core's OB schemas from here ('' = network)"},
    out: {type: 'string', help: 'write the (first) credential to this file'}
  }
});
if(!MODES.includes(mode)) {
  usageError(`the first argument must be one of ${MODES.join(', ')}`);
}
if(mode === 'legacy' && !values.link) {
  usageError('legacy needs --link');
}
if(['vcapi', 'vcalm-di', 'offer'].includes(mode) && !(values.url || values.exchange)) {
  usageError(`${mode} needs --url or --exchange`);
}
if(mode === 'url-import' && !values.url) {
  usageError('url-import needs --url');
}

answerSchemasFrom(values['schema-dir']);

// LCW builds its loader with fetchRemoteContexts: true; offline, the bundled contexts only
const documentLoader = securityLoader({fetchRemoteContexts: false}).build();

/** LCW's mintDid (app/lib/did.ts): an Ed25519VerificationKey2020 from a random seed, its did:key document. */
async function mintDid() {
  const didKeyDriver = DidMethodKey.driver();
  didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from});
  const verificationKeyPair = await Ed25519VerificationKey2020.generate({seed: new Uint8Array(crypto.randomBytes(32))});
  const {didDocument} = await didKeyDriver.fromKeyPair({verificationKeyPair});
  const did = didDocument.id;
  verificationKeyPair.controller = did;
  verificationKeyPair.id = `${did}#${verificationKeyPair.fingerprint()}`;
  return {did, verificationKeyPair};
}

/** LCW's createVerifiablePresentation / composeVp: holder VP signed Ed25519Signature2020 (authentication). */
async function lcwDidAuthVp({profile, challenge, domain}) {
  const suite = new Ed25519Signature2020({key: profile.verificationKeyPair});
  const presentation = vc.createPresentation({holder: profile.did, verify: false});
  return vc.signPresentation({presentation, suite, challenge, ...(domain ? {domain} : {}), documentLoader});
}

/** The same DIDAuth VP signed DataIntegrityProof eddsa-rdfc-2022 with a Multikey did:key. */
async function dataIntegrityDidAuthVp({challenge, domain}) {
  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});
  const presentation = dbVc.createPresentation({holder: did});
  const vp = await dbVc.signPresentation({presentation, suite, challenge, domain, documentLoader});
  return {did, vp};
}

async function postJson(url, body, what) {
  const response = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  step(what, {url, status: response.status, contentType: response.headers.get('content-type'),
    keys: json && typeof json === 'object' ? Object.keys(json) : null});
  if(!response.ok) {
    const error = new Error(`${what}: ${url} answered ${response.status}`);
    error.data = json ?? text.slice(0, 500);
    throw error;
  }
  if(json === undefined) {
    throw new Error(`${what}: ${url} did not answer JSON`);
  }
  return json;
}

/** LCW's extractCredentialsFrom: a VC as is; a VP's verifiableCredential (one or many). */
function extractCredentials(object) {
  if(!object || typeof object !== 'object') {
    return [];
  }
  const types = [].concat(object.type ?? []);
  if(types.includes('VerifiablePresentation')) {
    return [].concat(object.verifiableCredential ?? []);
  }
  if(types.includes('VerifiableCredential')) {
    return [object];
  }
  return [];
}

async function interactionToExchange() {
  if(values.exchange) {
    return values.exchange;
  }
  const url = values.url.replace(/^(web\+)?interaction:/, '');
  const response = await fetch(url, {headers: {Accept: 'application/json'}});
  const text = await response.text();
  step('interaction', {url, status: response.status, contentType: response.headers.get('content-type')});
  if(!response.ok) {
    throw new Error(`interaction URL answered ${response.status}`);
  }
  const {protocols} = JSON.parse(text);
  step('protocols', {protocols});
  if(!protocols?.vcapi) {
    throw new Error('Only the vcapi protocol is supported currently');
  }
  return protocols.vcapi;
}

async function verifyReceived(credentials) {
  const results = [];
  for(const credential of credentials) {
    const result = await verifyCredential({credential: credentialDocument(credential), knownDIDRegistries: []});
    const log = Object.fromEntries((result.log ?? []).map(entry => [entry.id, entry.valid ?? entry.error ?? null]));
    const errors = (result.errors ?? []).map(({name, message}) => ({name, message}));
    const schema = (result.additionalInformation ?? []).find(entry => entry.id === 'schema_check')?.results;
    step('verify', {id: credentialDocument(credential).id, valid_signature: log.valid_signature === true, log, errors,
      schema: Array.isArray(schema) ? schema.map(entry => entry.result?.valid ?? null) : (schema ?? null)});
    results.push(log.valid_signature === true && errors.length === 0);
  }
  if(values.strict && results.some(ok => !ok)) {
    throw new Error('verifier-core did not verify a received credential');
  }
  return results;
}

try {
  let credentials;
  let holderDid = null;
  if(mode === 'legacy') {
    // app/lib/decode.ts credentialRequestParamsFromQrText
    const params = qs.parse(values.link.split('?')[1]);
    step('link', {params});
    if(params.issuer === undefined || params.vc_request_url === undefined) {
      throw new Error('The QR code contained an invalid deep link.');
    }
    const {auth_type: authType = 'code', vc_request_url: requestUrl, challenge = crypto.randomUUID()} = params;
    if(authType !== 'bearer') {
      throw new Error(`Unsupported auth_type value: "${authType}".`);
    }
    const profile = await mintDid();
    holderDid = profile.did;
    step('holder', {did: holderDid});
    const vp = await lcwDidAuthVp({profile, challenge});
    step('presentation', {context: vp['@context'], proof: {type: vp.proof.type, proofPurpose: vp.proof.proofPurpose,
      challenge: vp.proof.challenge, domain: vp.proof.domain ?? null}});
    const answer = await postJson(requestUrl, vp, 'vc_request');
    credentials = extractCredentials(answer);
    if(credentials.length === 0) {
      throw new Error('Unable to receive credential: The issuer failed to return a Verifiable Credential (VC) or Verifiable Presentation (VP)');
    }
  } else if(mode === 'url-import') {
    const response = await fetch(values.url);
    const text = (await response.text()).trim();
    step('import', {url: values.url, status: response.status, contentType: response.headers.get('content-type')});
    if(!response.ok) {
      throw new Error(`${values.url} answered ${response.status}`);
    }
    if(!/^{.*}$/s.test(text)) {
      throw new Error('No credentials were resolved from the text');
    }
    credentials = extractCredentials(JSON.parse(text));
  } else {
    const exchangeUrl = await interactionToExchange();
    const first = await postJson(exchangeUrl, {}, 'exchange_start');
    if(mode === 'offer') {
      if(!first.verifiablePresentation) {
        throw new Error('the exchange did not answer POST {} with a verifiablePresentation offer');
      }
      credentials = extractCredentials(first.verifiablePresentation);
    } else {
      const request = first.verifiablePresentationRequest;
      if(!request) {
        throw new Error('the exchange did not answer POST {} with a verifiablePresentationRequest');
      }
      const queries = [].concat(request.query ?? []);
      const didAuth = queries.filter(query => query.type === 'DIDAuthentication');
      step('request', {queries: queries.map(query => query.type), acceptedMethods: didAuth[0]?.acceptedMethods ?? null,
        acceptedCryptosuites: didAuth[0]?.acceptedCryptosuites ?? null, challenge: request.challenge ? 'present' : null,
        domain: request.domain ?? null});
      if(didAuth.length !== 1) {
        throw new Error(didAuth.length ? 'More than one DIDAuthentication request found, exiting.' :
          'no DIDAuthentication query in the request');
      }
      const {challenge, domain} = request;
      if(!(challenge && domain)) {
        throw new Error('Both "challenge" and "domain" are required for DID Auth.');
      }
      let vp;
      if(mode === 'vcapi') {
        const profile = await mintDid();
        holderDid = profile.did;
        vp = await lcwDidAuthVp({profile, challenge, domain});
      } else {
        ({did: holderDid, vp} = await dataIntegrityDidAuthVp({challenge, domain}));
      }
      step('holder', {did: holderDid});
      step('presentation', {context: vp['@context'], proof: {type: vp.proof.type, cryptosuite: vp.proof.cryptosuite ?? null,
        proofPurpose: vp.proof.proofPurpose, domain: vp.proof.domain}});
      const answer = await postJson(exchangeUrl, {verifiablePresentation: vp}, 'exchange_reply');
      if(answer.redirectUrl) {
        step('redirect', {redirectUrl: answer.redirectUrl});
      }
      credentials = extractCredentials(answer.verifiablePresentation);
    }
  }
  const verified = await verifyReceived(credentials);
  const expectedSubject = holderDid ?? values['expect-subject'] ?? null;
  finish({credentials, expectedSubject, out: values.out, extra: {mode, verified}});
} catch(error) {
  fail(error, {mode});
}
