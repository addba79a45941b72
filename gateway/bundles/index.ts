export { buildBundle, type BuildOptions, type BuildResult } from './build.js';
export { apiLoadingOf, createBundleLoader } from './loader.js';
export { parseManifest, marshalManifest, type BundleManifest } from './manifest.js';
export { bundleSource, bundleSubdirName, md5Hex, parseBundleNames } from './names.js';
export { backoffDelay, downloadBundle } from './download.js';
export { extractZip } from './zip-extract.js';
export { EntryChecker, entryKindOf, unsafePathReason } from './zip-safety.js';
export { writeZip, type ZipInput } from './zip-write.js';
