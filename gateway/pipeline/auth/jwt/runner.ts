import { compileJwt, type ApiSpec, type AuthScheme } from '../../../apidef/index.js';
import { readCredential, stripBearer } from '../../credentials.js';
import { refusalOf } from '../../refusal.js';
import { failWith, pass, type AuthMethodRunner } from '../method.js';
import { centralisedSession } from './centralised.js';
import { issuerAudienceRefusal, timeRefusal } from './claims.js';
import { verifyToken } from './verify.js';

/**
 * Tyk's JWT auth (JWTMiddleware, tyk-config.md 1.5): the token from the scheme's header, query
 * or cookie (a leading "Bearer " removed), verified with the API's key, its time claims checked
 * with the skews, then the session: the key's own (one-to-one, found by kid or identity) or one
 * made from policies for the identity claim (centralised).
 */
export function jwtMethod(scheme: AuthScheme, api: ApiSpec): AuthMethodRunner {
  const compiled = compileJwt(api.definition);
  const settings = compiled.settings;
  if (settings === undefined) throw new Error(`API ${api.id}: ${compiled.errors.map((e) => e.message).join('; ')}`);
  return {
    method: 'jwt',
    scheme,
    async run(ctx, deps) {
      const raw = readCredential(ctx, scheme.config);
      // As Tyk: 400, not 401, for a missing token (unless Protected Resource Metadata, which Hookgate does not have).
      if (raw === '') return failWith(refusalOf('HG_ERR_JWT_FIELD_MISSING'), '');
      const verified = await verifyToken(ctx, deps, settings, stripBearer(raw));
      if (!verified.ok) return verified;
      // Claim failures are 401 and fire no AuthFailure (as Tyk).
      const late = timeRefusal(verified.claims, settings.skew, Math.floor(Date.now() / 1000));
      if (late !== undefined) return failWith(late);
      const foreign = issuerAudienceRefusal(verified.claims, settings.allowedIssuers, settings.allowedAudiences);
      if (foreign !== undefined) return failWith(foreign);
      if (verified.found !== undefined) return pass(verified.found.session, verified.found.keyId);
      return centralisedSession(ctx, deps, settings, verified.claims);
    },
  };
}
