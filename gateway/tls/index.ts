export { ServerTls, type CertificatesInUse, type ListenerRole } from './server-tls.js';
export { SniTable } from './sni.js';
export { ExpiryMonitor, type ExpirySettings } from './expiry.js';
