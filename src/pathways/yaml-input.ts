/**
 * The YAML reader every YAML input goes through (behaviour files, campaign policies, scenarios),
 * with its bound on alias expansion, and the "expected …, got …" wording of their errors. In
 * pathways because it is the one layer the campaign and scenario readers both may import
 * (DESIGN.md §3). Errors go to the caller's `fail`, which throws the reader's own typed error
 * naming the line and column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/**
 * Alias uses one YAML input may make, counting the aliases inside an aliased node once per use
 * (`*b` where `&b` holds three aliases counts four): the number of aliases in the input once every
 * alias is replaced by what it names. yaml's own `maxAliasCount` (default 100) estimates the same
 * thing from anchor use counts, so an innocent list of 101 `*a` trips it, and its error names no
 * line. hanota's inputs are small hand-written files (policies, scenarios, behaviour files): ten
 * times yaml's default leaves room for a scenario whose devices all share one anchored template,
 * and still refuses exponential "billion laughs" expansion after a handful of levels.
 */
export const YAML_ALIAS_LIMIT = 1000;
/** Values aliases may add to one YAML input (each use adds the values of the node it names). */
export const YAML_EXPANSION_LIMIT = 1_000_000;

/**
 * Reads YAML text to plain data (mappings as objects): the first syntax error, an alias that names
 * no earlier anchor or sits inside the node it names, or more alias uses than `YAML_ALIAS_LIMIT`
 * (or aliased values than `YAML_EXPANSION_LIMIT`) goes to `fail` with where it is (`line 3, column
 * 7`, or `document`) and what is wrong. `fail` throws the reader's own typed error.
 */
export function readYaml(
  text: string,
  fail: (where: string, message: string) => never,
  options: { readonly failsafe?: boolean } = {},
): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    uniqueKeys: true,
    lineCounter,
    // Warnings (a collection as a key) would go to the console; the schema reports the key instead.
    logLevel: 'error',
    ...(options.failsafe && { schema: 'failsafe' as const }),
  });
  const first = doc.errors[0];
  if (first) {
    const at = first.linePos?.[0];
    const message = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    fail(
      at ? `line ${at.line}, column ${at.col}` : 'document',
      /^Maximum call stack size exceeded/.test(message) ? 'collections nested too deeply' : message,
    );
  }
  countAliases(doc.contents, (offset, message) => {
    const at = lineCounter.linePos(offset);
    return fail(`line ${at.line}, column ${at.col}`, message);
  });
  try {
    // countAliases has bounded the expansion exactly; yaml's estimate would refuse innocent files.
    return doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    // Not expected after countAliases; a typed error all the same, never an internal one.
    if (error instanceof ReferenceError || error instanceof RangeError)
      return fail('document', `cannot be read: ${error.message}`);
    throw error;
  }
}

/** A value of a YAML input as a message shows it: text quoted and cut short, collections by kind. */
export function shownValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** "expected …, got …" for a value of a YAML input, or "missing: expected …" when there is none. */
export function expectedGot(expected: string, input: unknown): string {
  return input === undefined
    ? `missing: expected ${expected}`
    : `expected ${expected}, got ${shownValue(input)}`;
}

/**
 * Walks a parsed YAML tree in document order (the order yaml resolves aliases in): each alias
 * names the last node before it with that anchor; what it adds is itself plus the aliases and
 * values inside that node, already counted when the node ended. An alias inside the node it names
 * would expand for ever.
 */
function countAliases(root: unknown, fail: (offset: number, message: string) => never): void {
  const anchors = new Map<string, unknown>();
  /** Per finished node: aliases and values it holds once its aliases are expanded. */
  const done = new Map<unknown, { aliases: number; values: number }>();
  let aliases = 0;
  let values = 0;
  const walk = (node: unknown): { aliases: number; values: number } => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      if (target === undefined)
        fail(offset, `alias *${node.source} names no anchor &${node.source} before it`);
      const inner = done.get(target);
      if (!inner) return fail(offset, `alias *${node.source} is inside the node &${node.source} it names`);
      const added = { aliases: 1 + inner.aliases, values: inner.values };
      aliases += added.aliases;
      values += added.values;
      if (aliases > YAML_ALIAS_LIMIT)
        fail(
          offset,
          `too many alias uses: more than ${YAML_ALIAS_LIMIT} (counting the aliases inside an aliased node once per use); at most ${YAML_ALIAS_LIMIT} in one file`,
        );
      if (values > YAML_EXPANSION_LIMIT)
        fail(
          offset,
          `aliases repeat more than ${YAML_EXPANSION_LIMIT} values; at most ${YAML_EXPANSION_LIMIT} in one file`,
        );
      return added;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.set(anchor, node);
    const total = { aliases: 0, values: 1 };
    const add = (child: unknown) => {
      if (child === null || child === undefined) return;
      const c = walk(child);
      total.aliases += c.aliases;
      total.values += c.values;
    };
    if (isMap(node) || isSeq(node))
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          add(item.key);
          add(item.value);
        } else add(item);
      }
    else if (!isScalar(node)) total.values = 0;
    done.set(node, total);
    return total;
  };
  if (root !== null && root !== undefined) walk(root);
}
