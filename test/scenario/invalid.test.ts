/**
 * Invalid scenario files (`test/scenario/invalid/`, each opening with `# expect: <message>`):
 * each gives exactly its error, naming the path inside the file, and `hanota run` exits 2 with
 * the file name in front.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

const DIR = join(ROOT, 'test/scenario/invalid');

describe('invalid scenario files', () => {
  for (const file of readdirSync(DIR).sort()) {
    const path = join(DIR, file);
    const text = readFileSync(path, 'utf8');
    const expected = /^# expect: (.*)$/m.exec(text)?.[1] as string;

    it(`${file}: ${expected}`, async () => {
      expect(expected).toBeDefined();
      let message = '';
      try {
        parseScenario(text);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe(expected);
      const run = await hanota('run', path, '--json');
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout).error.message).toBe(`${path}: ${message}`);
    });
  }
});
