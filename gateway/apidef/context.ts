import { processRunDir } from '../../coprocess/index.js';
import { resolvePluginServer, type GatewayConfig } from '../config/index.js';
import type { CertificateResolver } from '../crypto/index.js';
import type { ApiLoadContext } from './features.js';

/** What API definitions are checked against, from the gateway's config; `certificates` reads what they name. */
export function apiLoadContextOf(config: GatewayConfig, certificates?: CertificateResolver): ApiLoadContext {
  const { coprocess } = config;
  const names = new Set(coprocess.sidecars.map((s) => s.name));
  return {
    coprocessEnabled: coprocess.enabled,
    // One folder per gateway process; nothing is created until a bridge is launched.
    pythonAddress: (bundleDir) => processRunDir().bridgeAddress(bundleDir),
    tls: { enabled: config.tls.enabled, customDomains: config.tls.customDomains, apiClientCertificates: config.tls.apiClientCertificates, baseDir: config.bundles.baseDir },
    defaultServer: coprocess.server,
    upstreamTls: config.upstreamTls,
    ...(certificates === undefined ? {} : { certificates }),
    dispatchTimeoutMs: coprocess.dispatchTimeoutMs,
    resolveServer: (value) => {
      const reference = /^sidecar:(.*)$/.exec(value);
      if (reference !== null && !names.has(reference[1] ?? '')) return undefined;
      return resolvePluginServer(value, coprocess.sidecars);
    },
  };
}
