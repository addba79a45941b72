// The tests of ../hostile-plugin.test.ts, with coprocess_options.transport "grpc-js" (the reference transport; h2 is the default) (docs/transport.md).
import { onTransport } from '../../helpers/on-transport.js';

await onTransport('grpc-js', 'hostile-plugin');
