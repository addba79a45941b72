import * as z from 'zod';
import { fields, isZeroValue, type ForeignField, type ForeignFieldCatalogue } from '../validation/index.js';

const { str, bool, oneOf, obj, list, dict } = fields;

/** Any JSON number; Tyk's policy numbers may be -1 ("unlimited"). */
const number = () => z.number({ error: 'a number' });

/** An API's own limit inside `access_rights` (Tyk's APILimit; null is Tyk's "no limit" too). */
const apiLimit = obj({
  rate: number().default(0),
  per: number().default(0),
  quota_max: number().default(0),
  quota_renewal_rate: number().default(0),
  quota_renews: number().default(0),
  quota_remaining: number().default(0),
});

const accessDefinition = obj({
  api_name: str().default(''),
  api_id: str().default(''),
  versions: list(str()).default([]),
  limit: apiLimit.nullable().default(null),
  allowance_scope: str().default(''),
});

const partitions = obj({
  quota: bool().default(false),
  rate_limit: bool().default(false),
  complexity: bool().default(false),
  acl: bool().default(false),
  per_api: bool().default(false),
});

/** A Tyk policy (user.Policy) as a policy file holds it, restricted to what Hookgate enforces. */
export const policySchema = obj({
  _id: z.unknown().optional(),
  id: str().default(''),
  name: str().default(''),
  org_id: str().default(''),
  rate: number().default(0),
  per: number().default(0),
  quota_max: number().default(0),
  quota_renewal_rate: number().default(0),
  access_rights: dict(accessDefinition).default({}),
  active: bool().default(false),
  is_inactive: bool().default(false),
  tags: list(str()).default([]),
  key_expires_in: number().default(0),
  post_expiry_action: oneOf(['', 'retain', 'delete']).default(''),
  post_expiry_grace_period: number().default(0),
  partitions: partitions.prefault({}),
  last_updated: str().default(''),
  meta_data: dict(z.unknown()).nullable().default(null),
});

export type Policy = z.output<typeof policySchema>;
export type PolicyAccess = Policy['access_rights'][string];

const positive = (value: unknown) => (typeof value === 'number' && value > 0 ? 'refuse' : 'off');
const nonZero = (value: unknown) => (isZeroValue(value) ? 'off' : 'refuse');
const refuse = (feature: string, classify: (value: unknown) => 'refuse' | 'off' = nonZero): ForeignField => ({ effect: 'refuse', feature, classify });

/**
 * Fields of Tyk's policy that Hookgate cannot enforce. A policy that turns one on is refused at
 * load: applying it without the restriction would let through what Tyk stops. Tyk's "off" values
 * (0, -1, false, empty) are accepted, as the Dashboard writes them into every policy.
 */
export const POLICY_FOREIGN_FIELDS: ForeignFieldCatalogue = new Map<string, ForeignField>([
  ['throttle_interval', refuse('request throttling (retry instead of 429)', positive)],
  ['throttle_retry_limit', refuse('request throttling (retry instead of 429)', positive)],
  ['max_query_depth', refuse('a GraphQL query depth limit', positive)],
  ['graphql_access_rights', refuse('GraphQL access rights')],
  ['hmac_enabled', refuse('HMAC request signatures')],
  ['enable_http_signature_validation', refuse('HTTP signature validation')],
  ['smoothing', refuse('rate limit smoothing', (value) => ((value as { enabled?: unknown } | null)?.enabled === true ? 'refuse' : 'off'))],
  ['access_rights.*.allowed_urls', refuse('path and method restrictions (allowed_urls)')],
  ['access_rights.*.restricted_types', refuse('GraphQL type restrictions')],
  ['access_rights.*.allowed_types', refuse('GraphQL type restrictions')],
  ['access_rights.*.field_access_rights', refuse('GraphQL field limits')],
  ['access_rights.*.disable_introspection', refuse('GraphQL introspection control')],
  ['access_rights.*.endpoints', refuse('per-endpoint rate limits')],
  ['access_rights.*.json_rpc_methods', refuse('JSON-RPC method limits')],
  ['access_rights.*.json_rpc_methods_access_rights', refuse('JSON-RPC method access rules')],
  ['access_rights.*.mcp_primitives', refuse('MCP primitive limits')],
  ['access_rights.*.mcp_access_rights', refuse('MCP access rules')],
  ['access_rights.*.limit.throttle_interval', refuse('request throttling (retry instead of 429)', positive)],
  ['access_rights.*.limit.throttle_retry_limit', refuse('request throttling (retry instead of 429)', positive)],
  ['access_rights.*.limit.max_query_depth', refuse('a GraphQL query depth limit', positive)],
  ['access_rights.*.limit.smoothing', refuse('rate limit smoothing', (value) => ((value as { enabled?: unknown } | null)?.enabled === true ? 'refuse' : 'off'))],
]);
