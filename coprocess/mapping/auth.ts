import type { CoprocessObject__Output, SessionState__Output } from '../protocol/index.js';

export type AuthReplyResult =
  | { readonly ok: true; readonly session: SessionState__Output; readonly token: string }
  | { readonly ok: false; readonly reason: string };

/**
 * protocol.md 2.7: the session an auth hook returned, with the reply's metadata merged into the
 * session's, the token taken from `metadata["token"]`, and the gateway's own `org_id` and
 * `key_id`. No session or an empty token is a refusal ("Forbidden"), never an anonymous pass.
 */
export function sessionFromAuthReply(reply: CoprocessObject__Output, orgId: string): AuthReplyResult {
  const session = reply.session;
  if (session === null) return { ok: false, reason: 'the auth hook returned no session' };
  const metadata = { ...session.metadata, ...reply.metadata };
  const token = metadata['token'] ?? '';
  if (token === '') return { ok: false, reason: 'the auth hook returned no token (metadata["token"] is empty)' };
  return { ok: true, session: { ...session, metadata, org_id: orgId, key_id: token }, token };
}

/** The session as Tyk sends it on to later hooks: without `certificate` and `max_query_depth`. */
export function sessionForHooks(session: SessionState__Output): SessionState__Output {
  return { ...session, certificate: '', max_query_depth: 0 };
}
