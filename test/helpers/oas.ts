/** OpenAPI security schemes as the seed's examples write them. */
export const SCHEMES = {
  api_key: { type: 'apiKey', name: 'X-API-Key', in: 'header' },
  api_key_query: { type: 'apiKey', name: 'api_key', in: 'query' },
  basic_auth: { type: 'http', scheme: 'basic' },
  jwt_auth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
} as const;

export interface OasOptions {
  /** components.securitySchemes (names from SCHEMES or full objects). */
  readonly components?: Record<string, unknown>;
  /** The OpenAPI `security` array. */
  readonly security?: Record<string, string[]>[];
  /** x-tyk-api-gateway.server.authentication (merged over `{enabled: true}`), or false for none. */
  readonly authentication?: Record<string, unknown> | false;
  /** x-tyk-api-gateway.middleware. */
  readonly middleware?: Record<string, unknown>;
  /** Extra top-level keys (x-hookgate, ...). */
  readonly extra?: Record<string, unknown>;
  readonly orgId?: string;
}

/** A Tyk OAS API definition: an OpenAPI 3 document with the x-tyk-api-gateway extension. */
export function oasApi(id: string, listenPath: string, targetUrl: string, options: OasOptions = {}) {
  const server: Record<string, unknown> = { listenPath: { value: listenPath, strip: true } };
  if (options.authentication !== false) server['authentication'] = { enabled: true, ...(options.authentication ?? {}) };
  const tyk: Record<string, unknown> = {
    info: { id, name: `${id} API`, orgId: options.orgId ?? 'test-org', state: { active: true } },
    upstream: { url: targetUrl },
    server,
  };
  if (options.middleware !== undefined) tyk['middleware'] = options.middleware;
  return {
    openapi: '3.0.3',
    info: { title: id, version: '1.0.0' },
    paths: {},
    ...(options.components === undefined ? {} : { components: { securitySchemes: options.components } }),
    ...(options.security === undefined ? {} : { security: options.security }),
    'x-tyk-api-gateway': tyk,
    ...(options.extra ?? {}),
  };
}

/** middleware.global for a gRPC custom auth plugin (the auth hook is in server.authentication.custom). */
export const GRPC_PLUGINS = { global: { pluginConfig: { driver: 'grpc' } } };

/** server.authentication.custom for a custom auth hook named `functionName`. */
export const customAuth = (functionName: string, extra: Record<string, unknown> = {}) => ({
  enabled: true,
  config: { enabled: true, functionName, ...extra },
});
