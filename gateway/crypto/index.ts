export { constantTimeEqual } from './constant-time.js';
export { knownCipherNames, openSslCiphers, TLS13_SUITES, type CipherList } from './ciphers.js';
export { fileAndPemResolver, parsePem, storeBackedResolver, refLabel, spkiSha256, type CertificateLookup, type CertificateResolver, type ResolvedCertificate, type StoreSnapshot } from './certificate-refs.js';
