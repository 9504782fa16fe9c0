/**
 * The YAML reader under policies, scenarios and behaviour files: alias uses are counted as they
 * expand, against a bound, and every problem — too many aliases, an alias naming nothing or
 * naming the node it sits in, nesting too deep — is the reader's typed error with a line and
 * column, never yaml's own exception.
 */
import { describe, expect, it } from 'vitest';
import { readYaml, YAML_ALIAS_LIMIT, YAML_EXPANSION_LIMIT } from '../../src/pathways/yaml-input.ts';

class Refused extends Error {}
const read = (text: string) =>
  readYaml(text, (where, message) => {
    throw new Refused(`${where}: ${message}`);
  });
const list = (n: number, item: string) => `[${Array(n).fill(item).join(', ')}]`;

describe('readYaml', () => {
  it(`reads ${YAML_ALIAS_LIMIT} uses of one alias, the same object each time`, () => {
    const data = read(`a: &a { x: 1 }\nb: ${list(YAML_ALIAS_LIMIT, '*a')}\n`) as { a: unknown; b: unknown[] };
    expect(data.b).toHaveLength(YAML_ALIAS_LIMIT);
    expect(data.b.every((x) => x === data.a)).toBe(true);
  });

  it('refuses the next use, at its line and column', () => {
    expect(() => read(`a: &a 1\nb: ${list(YAML_ALIAS_LIMIT + 1, '*a')}\n`)).toThrow(
      new Refused(
        `line 2, column ${5 + 4 * YAML_ALIAS_LIMIT}: too many alias uses: more than ${YAML_ALIAS_LIMIT} (counting the aliases inside an aliased node once per use); at most ${YAML_ALIAS_LIMIT} in one file`,
      ),
    );
  });

  it('counts the aliases inside an aliased node once per use, so exponential expansion stops early', () => {
    // Nine levels of ten: a billion values if expanded.
    const lines = ['l0: &l0 [lol]'];
    for (let k = 1; k <= 9; k++) lines.push(`l${k}: &l${k} ${list(10, `*l${k - 1}`)}`);
    expect(() => read(lines.join('\n'))).toThrow(/^line 4, column \d+: too many alias uses/);
  });

  it(`refuses aliases that repeat more than ${YAML_EXPANSION_LIMIT} values`, () => {
    const big = list(5000, '1');
    expect(() => read(`a: &a ${big}\nb: ${list(201, '*a')}\n`)).toThrow(
      /^line 2, column \d+: aliases repeat more than 1000000 values/,
    );
  });

  it('refuses an alias that names no anchor before it, and one inside the node it names', () => {
    expect(() => read('a: *b\nb: &b 1\n')).toThrow(
      new Refused('line 1, column 4: alias *b names no anchor &b before it'),
    );
    expect(() => read('a: &a [1, *a]\n')).toThrow(
      new Refused('line 1, column 11: alias *a is inside the node &a it names'),
    );
  });

  it('takes the last anchor of a name before the alias, as YAML does', () => {
    expect(read('a: &x 1\nb: *x\nc: &x 2\nd: *x\n')).toEqual({ a: 1, b: 1, c: 2, d: 2 });
  });

  it('says collections nested too deeply instead of a stack overflow', () => {
    expect(() => read(`${'['.repeat(20_000)}${']'.repeat(20_000)}`)).toThrow(
      /^line 1, column \d+: collections nested too deeply$/,
    );
  });

  it('reports the first syntax error at its line and column', () => {
    expect(() => read('a: 1\na: 2\n')).toThrow(new Refused('line 2, column 1: Map keys must be unique'));
  });
});
