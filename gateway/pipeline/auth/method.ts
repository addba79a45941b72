import type { AuthMethod, AuthScheme } from '../../apidef/index.js';
import type { SessionJson } from '../../session/index.js';
import type { HookDeps } from '../hooks.js';
import type { Refusal } from '../refusal.js';
import type { RequestContext } from '../request-context.js';

/** A method that passed: the session it found or built, and the key it is stored under. */
export interface AuthPass {
  readonly ok: true;
  readonly session: SessionJson;
  /** The storage key (Tyk's KeyID): the identity for limits, quotas and the write-back. */
  readonly key: string;
  /** The session must be written back (a new or changed session). */
  readonly modified: boolean;
}

export interface AuthFail {
  readonly ok: false;
  readonly refusal: Refusal;
  /** The `Key` of the AuthFailure event this failure fires; undefined when it fires none. */
  readonly authFailureKey?: string | undefined;
}

export type AuthResult = AuthPass | AuthFail;

/**
 * One auth method of an API, built at load. `run` reads the request and may change it (a custom
 * auth plugin can), but never writes the response: the runner decides what the client sees.
 */
export interface AuthMethodRunner {
  readonly method: AuthMethod;
  readonly scheme: AuthScheme;
  run(ctx: RequestContext, deps: HookDeps): Promise<AuthResult>;
}

export const pass = (session: SessionJson, key: string, modified = false): AuthPass => ({ ok: true, session, key, modified });

export const failWith = (refusal: Refusal, authFailureKey?: string): AuthFail =>
  authFailureKey === undefined ? { ok: false, refusal } : { ok: false, refusal, authFailureKey };
