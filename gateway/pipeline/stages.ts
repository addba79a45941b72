import type { ApiSpec, HookSpec } from '../apidef/index.js';
import { authMethodRunner, authStageOf } from './auth/index.js';
import { drainRest, readBody } from './body.js';
import { runRequestHook } from './hooks.js';
import { mtlsStage } from './mtls.js';
import type { RequestContext } from './request-context.js';
import type { PipelineDeps } from './run.js';
import { limitsStage, persistStage, sessionChecksStage, stripAuthStage } from './sessions.js';

/** One step of an API's request path: true to go on, false when it answered the request. */
export type Stage = (ctx: RequestContext, deps: PipelineDeps) => boolean | Promise<boolean>;

/**
 * Hooks (and basic auth's body extraction) get the body whole; it is read once, up to
 * grpc_send_max_size or the API's body limit, whichever is smaller (413 beyond it).
 */
const readBodyStage: Stage = async (ctx, deps) => {
  const hooksLimit = ctx.maxBodyBytes >= deps.sendMaxBytes;
  const body = await readBody(ctx.req, Math.min(deps.sendMaxBytes, ctx.maxBodyBytes));
  if (body.ok) {
    ctx.buffered = body.body;
    return true;
  }
  if (body.reason === 'aborted') return false;
  const message = hooksLimit ? 'request body too large to buffer for the plugin hooks or body auth' : 'request body over the limit';
  await refuseTooLarge(ctx, deps, body.detail, message);
  return false;
};

/** Answers 413 (after draining what is reasonable of the body) and logs one line per API and second. */
export async function refuseTooLarge(ctx: RequestContext, deps: PipelineDeps, reason: string, message = 'request body over the limit'): Promise<void> {
  deps.log.warn(`body:${ctx.api.id}`, { api_id: ctx.api.id, limit: 'max_request_body', reason }, message);
  const rest = await drainRest(ctx.req);
  if (rest === 'gone') return;
  if (rest === 'over_cap') ctx.res.setHeader('Connection', 'close');
  deps.errors.send(ctx.req, ctx.res, 'HG_ERR_REQUEST_TOO_LARGE');
}

/** Basic auth with `extract_from_body` reads its credential from the body (auth/basic.ts). */
const readsBodyForAuth = (api: ApiSpec): boolean =>
  api.definition.basic_auth.extract_from_body && api.auth.requirements.some((group) => group.some((scheme) => scheme.method === 'basic'));

const hookStage = (hook: HookSpec): Stage => (ctx, deps) => runRequestHook(ctx, hook, deps);

/**
 * The request stages of an API, declared once at load in Tyk's chain order (protocol.md 2.2,
 * tyk-config.md 1.2): the static client-certificate check, pre hooks, authentication (see auth/run.ts),
 * post-key-auth hooks, strip_auth_data, key expiry and access rights, rate limit and quota, the
 * session written back, post hooks. Undefined when the API has no stage at all (keyless, no
 * hooks): its requests go straight upstream.
 */
export function stagesFor(api: ApiSpec): readonly Stage[] | undefined {
  const plan = api.plugins;
  const stages: Stage[] = [];
  if (api.tls.clientCertificates !== undefined) stages.push(mtlsStage);
  const requestHooks = plan === undefined ? 0 : plan.pre.length + plan.postKeyAuth.length + plan.post.length + (plan.authCheck === undefined ? 0 : 1);
  if (requestHooks > 0 || readsBodyForAuth(api)) stages.push(readBodyStage);
  for (const hook of plan?.pre ?? []) stages.push(hookStage(hook));
  if (!api.keyless) {
    const auth = authStageOf(api, authMethodRunner);
    if (auth !== undefined) stages.push(auth);
    for (const hook of plan?.postKeyAuth ?? []) stages.push(hookStage(hook));
    if (api.definition.strip_auth_data) stages.push(stripAuthStage);
    stages.push((ctx, deps) => sessionChecksStage(ctx, deps.sessions));
    stages.push((ctx, deps) => limitsStage(ctx, deps.sessions));
    stages.push((ctx, deps) => persistStage(ctx, deps.sessions));
  }
  for (const hook of plan?.post ?? []) stages.push(hookStage(hook));
  return stages.length === 0 && (plan?.response.length ?? 0) === 0 ? undefined : stages;
}
