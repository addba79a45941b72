/** A keyless Classic API definition, the smallest Tyk accepts, with overrides. */
export function keylessApi(id: string, listenPath: string, targetUrl: string, proxy: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    api_id: id,
    name: `${id} API`,
    org_id: 'test-org',
    active: true,
    use_keyless: true,
    proxy: { listen_path: listenPath, target_url: targetUrl, strip_listen_path: true, ...proxy },
    version_data: { not_versioned: true, versions: { Default: { name: 'Default' } } },
    ...extra,
  };
}

/**
 * The Dispatch transport gateway suites run on: HOOKGATE_TEST_TRANSPORT=grpc-js|h2, or the
 * config default when unset. test/integration/h2-transport-conformance.test.ts reruns the
 * coprocess suites with the transport that is not the default.
 */
const TEST_TRANSPORT = process.env['HOOKGATE_TEST_TRANSPORT'];

/** A tyk.conf fragment that turns gRPC plugins on, pointing at `server`. */
export function coprocessConfig(server: string, options: Record<string, unknown> = {}) {
  const transport = TEST_TRANSPORT === undefined || TEST_TRANSPORT === '' ? {} : { transport: TEST_TRANSPORT };
  return { coprocess_options: { enable_coprocess: true, coprocess_grpc_server: server, ...transport, ...options } };
}

/** An API with gRPC plugin hooks; keyless unless it has an auth_check (then custom auth is on). */
export function pluginApi(id: string, listenPath: string, targetUrl: string, middleware: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const withAuth = typeof middleware['auth_check'] === 'object';
  return {
    ...keylessApi(id, listenPath, targetUrl, {}, extra),
    use_keyless: !withAuth,
    enable_coprocess_auth: withAuth,
    custom_middleware: { driver: 'grpc', ...middleware },
    ...extra,
  };
}
