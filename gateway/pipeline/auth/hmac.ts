import { compileHmacSettings, hmacAlgorithmOf, type ApiSpec, type AuthScheme, type HmacSettings } from '../../apidef/index.js';
import type { SessionJson } from '../../session/index.js';
import { readCredential } from '../credentials.js';
import type { HookDeps } from '../hooks.js';
import { refusalOf } from '../refusal.js';
import type { RequestContext } from '../request-context.js';
import { dateWithinSkew } from './hmac-date.js';
import { dateHeaderOf, expectedSignature, parseSignatureHeader, signatureMatches, signingString } from './hmac-signature.js';
import { findSession } from './lookup.js';
import { failWith, pass, type AuthFail, type AuthMethodRunner } from './method.js';

/**
 * Tyk's HMAC request signatures (HTTPSignatureValidationMiddleware, tyk-config.md 1.6). Every
 * failure is 400 `Authorization field missing, malformed or invalid` with an AuthFailure event
 * keyed by the keyId (empty when none could be read); the reason goes to the log only, and never
 * the signature, the secret or the keyId (which may also be a bearer key).
 */
export function hmacMethod(scheme: AuthScheme, api: ApiSpec): AuthMethodRunner {
  const compiled = compileHmacSettings(api.definition);
  // Refused at load (features.ts); reaching here with bad settings is a bug, not a request error.
  if (!compiled.ok) throw new Error(`API ${api.id}: ${compiled.errors.map((e) => e.message).join('; ')}`);
  const settings = compiled.settings;
  return {
    method: 'hmac',
    scheme,
    async run(ctx, deps) {
      // Throttled per API and kind of failure; the reason may quote client text (JSON-escaped).
      const refuse = (kind: FailureKind, reason: string, keyId = ''): AuthFail => {
        deps.log.warn(`hmac:${ctx.api.id}:${kind}`, { api_id: ctx.api.id, failure: kind, reason }, 'HMAC signature refused');
        return failWith(refusalOf('HG_ERR_HMAC_INVALID'), keyId);
      };
      const credential = readCredential(ctx, scheme.config);
      if (credential === '') return refuse('credential', 'no Authorization credential');
      const parsed = parseSignatureHeader(credential);
      if (!parsed.ok) return refuse('parameters', parsed.reason);
      const { keyId, algorithm: name, headers, signature } = parsed.params;
      const algorithm = algorithmOrReason(settings, name);
      if (algorithm.reason !== undefined) return refuse('algorithm', algorithm.reason, keyId);
      const signing = signingString(ctx, headers);
      if (!signing.ok) return refuse('signing_string', signing.reason, keyId);
      // With a clock skew the date is the only thing that stops a replay; a signature that does
      // not cover it lets a replayer put a fresh Date on a capture (Tyk accepts it).
      if (settings.clockSkewMs > 0 && !headers.some((h) => DATE_HEADERS.has(h.toLowerCase()))) {
        return refuse('date_not_signed', 'the signature does not cover the date (headers must list date), so it could be replayed with a fresh one', keyId);
      }
      // The clock needs no storage: a stale or replayed request is refused before the lookup.
      const date = dateHeaderOf(ctx);
      const clock = date === undefined ? 'missing' : dateWithinSkew(date.value, settings.clockSkewMs, Date.now());
      if (clock !== 'ok') return refuse('clock', clock === 'skewed' ? 'Clock skew outside of acceptable bounds' : `the Date (or x-aux-date) header is ${clock}`, keyId);

      const found = await findSession(ctx, deps, keyId);
      if (found.kind === 'failed') return failWith(found.refusal);
      if (found.kind === 'missing') return refuse('key', 'Key ID does not exist (or its policies cannot be applied)', keyId);
      const secret = hmacSecretOf(found.session);
      if (secret === undefined) return refuse('key', 'the key is not enabled for HMAC (hmac_enabled) or has no hmac_string', keyId);
      if (!signatureMatches(expectedSignature(algorithm.value, secret, signing.text), signature)) return refuse('signature', 'Signature string does not match', keyId);
      debugPass(ctx, deps, headers);
      // The identity is the key as stored (Tyk would use the keyId as sent; see docs/auth.md).
      return pass(found.session, found.keyId);
    },
  };
}

type FailureKind = 'credential' | 'parameters' | 'algorithm' | 'signing_string' | 'date_not_signed' | 'clock' | 'key' | 'signature';

const DATE_HEADERS: ReadonlySet<string> = new Set(['date', 'x-aux-date']);

function algorithmOrReason(settings: HmacSettings, name: string) {
  const algorithm = hmacAlgorithmOf(settings, name);
  switch (algorithm) {
    case 'not_allowed':
      return { reason: `algorithm ${JSON.stringify(name)} is not in hmac_allowed_algorithms` } as const;
    case 'rsa':
      return { reason: `algorithm ${JSON.stringify(name)}: RSA signatures need the certificate store, which Hookgate does not support yet` } as const;
    case 'unknown':
      return { reason: `unknown algorithm ${JSON.stringify(name)}` } as const;
    default:
      return { reason: undefined, value: algorithm } as const;
  }
}

/** The key's secret, when the key may sign with HMAC: `hmac_enabled` (or Tyk's `enable_http_signature_validation`) and a secret. */
function hmacSecretOf(session: SessionJson): string | undefined {
  const enabled = session.hmac_enabled === true || session.enable_http_signature_validation === true;
  const secret = session.hmac_string;
  return enabled && typeof secret === 'string' && secret !== '' ? secret : undefined;
}

function debugPass(ctx: RequestContext, deps: HookDeps, headers: readonly string[]): void {
  if (deps.log.debugEnabled) deps.log.debug({ api_id: ctx.api.id, signed_headers: headers }, 'HMAC signature accepted');
}
