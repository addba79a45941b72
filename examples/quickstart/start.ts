/**
 * `npm start`: the quickstart. Starts a local echo upstream on 127.0.0.1:8081, then the gateway
 * with examples/quickstart/tyk.conf (in-memory store): the Python tutorial's auth plugin
 * (examples/python-auth) in front of the upstream on /my-api/, and a keyless API on /quickstart/.
 * Try: curl http://127.0.0.1:8080/my-api/my-path -H 'Authorization: 47a0c79c427728b3df4af62b9228c8ae'
 */
import { join } from 'node:path';
import { PACKAGE_ROOT, runCli } from '../../gateway/index.js';
import { startEchoUpstream } from './echo-upstream.js';

const UPSTREAM_PORT = 8081;

try {
  await startEchoUpstream(UPSTREAM_PORT);
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  process.stderr.write(
    `quickstart: cannot start the echo upstream on 127.0.0.1:${UPSTREAM_PORT}: ${code === 'EADDRINUSE' ? 'the port is already in use' : String(err)}\n`,
  );
  process.exit(1);
}

const code = await runCli(['start', '--conf', join(PACKAGE_ROOT, 'examples', 'quickstart', 'tyk.conf')]);
process.exit(code);
