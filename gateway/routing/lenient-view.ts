import { removeDotSegments } from './request-target.js';

/**
 * A path as the most lenient server behind the gateway might read it: every escape decoded (a
 * decoded "?" or "#" ending it),
 * `;parameters` dropped from each segment (Tomcat, Spring), trailing dots and spaces dropped
 * (Windows, IIS), case folded (case-insensitive file systems), empty and dot segments resolved.
 * The gateway refuses a request whose lenient reading routes to another API than its exact
 * reading, so no upstream can be reached through a listen path that is not its own.
 */
export function lenientView(path: string): string {
  let decoded = path.includes('%') ? path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : path;
  // A decoded "?" or "#" ends the path for a server that splits after decoding (%3f, %23).
  const end = decoded.search(/[?#]/);
  if (end !== -1) decoded = decoded.slice(0, end);
  const segments = decoded.split('/').map((segment) => {
    const semi = segment.indexOf(';');
    const bare = semi === -1 ? segment : segment.slice(0, semi);
    return bare === '.' || bare === '..' ? bare : bare.replace(/[. ]+$/, '');
  });
  return removeDotSegments(segments.join('/').replace(/\/{2,}/g, '/').toLowerCase());
}

/** Whether a path can read differently leniently; most paths cannot, and skip the second lookup. */
export function mayReadDifferently(path: string): boolean {
  return /[A-Z;%. ]/.test(path);
}
