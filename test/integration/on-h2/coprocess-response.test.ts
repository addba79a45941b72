// The tests of ../coprocess-response.test.ts, with coprocess_options.transport "h2" (docs/transport.md).
import { onTransport } from '../../helpers/on-transport.js';

await onTransport('h2', 'coprocess-response');
