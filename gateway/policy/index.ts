export { applyPolicies, policyIdsOf, type ApplyResult } from './apply.js';
export { sessionFromPolicy } from './from-policy.js';
export { loadPolicies, NO_POLICIES, policyLoadError, type PolicyLoadResult, type PolicyProblem, type PolicySource } from './load.js';
export { POLICY_FOREIGN_FIELDS, policySchema, type Policy, type PolicyAccess } from './schema.js';
export { PolicyStore } from './store.js';
