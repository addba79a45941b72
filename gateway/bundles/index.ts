export { extractZip } from './zip-extract.js';
export { EntryChecker, entryKindOf, unsafePathReason } from './zip-safety.js';
export { writeZip, type ZipInput } from './zip-write.js';
