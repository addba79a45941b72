export { closestMatch, editDistance } from './closest.js';
export { deepFreeze } from './freeze.js';
export { readJsonFile, parseJsonText, lineAndColumn, type JsonFileResult } from './json-file.js';
export { describeValue, formatPath, valueAt, type DocPath } from './paths.js';
export { findUnknownKeys, knownKeys, type UnknownKey } from './walk.js';
export {
  describeIssue,
  isZeroValue,
  validateAt,
  validateDocument,
  type ForeignField,
  type ForeignFieldCatalogue,
  type Problem,
  type ValidationResult,
} from './validate.js';
export * as fields from './fields.js';
