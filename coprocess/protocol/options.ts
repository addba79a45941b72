import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file that imports all the others and declares the Dispatcher service. */
export const PROTO_ENTRY = 'coprocess_object.proto';

/** The package's proto/ folder, found by walking up from this file (source or dist). */
function findProtoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, PROTO_ENTRY))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`proto/${PROTO_ENTRY} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The folder of Tyk's coprocess .proto files. */
export const PROTO_DIR = findProtoDir();

/**
 * How messages look in JavaScript, everywhere in Hookgate: snake_case field names as in the
 * .proto files, int64 as numbers, enums as their names, every field present (absent messages as
 * null, so presence stays visible). The generated types (`npm run gen:proto`) are generated with
 * the same options; the drift test checks both stay in step.
 */
export const MESSAGE_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
} as const;

/** Options for @grpc/proto-loader's `loadSync`. */
export const PROTO_LOADER_OPTIONS = { ...MESSAGE_OPTIONS, includeDirs: [PROTO_DIR] };

export const DISPATCH_PATH = '/coprocess.Dispatcher/Dispatch';
export const DISPATCH_EVENT_PATH = '/coprocess.Dispatcher/DispatchEvent';
