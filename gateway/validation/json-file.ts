import { readFile } from 'node:fs/promises';
import { locateJsonError } from './json-locate.js';

export type JsonFileResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string };

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses JSON text; a syntax error names the line and column where it was found. */
export function parseJsonText(text: string): JsonFileResult {
  // A UTF-8 byte order mark is legal in files written by some editors; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (err) {
    if (body.trim() === '') return { ok: false, problem: 'the file is empty (expected a JSON object)' };
    const located = locateJsonError(body);
    if (located !== undefined) {
      const { line, column } = lineAndColumn(body, located.offset);
      return { ok: false, problem: `invalid JSON at line ${line}, column ${column}: ${located.reason}` };
    }
    return { ok: false, problem: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function readJsonFile(path: string): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(err);
    return { ok: false, problem: `cannot read ${path}: ${reason}` };
  }
  return parseJsonText(text);
}
