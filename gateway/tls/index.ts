export { ServerTls, type CertificatesInUse, type ListenerRole } from './server-tls.js';
export { SniTable } from './sni.js';
export { ExpiryMonitor, type DynamicCertificates, type ExpirySettings } from './expiry.js';
export { certificateAuthCertificates } from './certificate-auth-certs.js';
