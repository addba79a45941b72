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

  /** `prefix` is "/" or "/a/b" without a trailing slash. Later entries for a prefix replace earlier ones. */
  constructor(entries: Iterable<readonly [prefix: string, value: T]>) {
    for (const [prefix, value] of entries) {
      let node = this.root;
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
    let node = this.root;
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
