/**
 * The `gbcs` commands through the CLI parser, in-process: parse of the RTDS messages with the
 * shared keys, exit 1 on a failed signature or MAC, exit 2 on bad input with the offset, and
 * cs06 commands that parse and verify.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { describeWithVectors, ROOT, readVectorText, vectorPath } from '../helpers/vectors.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hanota-gbcs-'));
const RTDS = 'gbcs/rtds-4.5.0';
const HASH = 'aa758690730934ff0685aa758690730934ff0685657788990011223344556677';

/** `gbcs cs06` from the test supplier to the test ESME, with the shared keys. */
function cs06Args(keys: string): string[] {
  return [
    'gbcs',
    'cs06',
    '--keys',
    keys,
    '--supplier',
    '90b3d51f30010000',
    '--recipient',
    '00db1234567890a0',
  ];
}

describeWithVectors('hanota gbcs', () => {
  const keys = vectorPath('gbcs/keys');

  it('parses an RTDS command file with valid signature and MAC, as one JSON document', async () => {
    const run = await hanota(
      'gbcs',
      'parse',
      vectorPath(`${RTDS}/CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX`),
      '--keys',
      keys,
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kind: 'generalCiphering',
      transactionId: { cra: 'command', counter: '1000' },
      originator: '90b3d51f30010000',
      recipient: '00db1234567890a0',
      messageCode: 18,
      content: { cs06: { hash: HASH, counter: '1000', counterMatchesHeader: true, kind: 'immediate' } },
      signature: { valid: true },
      mac: { valid: true },
    });
  });

  for (const name of ['CS08', 'ECS52', 'GCS38'])
    for (const kind of ['COMMAND', 'RESPONSE'])
      it(`parses the RTDS ${name} ${kind.toLowerCase()} (SR 11.2): its MAC valid, ${kind === 'RESPONSE' ? 'the version 0123abcd' : 'the read it asks'}`, async () => {
        const run = await hanota(
          'gbcs',
          'parse',
          vectorPath(`${RTDS}/${name}_11.2_SUCCESS_${kind}_GBCS.HEX`),
          '--keys',
          keys,
          '--json',
        );
        expect(run.code).toBe(0);
        const doc = JSON.parse(run.stdout);
        expect(doc).toMatchObject({
          messageName: expect.stringMatching(new RegExp(`^${name} `)),
          mac: { valid: true },
        });
        expect(doc.signature).toBeNull();
        if (kind === 'RESPONSE')
          expect(doc.content.readFirmwareVersionResponse).toMatchObject({ firmwareVersion: '0123abcd' });
        else expect(doc.content.readFirmwareVersion).toBeDefined();
      });

  it('shows an 11.2 response it cannot read (a DLMS failure result) unread, with why, the envelope parsed', async () => {
    const hex = readVectorText(`${RTDS}/ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX`).replace(/\s/g, '');
    // The access-response's result: 00 (success) becomes 0B (object unavailable); the MAC no longer matters here.
    const failed = hex.replace('0123ABCD010100', '0123ABCD01010B');
    expect(failed).not.toBe(hex);
    const run = await hanota('gbcs', 'parse', failed, '--json');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ messageCode: 0x59, originator: '00db1234567890a0' });
    expect(doc.content.unread.reason).toMatch(/ECS52 response: byte 0x0b, expected 0x00/);
  });

  it('leaves the checks unchecked without keys, and exits 0', async () => {
    const run = await hanota(
      'gbcs',
      'parse',
      vectorPath(`${RTDS}/CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX`),
      '--json',
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.signature.valid).toBeUndefined();
    expect(doc.signature.reason).toMatch(/no signing key/);
  });

  it('exits 1 when the MAC is flipped, and says so', async () => {
    const hex = readVectorText(`${RTDS}/CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX`).trim();
    const flipped = hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
    const run = await hanota('gbcs', 'parse', flipped, '--keys', keys);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/signature: valid/);
    expect(run.stdout).toMatch(/mac: INVALID/);
  });

  it('exits 2 for a truncated message, naming the offset, with a JSON error', async () => {
    const hex = readVectorText(`${RTDS}/CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX`).trim().slice(0, 60);
    const run = await hanota('gbcs', 'parse', hex, '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'UNEXPECTED_END' });
    expect(run.stderr).toMatch(/offset \d+/);
  });

  it('builds a future-dated CS06 that matches the RTDS command up to its signature and verifies', async () => {
    const args = cs06Args(keys);
    const run = await hanota(
      ...args,
      '--counter',
      '1001',
      '--hash',
      HASH,
      '--execute-at',
      '2030-01-15T09:00:00Z',
    );
    expect(run.code).toBe(0);
    const built = run.stdout.trim();
    const rtds = readVectorText(`${RTDS}/CS06_11.3_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX`)
      .trim()
      .toLowerCase();
    expect(built.slice(28, 28 + rtds.length)).toBe(rtds);
    const parsed = await hanota('gbcs', 'parse', built, '--keys', keys, '--json');
    expect(parsed.code).toBe(0);
    expect(JSON.parse(parsed.stdout)).toMatchObject({ signature: { valid: true }, mac: { valid: true } });
  });

  it('takes the hash from a GBCS image, and builds cancellations', async () => {
    const args = cs06Args(keys);
    const run = await hanota(
      ...args,
      '--counter',
      '5',
      '--image',
      vectorPath('gbcs/dcc-boxed/esme-update-firmware-11.1.ota'),
      '--cancel',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      hash: '7542f475e3f12eae887d81e32c46d313741d67076b13caec2f82e00ba5e1bb36',
      kind: 'cancellation',
      executeAt: '9999-12-31T23:59:59Z',
    });
  });

  it('refuses usage errors with exit 2: no supplier key, a bad hash, a bad time, --cancel with --execute-at', async () => {
    const base = ['gbcs', 'cs06', '--keys', keys, '--recipient', '00db1234567890a0', '--counter', '1'];
    const noKey = await hanota(...base, '--supplier', '00db1234567890a1', '--hash', HASH);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no signing private key for the supplier 00db1234567890a1/);
    const badHash = await hanota(...base, '--supplier', '90b3d51f30010000', '--hash', 'abcd');
    expect(badHash.stderr).toMatch(/--hash: 2 bytes, expected 32/);
    const badTime = await hanota(
      ...base,
      '--supplier',
      '90b3d51f30010000',
      '--hash',
      HASH,
      '--execute-at',
      '2030-13-01T00:00:00Z',
    );
    expect(badTime.stderr).toMatch(/impossible month 13/);
    const both = await hanota(
      ...base,
      '--supplier',
      '90b3d51f30010000',
      '--hash',
      HASH,
      '--execute-at',
      '2030-01-01T00:00:00Z',
      '--cancel',
    );
    expect(both.code).toBe(2);
  });

  it('reads a message file of raw bytes as well as hex text', async () => {
    const file = join(tmp, 'command.bin');
    writeFileSync(
      file,
      Buffer.from(readVectorText(`${RTDS}/CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX`).trim(), 'hex'),
    );
    const run = await hanota('gbcs', 'parse', file, '--keys', keys);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/mac: valid/);
  });

  it('names the file when --keys is not a directory', async () => {
    const run = await hanota('gbcs', 'parse', '00', '--keys', join(ROOT, 'package.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/package\.json: cannot list/);
  });
});
