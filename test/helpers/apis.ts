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
