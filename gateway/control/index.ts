export { createControlHandler, isControlPath, type ControlDeps } from './router.js';
export { secretMatches } from './secret.js';
