export { certificateOf, dnsNamesOf, isExpired, notYetValid, type Certificate } from './certificate.js';
export { certificateBasics, certificateMeta } from './meta.js';
export { fingerprintOf, isInlinePem, looksLikeCertId, parsePem, pemBlocks, sha256Hex, type ParsedPem, type PemParse } from './pem.js';
export { CERT_PREFIX, CertificateStore, type AddResult, type CertificateStoreOptions } from './store.js';
export { chainsTo, checkAllowList, peerCertificates, type AllowListCheck, type PeerCertificates } from './verify.js';
export { readStoreSnapshot, resolvedOf } from './snapshot.js';
