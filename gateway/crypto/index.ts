export { constantTimeEqual } from './constant-time.js';
export { knownCipherNames, openSslCiphers, TLS13_SUITES, type CipherList } from './ciphers.js';
export { fileAndPemResolver, parsePem, refLabel, spkiSha256, type CertificateLookup, type CertificateResolver, type ResolvedCertificate } from './certificate-refs.js';
