import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, resolve } from 'node:path';
import type { SidecarSpec } from './types.js';

type Found = 'ok' | 'not-executable' | 'missing';

async function check(path: string): Promise<Found> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined || stats.isDirectory()) return 'missing';
  return access(path, constants.X_OK).then(
    () => 'ok',
    () => 'not-executable',
  );
}

/**
 * Why a launch cannot work, or undefined when it can. Checked before spawning because through
 * setpriv a missing command is only an exit code 127, and without setpriv Node's ENOENT names
 * the command even when the working folder is what is missing. The lookup follows execvp: a
 * command with a slash is a path (from the working folder), otherwise PATH is searched (the
 * sidecar's own PATH when its env sets one).
 */
export async function preflight(spec: SidecarSpec): Promise<string | undefined> {
  const cwd = await stat(spec.cwd).catch(() => undefined);
  if (cwd === undefined) return `working folder not found: ${spec.cwd}`;
  if (!cwd.isDirectory()) return `working folder is not a folder: ${spec.cwd}`;

  if (spec.command.includes('/')) {
    const path = resolve(spec.cwd, spec.command);
    const found = await check(path);
    if (found === 'missing') return `command not found: ${spec.command}`;
    if (found === 'not-executable') return `command not executable: ${path}`;
    return undefined;
  }
  const searchPath = spec.env['PATH'] ?? process.env['PATH'] ?? '';
  let notExecutable: string | undefined;
  for (const dir of searchPath.split(delimiter)) {
    // An empty PATH entry means the current folder, as for execvp.
    const path = resolve(spec.cwd, dir, spec.command);
    const found = await check(path);
    if (found === 'ok') return undefined;
    if (found === 'not-executable') notExecutable ??= path;
  }
  return notExecutable !== undefined ? `command not executable: ${notExecutable}` : `command not found: ${spec.command}`;
}
