interface TrieNode<T> {
  readonly children: Map<string, TrieNode<T>>;
  value: T | undefined;
}

export interface RouteMatch<T> {
  readonly value: T;
  /** How many characters of the path the matched prefix covers ("/a/b" → 4; "/" → 0). */
  readonly prefixLength: number;
}

const newNode = <T>(): TrieNode<T> => ({ children: new Map(), value: undefined });

/**
 * Longest-prefix routing on whole path segments: a route for `/app` matches `/app`, `/app/` and
 * `/app/x`, never `/apple`. One map lookup per path segment, whatever the number of routes.
 */
export class Router<T> {
  private readonly root: TrieNode<T> = newNode();
  /** The same routes under their lenient spelling (see lenientView), when asked for. */
  private readonly lenientRoot: TrieNode<T> | undefined;

  /**
   * `prefix` is "/" or "/a/b" without a trailing slash. Later entries for a prefix replace earlier
   * ones. With `lenient`, a second index of the prefixes as `lenient` reads them is kept for
   * `matchLenient`.
   */
  constructor(entries: Iterable<readonly [prefix: string, value: T]>, lenient?: (path: string) => string) {
    const list = [...entries];
    Router.index(this.root, list);
    if (lenient !== undefined) {
      this.lenientRoot = newNode();
      Router.index(this.lenientRoot, list.map(([prefix, value]) => [lenient(prefix).replace(/\/+$/, '') || '/', value] as const));
    }
  }

  private static index<T>(root: TrieNode<T>, entries: readonly (readonly [string, T])[]): void {
    for (const [prefix, value] of entries) {
      let node = root;
      if (prefix !== '/') {
        for (const segment of prefix.slice(1).split('/')) {
          let child = node.children.get(segment);
          if (child === undefined) {
            child = newNode();
            node.children.set(segment, child);
          }
          node = child;
        }
      }
      node.value = value;
    }
  }

  match(path: string): RouteMatch<T> | undefined {
    return Router.walk(this.root, path);
  }

  /** Matches a path (already read leniently) against the lenient index; undefined without one. */
  matchLenient(path: string): RouteMatch<T> | undefined {
    return this.lenientRoot === undefined ? undefined : Router.walk(this.lenientRoot, path);
  }

  private static walk<T>(root: TrieNode<T>, path: string): RouteMatch<T> | undefined {
    let node = root;
    let best: RouteMatch<T> | undefined = node.value === undefined ? undefined : { value: node.value, prefixLength: 0 };
    let start = 1;
    while (start <= path.length) {
      let end = path.indexOf('/', start);
      if (end === -1) end = path.length;
      const child = node.children.get(path.slice(start, end));
      if (child === undefined) break;
      node = child;
      if (node.value !== undefined) best = { value: node.value, prefixLength: end };
      start = end + 1;
    }
    return best;
  }
}
