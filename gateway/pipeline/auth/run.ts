import { suppliesSession, type ApiSpec, type AuthScheme } from '../../apidef/index.js';
import type { HookDeps } from '../hooks.js';
import { refusalOf, writeRefusal } from '../refusal.js';
import type { RequestContext } from '../request-context.js';
import type { AuthFail, AuthMethodRunner, AuthPass } from './method.js';

/** Builds the runner of one scheme (throws for a method this version cannot run: refused at load). */
export type MethodFactory = (scheme: AuthScheme, api: ApiSpec) => AuthMethodRunner;

type Stage = (ctx: RequestContext, deps: HookDeps) => Promise<boolean>;

function attach(ctx: RequestContext, result: AuthPass): void {
  ctx.session = result.session;
  ctx.sessionKey = result.key;
  ctx.sessionModified = result.modified;
}

/**
 * The auth stage of a protected API. Legacy mode (and any API with a single requirement): one AND
 * group, every method in Tyk's order, each attaching its session when `base_identity_provided_by`
 * names it or is unset (so the last one wins). Compliant mode with several requirements: OR of AND
 * groups, each on its own fork of the request; the first group that passes supplies the session
 * (its last method's) and its request; if none passes, the last attempted method's refusal.
 */
export function authStageOf(api: ApiSpec, build: MethodFactory): Stage | undefined {
  const groups = api.auth.requirements.map((group) => group.map((scheme) => build(scheme, api)));
  if (groups.length === 0) return undefined;
  if (groups.some((group) => group.length === 0)) throw new Error(`API ${api.id}: an empty security requirement would let every request through`);
  if (groups.length === 1 || api.auth.mode === 'legacy') {
    const [only = []] = groups;
    return (ctx, deps) => runAndGroup(ctx, deps, only, api.auth.baseIdentity);
  }
  return (ctx, deps) => runAlternatives(ctx, deps, groups);
}

async function runAndGroup(ctx: RequestContext, deps: HookDeps, group: readonly AuthMethodRunner[], baseIdentity: string): Promise<boolean> {
  for (const runner of group) {
    const result = await runner.run(ctx, deps);
    if (!result.ok) {
      if (result.authFailureKey !== undefined) deps.events.authFailure(ctx, result.authFailureKey);
      return writeRefusal(ctx, deps.errors, result.refusal);
    }
    if (suppliesSession(baseIdentity, runner.method)) {
      attach(ctx, result);
      if (deps.log.debugEnabled) {
        deps.log.debug({ api_id: ctx.api.id, method: runner.method, base_identity_provided_by: baseIdentity }, `BaseIdentityProvider set to ${baseIdentity === '' ? runner.method : baseIdentity}: the session comes from ${runner.method}`);
      }
    }
  }
  return true;
}

async function runAlternatives(ctx: RequestContext, deps: HookDeps, groups: readonly (readonly AuthMethodRunner[])[]): Promise<boolean> {
  const debug = deps.log.debugEnabled;
  const total = groups.length;
  if (debug) deps.log.debug({ api_id: ctx.api.id, requirements: total }, 'Processing multiple security requirements (OR conditions)');
  const failures: { ctx: RequestContext; failure: AuthFail }[] = [];
  for (let index = 0; index < total; index++) {
    const group = groups[index] ?? [];
    const number = index + 1;
    if (debug) deps.log.debug({ api_id: ctx.api.id }, `OR wrapper: trying security requirement group ${number}/${total}: [${group.map((r) => r.scheme.name).join(' ')}]`);
    const attempt = ctx.fork();
    let last: AuthPass | undefined;
    let failure: AuthFail | undefined;
    for (const runner of group) {
      if (debug) deps.log.debug({ api_id: ctx.api.id }, `OR wrapper: executing auth method ${runner.scheme.name} in group ${number}`);
      const result = await runner.run(attempt, deps);
      if (!result.ok) {
        if (debug) deps.log.debug({ api_id: ctx.api.id }, `OR wrapper: auth method ${runner.scheme.name} failed with error: ${result.refusal.message} (code: ${result.refusal.status})`);
        failure = result;
        break;
      }
      if (debug) deps.log.debug({ api_id: ctx.api.id }, `OR wrapper: auth method ${runner.scheme.name} succeeded`);
      last = result;
    }
    if (failure !== undefined) {
      failures.push({ ctx: attempt, failure });
      continue;
    }
    if (debug) deps.log.debug({ api_id: ctx.api.id, method: group.at(-1)?.method }, `OR wrapper: security requirement group ${number} succeeded`);
    ctx.adopt(attempt);
    if (last !== undefined) attach(ctx, last);
    return true;
  }
  // Every alternative failed: each failed attempt is reported, and the client gets the last one.
  for (const { ctx: attempt, failure } of failures) {
    if (failure.authFailureKey !== undefined) deps.events.authFailure(attempt, failure.authFailureKey);
  }
  const lastFailure = failures.at(-1)?.failure;
  return writeRefusal(ctx, deps.errors, lastFailure?.refusal ?? refusalOf('HG_ERR_INTERNAL'));
}
