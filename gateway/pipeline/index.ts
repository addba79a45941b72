export { EventDispatcher } from './events.js';
export { runRequestHook, runResponseHooks, type HookDeps } from './hooks.js';
export { RequestContext } from './request-context.js';
export { runPipeline, type PipelineDeps } from './run.js';
export type { SessionDeps } from './sessions.js';
export { refuseTooLarge, stagesFor, type Stage } from './stages.js';
export { completeUpstream, type Completion } from './upstream.js';
export { DEFAULT_JWKS_SETTINGS, JwksCache, type JwksLookup, type JwksSettings } from './auth/index.js';
