// The tests of ../python-api.test.ts, with coprocess_options.transport "h2" (docs/transport.md).
import { onTransport } from '../../helpers/on-transport.js';

await onTransport('h2', 'python-api');
