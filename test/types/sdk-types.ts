/**
 * Type tests for the public SDK types: this file is compiled with the project (`npm run build`)
 * and never run. Each `@ts-expect-error` marks a misuse that must stay a compile error; if a
 * change makes it compile, the build fails on the unused directive.
 */
import {
  allow,
  definePlugin,
  deny,
  respond,
  serve,
  type HookContext,
  type HookRequest,
  type HookResponse,
  type Metadata,
  type Plugin,
  type PluginServer,
  type Session,
  type Spec,
} from '../../sdk/index.js';
import { hookRequest, inProcess, overWire, type HookResult, type PluginClient } from '../../sdk/testing/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_proof: T) => undefined;

const KEY = '47a0c79c427728b3df4af62b9228c8ae';

// The tutorial's shape: mutate and return { request, session, metadata }, or nothing.
export const tutorial = definePlugin().authCheck('MyAuthMiddleware', (request, session, metadata, spec, context) => {
  expectType<Equal<typeof request, HookRequest>>(true);
  expectType<Equal<typeof session, Session>>(true);
  expectType<Equal<typeof metadata, Metadata>>(true);
  expectType<Equal<typeof spec, Spec<{ [key: string]: unknown }>>>(true);
  expectType<Equal<typeof context, HookContext>>(true);
  if (request.getHeader('Authorization') === KEY) {
    session.rate = 1000;
    session.per = 1;
    metadata.token = KEY;
  }
  return { request, session, metadata };
});

// Every outcome an auth_check may return, sync or async; falling through returns nothing.
definePlugin()
  .authCheck('A', () => allow(KEY, { rate: 10, per: 1, metadata: { plan: 'gold' } }))
  .authCheck('B', async () => deny(401, 'no'))
  .authCheck('C', () => respond(200, { ok: true }))
  .authCheck('D', (request) => {
    if (request.method === 'OPTIONS') return respond(204);
    return undefined;
  })
  .pre('E', () => deny(403))
  .post('F', async (request) => {
    request.setHeader('X', 'y');
  })
  .postKeyAuth('G', (_request, session) => ({ session: { rate: session.rate * 2 } }))
  .response('H', (_request, response) => response.setHeader('X', 'y'))
  .event('I', (event) => void event.meta['Key']);

// A named function is its own hook name.
function MyPreHook(request: HookRequest): void {
  request.setHeader('X-Hello', 'world');
}
definePlugin().pre(MyPreHook);

// @ts-expect-error allow() only in auth_check hooks
definePlugin().pre('bad', () => allow(KEY));
// @ts-expect-error allow() only in auth_check hooks (async too)
definePlugin().post('bad', async () => allow(KEY));
// @ts-expect-error response hooks return nothing or the response, not outcomes
definePlugin().response('bad', () => deny(403));
// @ts-expect-error a handler returns outcomes or { request, session, metadata }, not a number
definePlugin().pre('bad', () => 42);
// @ts-expect-error a returned object has only request, session and metadata (a typo is caught)
definePlugin().pre('bad', () => ({ sesion: {} }));
// @ts-expect-error header values are strings
definePlugin().pre('bad', (request) => void request.setHeader('X-Count', 5));
// @ts-expect-error metadata values are strings
definePlugin().authCheck('bad', (_request, _session, metadata) => void (metadata.token = 5));
// @ts-expect-error the session's rate is a number
definePlugin().authCheck('bad', (_request, session) => void (session.rate = '1000'));
// @ts-expect-error no such session field (a typo is a compile error, not a silent no-op)
allow(KEY, { rte: 1000 });
// @ts-expect-error the status is a number
deny('403', 'no');
// @ts-expect-error a direct response body is text or JSON, not a number
respond(200, 5);
// @ts-expect-error a hook needs a handler
definePlugin().pre('bad');
// @ts-expect-error response hooks get the response second
definePlugin().response('bad', (_request, response: Session) => void response);

// config_data typed by the plugin's parser.
const typed = definePlugin({ config: (data) => data as { limit: number; tiers: string[] } }).pre('T', (request, _s, _m, spec) => {
  expectType<Equal<typeof spec.config.limit, number>>(true);
  request.setHeader('X-Limit', String(spec.config.limit));
  // @ts-expect-error not in the config type
  void spec.config.missing;
  // @ts-expect-error the parsed config is read-only at runtime; the type says it may not be replaced
  spec.config = { limit: 1, tiers: [] };
});
expectType<Equal<typeof typed, Plugin<{ limit: number; tiers: string[] }>>>(true);

// serve() and the test kit take any plugin, whatever its config type.
export async function serving(): Promise<void> {
  const server: PluginServer = await serve(typed, { address: '127.0.0.1:0', threads: 2 });
  await server.close({ graceMs: 100 });
  // @ts-expect-error threads is a count or a boolean
  await serve(typed, { threads: 'many' });
  // @ts-expect-error unknown option
  await serve(typed, { adress: '127.0.0.1:0' });

  const client: PluginClient = inProcess(typed);
  const result: HookResult = await client.call('T', hookRequest().get('/x').header('A', 'b').configData({ limit: 1 }));
  expectType<Equal<typeof result.status, number | undefined>>(true);
  expectType<Equal<NonNullable<typeof result.session>['rate'], number>>(true);
  const wire = await overWire(tutorial, { threads: 1 });
  await wire.call('MyAuthMiddleware', hookRequest(), { kind: 'auth_check' });
  // @ts-expect-error not a hook kind
  await wire.call('MyAuthMiddleware', hookRequest(), { kind: 'CustomKeyCheck' });
  // @ts-expect-error a header needs a value
  hookRequest().header('Authorization');
  const response: HookResponse | undefined = undefined;
  void response;
}
