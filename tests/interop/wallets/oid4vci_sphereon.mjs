/*
 * OpenID4VCI pre-authorized code flow with @sphereon/oid4vci-client 0.20.1 (+ oid4vci-common 0.20.1), the Sphereon
 * Wallet's client, "V1_0_15" (draft 15). Installed with the npm override @sphereon/ssi-types 0.37.1, because 0.20.1
 * pins an unpublished prerelease (WALLETS.md §6.1).
 *
 *   node oid4vci_sphereon.mjs --offer 'openid-credential-offer://?credential_offer_uri=…' [--tx-code 123456]
 *        [--format ldp_vc|jwt_vc_json] [--configuration ID] [--notification credential_accepted|none] [--out FILE]
 *
 * What it sends (WALLETS.md §2.6-2.8): the offer by reference is fetched with cross-fetch (node-fetch: logged as
 * "http" steps via http.client); metadata from /.well-known/openid-credential-issuer and the AS metadata from
 * /.well-known/openid-configuration (then oauth-authorization-server); the token request (form) carries
 * grant_type, pre-authorized_code, tx_code, the legacy user_pin and client_id = the holder DID; the nonce endpoint
 * is POSTed with Content-Type application/x-www-form-urlencoded and an empty body; the credential request has the
 * pre-1.0 singular `proof: {proof_type: "jwt", jwt}` (not `proofs`); its proof JWT has typ openid4vci-proof+jwt,
 * kid, aud, iat, nonce and exp. Exit 0 only if every credential's credentialSubject.id is the holder DID.
 */
import {
  cli, credentialDocument, decodeJwtHeader, decodeJwtPayload, ed25519Holder, fail, finish, step
} from './lib/common.mjs';
import {OpenID4VCIClientV1_0_15} from '@sphereon/oid4vci-client';

const {values, usageError} = cli({
  name: 'oid4vci_sphereon.mjs',
  summary: 'OpenID4VCI pre-authorized code flow with @sphereon/oid4vci-client 0.20.1 (OpenID4VCIClientV1_0_15)',
  usage: "--offer 'openid-credential-offer://?…' [--tx-code CODE] [--format ldp_vc] [--out FILE]",
  spec: {
    offer: {type: 'string', help: 'credential offer URI (credential_offer_uri= or credential_offer=)'},
    'tx-code': {type: 'string', help: 'the transaction code (sent as tx_code and user_pin)'},
    configuration: {type: 'string', help: 'credential_configuration_id (default: the offer\'s first)'},
    format: {type: 'string', help: 'expected format of that configuration: ldp_vc or jwt_vc_json'},
    notification: {type: 'string', default: 'credential_accepted', help: 'notification event to send, or none'},
    out: {type: 'string', help: 'write the credential (JSON, or the JWT) to this file'}
  }
});
if(!values.offer) {
  usageError('--offer is required');
}

const holder = ed25519Holder();
step('holder', {did: holder.did});

try {
  const client = await OpenID4VCIClientV1_0_15.fromURI({
    uri: values.offer, kid: holder.kid, alg: 'EdDSA', clientId: holder.did,
    retrieveServerMetadata: true, resolveOfferUri: true
  });
  const offer = client.credentialOffer;
  const payload = offer?.credential_offer ?? {};
  const grant = payload.grants?.['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  step('offer', {
    version: client.version(),
    credential_issuer: client.getIssuer(),
    credential_configuration_ids: client.getCredentialOfferConfigurationIds(),
    tx_code: grant?.tx_code ?? null
  });
  const metadata = client.endpointMetadata;
  const configurationId = values.configuration ?? client.getCredentialOfferConfigurationIds()[0];
  const configuration = metadata.credentialIssuerMetadata?.credential_configurations_supported?.[configurationId];
  step('metadata', {
    token_endpoint: client.getAccessTokenEndpoint(),
    credential_endpoint: client.getCredentialEndpoint(),
    nonce_endpoint: client.getNonceEndpoint() ?? null,
    deferred_credential_endpoint: client.getDeferredCredentialEndpoint() ?? null,
    authorization_server_type: metadata.authorizationServerType ?? null,
    configuration: configurationId,
    format: configuration?.format ?? null
  });
  if(!configuration) {
    throw new Error(`configuration ${configurationId} is not in the issuer metadata`);
  }
  if(values.format && configuration.format !== values.format) {
    throw new Error(`configuration ${configurationId} has format ${configuration.format}, not ${values.format}`);
  }
  if(grant?.tx_code && values['tx-code'] === undefined) {
    throw new Error('the offer asks for a tx_code: give --tx-code');
  }

  const token = await client.acquireAccessToken({
    ...(values['tx-code'] !== undefined ? {pin: values['tx-code']} : {}), clientId: holder.did
  });
  step('token', {token_type: token.token_type, expires_in: token.expires_in, c_nonce: token.c_nonce ? 'present' : null});

  const proofs = [];
  const signCallback = async (jwt, kid) => {
    const header = {...jwt.header, alg: 'EdDSA', kid: jwt.header?.kid ?? kid ?? holder.kid};
    const signed = holder.signJwt(header, jwt.payload);
    proofs.push(signed);
    return signed;
  };
  const response = await client.acquireCredentials({
    credentialConfigurationId: configurationId,
    format: configuration.format,
    proofCallbacks: {signCallback},
    kid: holder.kid,
    alg: 'EdDSA',
    deferredCredentialAwait: true,
    deferredCredentialIntervalInMS: 500
  });
  for(const jwt of proofs) {
    step('proof', {header: decodeJwtHeader(jwt), payload: decodeJwtPayload(jwt)});
  }
  const credentials = response.credentials?.map(entry => entry.credential) ??
    (response.credential === undefined ? [] : [response.credential]);
  step('credential_response', {credentials: credentials.length, notification_id: response.notification_id ?? null});
  for(const credential of credentials) {
    const document = credentialDocument(credential);
    step('credential', {format: configuration.format, type: document.type, issuer: document.issuer?.id ?? document.issuer,
      proof: document.proof?.cryptosuite ?? document.proof?.type ??
        (typeof credential === 'string' ? decodeJwtHeader(credential).alg : null)});
  }

  if(response.notification_id && values.notification !== 'none') {
    // like the Sphereon wallet, the caller hands over the notification endpoint from the metadata
    const notificationEndpoint = metadata.credentialIssuerMetadata?.notification_endpoint;
    const sent = await client.sendNotification(
      {notificationEndpoint}, {notification_id: response.notification_id, event: values.notification},
      response.access_token);
    step('notification', {event: values.notification, error: sent.error ?? false});
  }
  finish({credentials, expectedSubject: holder.did, out: values.out, extra: {format: configuration.format}});
} catch(error) {
  fail(error);
}
