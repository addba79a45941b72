export { EventDispatcher } from './events.js';
export { runRequestHook, runResponseHooks, type HookDeps } from './hooks.js';
export { RequestContext } from './request-context.js';
export { runPluginPipeline, type PipelineDeps } from './run.js';
export { completeUpstream, type Completion } from './upstream.js';
