/*
 * OpenID4VCI pre-authorized code flow with @openid4vc/openid4vci 0.4.6 (+ @openid4vc/oauth2, @openid4vc/utils
 * 0.4.6): the protocol core of Credo 0.6 and the Paradym wallet, the strict-conformant client (WALLETS.md §6.1).
 *
 *   node oid4vci_openid4vc.mjs --offer 'openid-credential-offer://?credential_offer_uri=https%3A%2F%2F127.0.0.1…'
 *        [--tx-code 123456] [--format ldp_vc|jwt_vc_json] [--configuration ID] [--binding did|jwk]
 *        [--notification credential_accepted|credential_failure|credential_deleted|none] [--out FILE]
 *
 * Steps: resolve the offer (by reference: GET credential_offer_uri; by value: decoded), resolve the issuer metadata
 * (GET /.well-known/openid-credential-issuer, then the AS metadata at /.well-known/oauth-authorization-server, the
 * library's first choice), token request (form: grant_type, pre-authorized_code, tx_code, plus the legacy
 * duplicate user_pin and resource = credential issuer), POST nonce_endpoint, a proof JWT with typ
 * openid4vci-proof+jwt, kid = did:key#fragment (or a jwk header with --binding jwk), aud = credential_issuer, iat,
 * nonce; the credential request { credential_configuration_id, proofs: { jwt: [ … ] } } (1.0; the library falls back
 * to a draft-14 format + credential_definition request when no configuration has credential_metadata); a 202
 * transaction_id is polled at the deferred endpoint; then the notification (credential_accepted).
 * Exit 0 only if every credential's credentialSubject.id is the holder DID (jwt_vc_json: decoded, payload.vc ?? payload).
 * Quirk exercised: 0.4.6 rejects notification_id in a deferred 200 (WALLETS.md §2.9); metadata is V1 only with
 * credential_metadata (§2.3).
 */
import {
  base64url, cli, credentialDocument, decodeJwtHeader, decodeJwtPayload, describeBody, ed25519Holder, fail, finish,
  step
} from './lib/common.mjs';
import crypto from 'node:crypto';
import {Openid4vciClient, Openid4vciVersion} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous, setGlobalConfig} from '@openid4vc/oauth2';

const {values, usageError} = cli({
  name: 'oid4vci_openid4vc.mjs',
  summary: 'OpenID4VCI pre-authorized code flow with @openid4vc/openid4vci 0.4.6',
  usage: "--offer 'openid-credential-offer://?…' [--tx-code CODE] [--format ldp_vc] [--out FILE]",
  spec: {
    offer: {type: 'string', help: 'credential offer URI (credential_offer_uri= or credential_offer=)'},
    'tx-code': {type: 'string', help: 'the transaction code, when the offer asks for one'},
    configuration: {type: 'string', help: 'credential_configuration_id (default: the offer\'s first)'},
    format: {type: 'string', help: 'expected format of that configuration: ldp_vc or jwt_vc_json'},
    binding: {type: 'string', default: 'did', help: 'proof key: did (kid = did:key) or jwk (jwk header, did:jwk)'},
    notification: {type: 'string', default: 'credential_accepted', help: 'notification event to send, or none'},
    'deferred-polls': {type: 'string', default: '5', help: 'deferred credential polls before giving up'},
    'poll-interval-ms': {type: 'string', default: '500', help: 'pause between deferred polls (the issuer\'s interval is not waited)'},
    'allow-http': {type: 'boolean', help: 'allow http:// URLs (setGlobalConfig({allowInsecureUrls: true}))'},
    out: {type: 'string', help: 'write the credential (JSON, or the JWT) to this file'}
  }
});
if(!values.offer) {
  usageError('--offer is required');
}
if(!['did', 'jwk'].includes(values.binding)) {
  usageError('--binding must be did or jwk');
}
if(values['allow-http']) {
  setGlobalConfig({allowInsecureUrls: true});
}

const holder = ed25519Holder();
const didJwk = `did:jwk:${base64url(JSON.stringify(holder.publicJwk))}`;
const holderDid = values.binding === 'jwk' ? didJwk : holder.did;
step('holder', {did: holderDid, binding: values.binding});

// the library's fetch callback: the requests it makes, with the body's parameter names
async function loggingFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : input.url;
  const headers = new Headers(init.headers ?? {});
  let response;
  try {
    response = await fetch(input, init);
  } catch(error) {
    step('request', {method: init.method ?? 'GET', url, error: String(error?.cause?.message ?? error?.message ?? error)});
    throw error;
  }
  step('request', {
    method: init.method ?? 'GET', url, status: response.status,
    contentType: headers.get('content-type') ?? undefined, accept: headers.get('accept') ?? undefined,
    authorization: headers.get('authorization')?.split(' ')[0],
    body: describeBody(init.body, headers.get('content-type') ?? ''),
    responseContentType: response.headers.get('content-type') ?? undefined
  });
  return response;
}

const client = new Openid4vciClient({
  callbacks: {
    fetch: loggingFetch,
    hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace('-', '')).update(data).digest()),
    generateRandom: length => new Uint8Array(crypto.randomBytes(length)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, {header, payload}) => {
      if(signer.method === 'did' && signer.didUrl !== holder.kid) {
        throw new Error(`asked to sign for ${signer.didUrl}, not the holder key`);
      }
      return {jwt: holder.signJwt(header, payload), signerJwk: holder.publicJwk};
    }
  }
});

try {
  const offer = await client.resolveCredentialOffer(values.offer);
  const grant = offer.grants?.['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  step('offer', {
    by: values.offer.includes('credential_offer_uri=') ? 'reference' : 'value',
    credential_issuer: offer.credential_issuer,
    credential_configuration_ids: offer.credential_configuration_ids,
    grants: Object.keys(offer.grants ?? {}),
    tx_code: grant?.tx_code ?? null
  });
  if(!grant) {
    throw new Error('the offer has no pre-authorized_code grant');
  }
  if(grant.tx_code && values['tx-code'] === undefined) {
    throw new Error('the offer asks for a tx_code: give --tx-code');
  }

  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const configurationId = values.configuration ?? offer.credential_configuration_ids[0];
  const configuration = issuerMetadata.knownCredentialConfigurations[configurationId];
  step('metadata', {
    version: issuerMetadata.originalDraftVersion,
    credential_issuer: issuerMetadata.credentialIssuer.credential_issuer,
    authorization_servers: issuerMetadata.authorizationServers.map(as => as.issuer),
    token_endpoint: issuerMetadata.authorizationServers[0]?.token_endpoint,
    nonce_endpoint: issuerMetadata.credentialIssuer.nonce_endpoint ?? null,
    configurations: Object.keys(issuerMetadata.knownCredentialConfigurations),
    configuration: configurationId,
    format: configuration?.format ?? null
  });
  if(!configuration) {
    throw new Error(`configuration ${configurationId} is not among the known ones`);
  }
  if(values.format && configuration.format !== values.format) {
    throw new Error(`configuration ${configurationId} has format ${configuration.format}, not ${values.format}`);
  }

  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer, issuerMetadata, ...(values['tx-code'] !== undefined ? {txCode: values['tx-code']} : {})
  });
  const accessToken = accessTokenResponse.access_token;
  step('token', {
    token_type: accessTokenResponse.token_type, expires_in: accessTokenResponse.expires_in,
    authorization_details: accessTokenResponse.authorization_details ?? null,
    c_nonce: accessTokenResponse.c_nonce ? 'present' : null
  });

  let nonce = accessTokenResponse.c_nonce;
  if(issuerMetadata.credentialIssuer.nonce_endpoint) {
    ({c_nonce: nonce} = await client.requestNonce({issuerMetadata}));
    step('nonce', {c_nonce_length: nonce.length});
  }

  const signer = values.binding === 'jwk' ?
    {method: 'jwk', publicJwk: holder.publicJwk, alg: 'EdDSA'} :
    {method: 'did', didUrl: holder.kid, alg: 'EdDSA'};
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId: configurationId, signer, nonce
  });
  step('proof', {header: decodeJwtHeader(jwt), payload: decodeJwtPayload(jwt)});

  const proofField = issuerMetadata.originalDraftVersion === Openid4vciVersion.V1 ?
    {proofs: {jwt: [jwt]}} : {proof: {proof_type: 'jwt', jwt}};
  const retrieved = await client.retrieveCredentials({
    issuerMetadata, accessToken, credentialConfigurationId: configurationId, ...proofField
  });
  let credentialResponse = retrieved.credentialResponse;
  step('credential_response', {
    status: retrieved.response.status,
    credentials: credentialResponse.credentials?.length ?? null,
    credential: credentialResponse.credential === undefined ? null : 'present (pre-1.0 shape)',
    transaction_id: credentialResponse.transaction_id ? 'present' : null,
    notification_id: credentialResponse.notification_id ?? null
  });

  let notificationId = credentialResponse.notification_id;
  if(credentialResponse.transaction_id) {
    const polls = Number(values['deferred-polls']);
    let deferred;
    for(let poll = 1; poll <= polls; poll++) {
      await new Promise(resolve => setTimeout(resolve, Number(values['poll-interval-ms'])));
      const answer = await client.retrieveDeferredCredentials({
        issuerMetadata, accessToken, transactionId: credentialResponse.transaction_id
      });
      deferred = answer.deferredCredentialResponse;
      step('deferred', {poll, status: answer.response.status, credentials: deferred.credentials?.length ?? null});
      if(deferred.credentials) {
        break;
      }
    }
    if(!deferred?.credentials) {
      throw new Error(`no deferred credential after ${polls} polls`);
    }
    credentialResponse = deferred;
    notificationId = deferred.notification_id ?? notificationId;
  }

  const credentials = credentialResponse.credentials?.map(entry => entry.credential) ??
    (credentialResponse.credential === undefined ? [] : [credentialResponse.credential]);
  for(const credential of credentials) {
    const format = typeof credential === 'string' ? 'jwt' : 'json';
    if(configuration.format === 'jwt_vc_json' && format !== 'jwt') {
      throw new Error('jwt_vc_json configuration answered with a non-JWT credential');
    }
    if(configuration.format === 'ldp_vc' && format !== 'json') {
      throw new Error('ldp_vc configuration answered with a non-JSON credential');
    }
    const document = credentialDocument(credential);
    step('credential', {
      format: configuration.format, type: document.type, issuer: document.issuer?.id ?? document.issuer,
      proof: document.proof?.cryptosuite ?? document.proof?.type ?? (format === 'jwt' ? decodeJwtHeader(credential).alg : null)
    });
  }

  if(notificationId && values.notification !== 'none') {
    const sent = await client.sendNotification({
      issuerMetadata, accessToken, notification: {notificationId, event: values.notification}
    });
    step('notification', {event: values.notification, status: sent.response.status});
  }

  // a did:jwk subject may serialize the JWK differently: compare the decoded keys
  let expectedSubject = holderDid;
  if(values.binding === 'jwk') {
    const subject = credentials.map(credentialDocument).flatMap(d => [].concat(d.credentialSubject ?? []))[0]?.id;
    if(typeof subject === 'string' && subject.startsWith('did:jwk:')) {
      const jwk = JSON.parse(Buffer.from(subject.slice('did:jwk:'.length).split('#')[0], 'base64url').toString());
      if(jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.x === holder.publicJwk.x) {
        expectedSubject = subject;
      }
    }
  }
  finish({credentials, expectedSubject, out: values.out, extra: {format: configuration.format}});
} catch(error) {
  fail(error);
}
