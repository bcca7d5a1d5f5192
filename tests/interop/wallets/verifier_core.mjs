/*
 * The verifier LCW and VerifierPlus use: @digitalcredentials/verifier-core 1.0.0-beta.11, verifyCredential().
 *
 *   node verifier_core.mjs --file credential.json      (or --file - for stdin; a VC-JWT string is refused)
 *
 * Prints {"step":"verify", ...summary} and {"step":"result","ok":..,"result":<verifier-core's answer>}.
 * ok = no fatal error and valid_signature true. Registries: [] (LCW passes DCC's; a Credstack issuer is in none,
 * so registered_issuer is false). Quirks (WALLETS.md §6.1): the parameter is `knownDIDRegistries` (the README
 * says knownDidRegistries); the library builds its own loader with fetchRemoteContexts: true, and its schema
 * check fetches the OB JSON schema from purl.imsglobal.org with the global fetch: --schema-dir (default: the copy
 * Credstack pins, src/schemas/data) answers those URLs from local files instead (a "schema" step), so the schema
 * check really runs; with --schema-dir '' the connection is refused (a "blocked" step) and the check reports
 * "INVALID_SCHEMA", informational only, as offline. did:key issuers resolve offline; a BitstringStatusList
 * credential is fetched from its statusListCredential URL (Credstack on loopback).
 */
import {answerSchemasFrom, cli, fail, PINNED_SCHEMAS, readInput, step} from './lib/common.mjs';
import {verifyCredential} from '@digitalcredentials/verifier-core';

const {values, usageError} = cli({
  name: 'verifier_core.mjs',
  summary: 'verify one credential with @digitalcredentials/verifier-core (as LCW does)',
  usage: '--file credential.json',
  spec: {
    file: {type: 'string', help: 'credential JSON file, or - for stdin'},
    registries: {type: 'string', default: '[]', help: 'knownDIDRegistries as JSON'},
    'schema-dir': {type: 'string', default: PINNED_SCHEMAS,
      help: "answer OB JSON schema URLs from this folder ('' = do not)"}
  }
});
if(!values.file) {
  usageError('--file is required');
}

answerSchemasFrom(values['schema-dir']);

try {
  const credential = JSON.parse(readInput(values.file));
  const knownDIDRegistries = JSON.parse(values.registries);
  const result = await verifyCredential({credential, knownDIDRegistries});
  const log = Object.fromEntries((result.log ?? []).map(entry => [entry.id, entry.valid ?? entry.error ?? null]));
  const errors = (result.errors ?? []).map(({name, message}) => ({name, message}));
  const validSignature = log.valid_signature === true;
  const ok = errors.length === 0 && validSignature;
  step('verify', {valid_signature: validSignature, log, errors,
    additionalInformation: result.additionalInformation ?? []});
  const {credential: _omitted, ...rest} = result;
  for(const error of rest.errors ?? []) {
    delete error.stackTrace;
  }
  step('result', {ok, result: rest});
  process.exit(ok ? 0 : 1);
} catch(error) {
  fail(error);
}
