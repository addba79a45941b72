/** The Object the plugin-path benchmarks send (bench:dispatch, bench:codec). */
import type { CoprocessObject } from '../coprocess/protocol/index.js';
import { hookRequest } from '../sdk/testing/index.js';
import { KEY } from './sdk-plugin.js';

/** An auth_check Object like the gateway's: 10 headers, a URL with a query, a spec with config_data. */
export function benchAuthObject(): CoprocessObject {
  const object = hookRequest()
    .get('/bench/orders/1234?expand=items&page=2')
    .header('Authorization', KEY)
    .header('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0')
    .header('Accept', 'application/json')
    .header('Accept-Encoding', 'gzip, deflate, br')
    .header('Accept-Language', 'en-GB,en;q=0.9')
    .header('X-Request-Id', '7f3c1a9e-5b2d-4c8e-9a1f-2d3e4f5a6b7c')
    .header('X-Forwarded-For', '203.0.113.7')
    .header('Cookie', 'session=abcdef0123456789; theme=dark')
    .header('Traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
    .api({ id: 'orders-api', orgId: 'acme', bundle: 'auth-bundle.zip' })
    .configData({ tier: 'gold', upstream_timeout: 30, features: ['audit', 'quota'], owner: 'platform-team' })
    .build('Trivial', 'auth_check');
  // As the gateway's: an API's spec map is built once at load, frozen (gateway/apidef/plugins.ts).
  object.spec = Object.freeze({ ...object.spec });
  return object;
}
