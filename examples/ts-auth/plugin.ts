/**
 * The Custom Authentication Plugin Tutorial's `MyAuthMiddleware`, in TypeScript, plus a pre hook.
 * Served by main.ts; tested by plugin.test.ts. In your own project, import from 'hookgate/sdk'.
 */
import { definePlugin } from '../../sdk/index.js';

const KEY = '47a0c79c427728b3df4af62b9228c8ae';

export const plugin = definePlugin({ name: 'ts-auth', module: import.meta.url })
  .authCheck('MyAuthMiddleware', (request, session, metadata, spec, { log }) => {
    if (request.getHeader('Authorization') === KEY) {
      log.info({ config_data: spec.configData }, "I'm logged!");
      session.rate = 1000;
      session.per = 1;
      metadata.token = KEY;
    }
    return { request, session, metadata };
  })
  .pre('AddHelloHeader', (request) => {
    request.setHeader('X-Hello', 'from the ts-auth plugin');
  });
