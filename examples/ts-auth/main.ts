/**
 * Serves the ts-auth plugin: `node dist/examples/ts-auth/main.js`. Listens on
 * HOOKGATE_PLUGIN_ADDRESS (tyk.conf's sidecar sets it), else 127.0.0.1:5555; stops on SIGTERM.
 */
import { serve } from '../../sdk/index.js';
import { plugin } from './plugin.js';

await serve(plugin);
