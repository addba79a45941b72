import { isZeroValue, type ForeignField, type ForeignFieldCatalogue } from '../../validation/index.js';

/**
 * Fields of Tyk's OAS vendor extension (apidef/oas, TykTechnologies/tyk 2026-08) that Hookgate does
 * not implement yet, as tyk-fields.ts does for Classic definitions: `refuse` where ignoring the
 * field would let through a request Tyk stops, `warn` otherwise. Keyed by path inside the extension.
 */

type Effect = 'refuse' | 'warn' | 'off';
const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const refuse = (feature: string, classify?: (value: unknown) => Effect): ForeignField =>
  classify === undefined ? { effect: 'refuse', feature } : { effect: 'refuse', feature, classify };
const warn = (feature: string, classify?: (value: unknown) => Effect): ForeignField =>
  classify === undefined ? { effect: 'warn', feature } : { effect: 'warn', feature, classify };
const whenEnabled = (effect: 'refuse' | 'warn') => (value: unknown): Effect => (asRecord(value)['enabled'] === true ? effect : 'off');
const noEffect = (feature: string): ForeignField => ({ effect: 'warn', feature, classify: () => 'off' });

/** Operation middleware that blocks or validates requests: never served without it. */
const BLOCKING_OPERATION_MIDDLEWARE = ['allow', 'block', 'ignoreAuthentication', 'validateRequest', 'requestSizeLimit', 'rateLimit', 'internal', 'mockResponse', 'circuitBreaker', 'enforceTimeout'];



const entries: Record<string, ForeignField> = {
  'info.expiration': refuse('an API expiry date', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  'info.state.internal': refuse('internal-only APIs (reachable only from other APIs)', (v) => (v === true ? 'refuse' : 'off')),
  'info.versioning': refuse('API versioning', whenEnabled('refuse')),

  'upstream.serviceDiscovery': refuse('service discovery for the upstream', whenEnabled('refuse')),
  'upstream.rateLimit': refuse('an API-wide rate limit', whenEnabled('refuse')),
  'upstream.loadBalancing': warn('load balancing (only upstream.url is used)', whenEnabled('warn')),
  'upstream.uptimeTests': warn('uptime tests', whenEnabled('warn')),
  'upstream.authentication': warn('upstream authentication', whenEnabled('warn')),
  'upstream.preserveTrailingSlash': warn('keeping trailing slashes', whenEnabled('warn')),

  'server.ipAccessControl': refuse('IP access control', whenEnabled('refuse')),
  'server.protocol': refuse('a non-HTTP protocol', (v) => (v === '' || v === 'http' || v === undefined ? 'off' : 'refuse')),
  'server.port': refuse('a listener port of its own', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  'server.gatewayTags': warn('gateway tags (segmentation)', whenEnabled('warn')),
  'server.detailedActivityLogs': warn('detailed activity logs', whenEnabled('warn')),
  'server.detailedTracing': warn('detailed tracing', whenEnabled('warn')),
  'server.eventHandlers': warn('event handlers'),
  'server.batchProcessing': warn('batch requests', whenEnabled('warn')),

  'server.authentication.oidc': refuse('OpenID Connect', whenEnabled('refuse')),
  'server.authentication.protectedResourceMetadata': refuse('OAuth protected resource metadata', whenEnabled('refuse')),

  'middleware.global.contextVariables': warn('context variables', whenEnabled('warn')),
  'middleware.global.trafficLogs': warn('traffic logs', whenEnabled('warn')),
  'middleware.global.cors': warn('CORS handling', whenEnabled('warn')),
  'middleware.global.cache': warn('response caching', whenEnabled('warn')),
  'middleware.global.transformRequestHeaders': warn('request header transforms', whenEnabled('warn')),
  'middleware.global.transformResponseHeaders': warn('response header transforms', whenEnabled('warn')),
  'middleware.global.skipRateLimit': refuse('skipping rate limits', (v) => (v === true ? 'refuse' : 'off')),
  'middleware.global.skipQuota': refuse('skipping quotas', (v) => (v === true ? 'refuse' : 'off')),
  'middleware.operations': refuse('endpoint middleware (middleware.operations)', (value) => {
    const operations = Object.values(asRecord(value)).map(asRecord);
    if (operations.some((op) => BLOCKING_OPERATION_MIDDLEWARE.some((key) => asRecord(op[key])['enabled'] === true))) return 'refuse';
    return isZeroValue(value) ? 'off' : 'warn';
  }),
  'errorOverrides': warn('error overrides'),
  'info.dbId': noEffect('metadata'),
};

export const TYK_OAS_FOREIGN_FIELDS: ForeignFieldCatalogue = new Map(Object.entries(entries));

/** Scheme settings Tyk has and Hookgate does not enforce (checked on each scheme object). */
export const SCHEME_FOREIGN_FIELDS: ForeignFieldCatalogue = new Map(Object.entries({
  signatureValidation: refuse('token signature validation', whenEnabled('refuse')),
  subjectClaims: refuse('JWT subject claims', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  basePolicyClaims: refuse('JWT base policy claims', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  scopes: refuse('JWT scope-to-policy mapping', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  allowedSubjects: refuse('JWT subject validation', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  jtiValidation: refuse('JWT ID (jti) validation', whenEnabled('refuse')),
  customClaimValidation: refuse('JWT custom claim validation', (v) => (isZeroValue(v) ? 'off' : 'refuse')),
  notifications: noEffect('OAuth notifications'),
}));
