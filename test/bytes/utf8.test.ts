/**
 * Strict UTF-8 for text inputs: the first byte that is not UTF-8 is named by byte offset, line and
 * column, and a YAML input with one fails through the CLI with exit 2 instead of reading on with
 * U+FFFD.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeUtf8 } from '../../src/bytes/utf8.ts';
import { DecodeError } from '../../src/errors/errors.ts';
import { exampleCampaignArgs } from '../helpers/campaign.ts';
import { hanota } from '../helpers/cli.ts';

const latin1 = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)));

it('decodes UTF-8 and drops a byte-order mark', () => {
  expect(decodeUtf8(new TextEncoder().encode('\ufeffcafé\n'))).toBe('café\n');
});

it('names the byte offset, line and column of the first byte that is not UTF-8', () => {
  const error = (() => {
    try {
      decodeUtf8(latin1('a: 1\nname: caf\u00e9\n'));
    } catch (e) {
      return e;
    }
  })() as DecodeError;
  expect(error).toBeInstanceOf(DecodeError);
  expect(error.code).toBe('TEXT_ENCODING');
  expect(error.offset).toBe(14);
  expect(error.message).toBe('line 2, column 10: byte 0xe9 is not UTF-8: save the file as UTF-8');
});

it('refuses UTF-16 text', () => {
  expect(() => decodeUtf8(new Uint8Array([0xff, 0xfe, 0x61, 0]))).toThrow(/UTF-16 text/);
});

it('refuses a campaign policy that is not UTF-8 through the CLI, naming the file and the place', async () => {
  const policy = join(mkdtempSync(join(tmpdir(), 'hanota-utf8-')), 'policy.yaml');
  writeFileSync(policy, latin1('# r\u00e9seau\nbuckets: 1\n'));
  const run = await hanota(...exampleCampaignArgs(policy));
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    `error: ${policy}: offset 3: line 1, column 4: byte 0xe9 is not UTF-8: save the file as UTF-8\n`,
  );
});
