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
 * `{ transport }` for coprocess_options when HOOKGATE_TEST_TRANSPORT (grpc-js or h2) asks for
 * one, else nothing (the config default, h2). test/integration/on-grpc-js/ reruns the plugin suites with
 * it set to grpc-js, the reference transport (test/helpers/on-transport.ts). Read at each call, since those files set it at run time.
 */
export function testTransport(): { transport?: string } {
  const transport = process.env['HOOKGATE_TEST_TRANSPORT'] ?? '';
  return transport === '' ? {} : { transport };
}

/** A tyk.conf fragment that turns gRPC plugins on, pointing at `server`. */
export function coprocessConfig(server: string, options: Record<string, unknown> = {}) {
  return { coprocess_options: { enable_coprocess: true, coprocess_grpc_server: server, ...testTransport(), ...options } };
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
