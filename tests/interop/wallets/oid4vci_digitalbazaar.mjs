/*
 * OpenID4VCI pre-authorized code flow with @digitalbazaar/oid4-client 5.10.0, the client of Digital Bazaar's wallet
 * stack and the VC Playground. ldp_vc only, no tx_code, https only (hard-coded).
 *
 *   node oid4vci_digitalbazaar.mjs --offer 'openid-credential-offer://?credential_offer_uri=…' [--out FILE]
 *
 * Quirks it exercises (WALLETS.md §2.3, §2.10): the offer by reference must be https; the issuer metadata is tried
 * at <origin>/.well-known/openid-credential-issuer[<path>] and needs `issuer` (https, equal to credential_issuer)
 * and `token_endpoint` in it (the token endpoint is taken from the issuer document, not the AS one); AS metadata
 * is fetched at /.well-known/oauth-authorization-server<path> (with a trailing '/' for an issuer without path);
 * the token request carries authorization_details = [{type: openid_credential, credential_configuration_id}] only
 * if the issuer document lists authorization_details_types_supported, and then the credential request is
 * {credential_identifier, proofs: {proof_type: "jwt", jwt: [...]}} (else a draft-13 {format,
 * credential_definition} request); token_type must be exactly "bearer"; the first credential request has NO
 * proof and expects 400 invalid_proof with a c_nonce (without one its retry crashes on `this.getNonce`); the
 * proof JWT has no typ and no iat (iss = holder DID, nbf, exp). A tx_code in the offer is ignored (so the token
 * request fails): the driver warns and goes on. After a second invalid_proof the library returns an undefined
 * credential and no error: the driver then reports "no credential received"; every error answer's body is printed
 * as an "error_body" step. Exit 0 only if the credentialSubject.id is the holder DID.
 */
import {cli, credentialDocument, ed25519Holder, fail, finish, step} from './lib/common.mjs';
import {getCredentialOffer, OID4Client} from '@digitalbazaar/oid4-client';

const {values, usageError} = cli({
  name: 'oid4vci_digitalbazaar.mjs',
  summary: 'OpenID4VCI pre-authorized code flow with @digitalbazaar/oid4-client 5.10.0 (ldp_vc, no tx_code)',
  usage: "--offer 'openid-credential-offer://?…' [--out FILE]",
  spec: {
    offer: {type: 'string', help: 'credential offer URI (credential_offer_uri= or credential_offer=)'},
    out: {type: 'string', help: 'write the credential JSON to this file'}
  }
});
if(!values.offer) {
  usageError('--offer is required');
}

const holder = ed25519Holder();
step('holder', {did: holder.did});

// The library keeps no error body once it gives up (after its one retry with a proof it returns no credential and
// no error): print each error answer's body ({"step":"error_body"}, c_nonce values left out) so a refusal is seen.
// @digitalbazaar/http-client (ky) reads globalThis.fetch at each request.
const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await networkFetch(input, init);
  if(response.status >= 400) {
    const text = await response.clone().text();
    let body;
    try {
      body = JSON.parse(text);
      if(body && typeof body === 'object' && typeof body.c_nonce === 'string') {
        body = {...body, c_nonce: 'present'};
      }
    } catch {
      body = text.slice(0, 500);
    }
    step('error_body', {url: typeof input === 'string' ? input : (input?.url ?? String(input)),
      status: response.status, body});
  }
  return response;
};

try {
  const offer = await getCredentialOffer({url: values.offer});
  const grant = offer.grants?.['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  step('offer', {
    credential_issuer: offer.credential_issuer,
    credential_configuration_ids: offer.credential_configuration_ids ?? null,
    tx_code: grant?.tx_code ?? null
  });
  if(grant?.tx_code) {
    step('warning', {message: 'the offer asks for a tx_code, which @digitalbazaar/oid4-client cannot send'});
  }
  const client = await OID4Client.fromCredentialOffer({offer, supportedFormats: ['ldp_vc']});
  step('token', {
    token_endpoint: client.issuerConfig?.token_endpoint,
    authorization_details: client.authorizationDetails ?? null
  });
  const didProofSigner = {
    id: holder.kid,
    algorithm: 'Ed25519',
    sign: async ({data}) => {
      const [header, payload] = Buffer.from(data).toString('utf8').split('.')
        .map(part => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
      step('proof', {header, payload});
      return holder.sign(data);
    }
  };
  const result = await client.requestCredentials({did: holder.did, didProofSigner});
  // a request the library gave up on (a second invalid_proof) leaves an undefined entry: no credential
  const credentials = (result.credentials ?? (result.credential ? [result.credential] : []))
    .filter(credential => credential !== undefined && credential !== null);
  for(const credential of credentials) {
    const document = credentialDocument(credential);
    step('credential', {format: result.format ?? null, type: document.type, issuer: document.issuer?.id ?? document.issuer,
      proof: document.proof?.cryptosuite ?? document.proof?.type ?? null});
  }
  finish({credentials, expectedSubject: holder.did, out: values.out, extra: {format: 'ldp_vc'}});
} catch(error) {
  fail(error);
}
