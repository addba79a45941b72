import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  write(relativePath: string, content: unknown): Promise<string>;
  remove(): Promise<void>;
}

/** A scratch folder; `write` takes text or a value to write as JSON. */
export async function tempDir(prefix = 'hookgate-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async write(relativePath, content) {
      const file = join(path, relativePath);
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
