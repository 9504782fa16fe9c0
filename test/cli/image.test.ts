/**
 * The `image` commands through the CLI parser, in-process: output contracts (JSON shape,
 * tables), exit codes 0/1/2, and error messages that name the file, the field and the offset.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { describeWithVectors, ROOT, vectorPath } from '../helpers/vectors.ts';

const FIX = join(ROOT, 'fixtures');
const SUPPLIER = join(FIX, 'keys/supplier-ds.pem');
const tmp = mkdtempSync(join(tmpdir(), 'hanota-cli-'));

/** Splits a command line on spaces (the paths used here have none). */
function words(line: string): string[] {
  return line.split(' ');
}

describe('hanota image inspect', () => {
  it('prints one JSON document with the header, elements, digests and format for one file', async () => {
    const run = await hanota('image', 'inspect', '--json', join(FIX, 'images/ihd-1.5-zigbee.ota'));
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      format: 'zigbee',
      offset: 0,
      header: {
        identifier: 0x0beef11e,
        headerVersion: 0x0100,
        headerLength: 56,
        fieldControl: 0,
        manufacturerCode: 0x1234,
        imageType: 0x0010,
        fileVersion: 0x105,
        zigbeeStackVersion: 2,
        headerString: 'hanota IHD fixture 1.5',
        totalImageSize: 40138,
      },
      trailingBytes: 0,
      size: 40138,
    });
    expect(doc.elements.map((e: { tag: number; tagName: string }) => [e.tag, e.tagName])).toEqual([
      [0, 'upgradeImage'],
      [0xf000, 'manufacturerSpecific'],
      [3, 'imageIntegrityCode'],
    ]);
    const bytes = readFileSync(join(FIX, 'images/ihd-1.5-zigbee.ota'));
    expect(doc.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(doc.sha512).toBe(createHash('sha512').update(bytes).digest('hex'));
  });

  it('prints an array with a result or an error per file, and exits 2 when one is bad', async () => {
    const bad = join(tmp, 'bad.ota');
    writeFileSync(bad, 'not an ota file at all');
    const run = await hanota('image', 'inspect', '--json', join(FIX, 'images/esme-1.2-gbcs.ota'), bad);
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc).toHaveLength(2);
    expect(doc[0]).toMatchObject({ format: 'gbcs', manufacturerImage: { offset: 60, length: 24000 } });
    expect(doc[1]).toEqual({
      file: bad,
      error: {
        code: 'WRONG_IDENTIFIER',
        message: `${bad}: offset 0: identifier: expected 0x0beef11e, found 0x20746f6e`,
        offset: 0,
      },
    });
  });

  it('prints a readable table without --json', async () => {
    const run = await hanota('image', 'inspect', join(FIX, 'images/gsme-2.0-gbcs.ota'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('upgradeFileDestination:    00db1234567890a1');
    expect(run.stdout).toContain('hardwareVersions:          0x0003..0x0003');
    expect(run.stdout).toMatch(/manufacturerImage:\s+offset 69, 9000 bytes, sha256 [0-9a-f]{64}/);
  });

  it('names a missing file and exits 2 without a stack trace', async () => {
    const run = await hanota('image', 'inspect', join(tmp, 'nope.ota'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: ${join(tmp, 'nope.ota')}: cannot read: no such file\n`);
  });

  it('reads an unsigned GBCS image only with --format gbcs, and says which format it used', async () => {
    const ppmid = join(FIX, 'images/unsigned-gbcs/ppmid-3.1-gbcs.ota');
    const auto = await hanota('image', 'inspect', '--json', ppmid);
    expect(auto.code).toBe(2);
    expect(JSON.parse(auto.stdout).error.message).toMatch(/pass --format gbcs/);
    const gbcs = await hanota('image', 'inspect', '--json', '--format', 'gbcs', ppmid);
    expect(gbcs.code).toBe(0);
    expect(JSON.parse(gbcs.stdout)).toMatchObject({ format: 'gbcs', manufacturerImage: { length: 12345 } });
    expect(JSON.parse(gbcs.stdout).signature).toBeUndefined();
  });
});

describeWithVectors('hanota image inspect on real files', () => {
  it('reports a container, and its offset with --scan', async () => {
    const file = vectorPath('zigbee-ota/10035515-TRADFRI-bulb-cws-2.3.093.ota.ota.signed');
    const plain = await hanota('image', 'inspect', '--json', file);
    expect(plain.code).toBe(2);
    expect(JSON.parse(plain.stdout).error).toMatchObject({ code: 'IDENTIFIER_NOT_AT_START', offset: 488 });
    expect(JSON.parse(plain.stdout).error.message).toContain('pass --scan');
    const scanned = await hanota('image', 'inspect', '--json', '--scan', file);
    expect(scanned.code).toBe(0);
    expect(JSON.parse(scanned.stdout)).toMatchObject({ offset: 488, trailingBytes: 512 });
  });

  it('reports the Manufacturer Image hash of the DCC ESME sample', async () => {
    const run = await hanota(
      'image',
      'inspect',
      '--json',
      vectorPath('gbcs/dcc-boxed/esme-update-firmware-11.1.ota'),
    );
    expect(JSON.parse(run.stdout).manufacturerImage.sha256).toBe(
      '7542f475e3f12eae887d81e32c46d313741d67076b13caec2f82e00ba5e1bb36',
    );
  });

  it('verifies the DCC ESME sample with the supplier certificate and fails it with another key', async () => {
    const file = vectorPath('gbcs/dcc-boxed/esme-update-firmware-11.1.ota');
    const good = await hanota(
      'image',
      'verify',
      '--json',
      '--cert',
      vectorPath('gbcs/keys/90b3d51f30010000-ds.pem'),
      file,
    );
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({
      ok: true,
      checks: [{ status: 'pass' }, {}, { status: 'pass' }],
    });
    const bad = await hanota(
      'image',
      'verify',
      '--json',
      '--cert',
      vectorPath('gbcs/keys/90b3d51f30020000-ds.pem'),
      file,
    );
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).checks[2]).toMatchObject({ check: 'signature', status: 'fail' });
  });
});

describe('hanota image build and verify', () => {
  it('builds a signed GBCS image that verifies with the supplier key and fails with another', async () => {
    const payload = join(tmp, 'mi.bin');
    writeFileSync(payload, new Uint8Array(1000).fill(0x5a));
    const out = join(tmp, 'signed.ota');
    const build = await hanota(
      ...words(
        `image build --format gbcs --manufacturer-code 0x1234 --image-type 0 --file-version 0x00010000 --min-hw 1 --max-hw 4 --payload ${payload} --sign-key ${join(FIX, 'keys/supplier-ds.key.pem')} --out ${out} --json`,
      ),
    );
    expect(build.code).toBe(0);
    expect(JSON.parse(build.stdout)).toMatchObject({ out, format: 'gbcs', size: 60 + 1000 + 66 });
    expect((await hanota('image', 'verify', '--key', SUPPLIER, out)).code).toBe(0);
    const other = await hanota('image', 'verify', '--key', join(FIX, 'keys/other-supplier-ds.pem'), out);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('signature fail: supplier signature does not verify under the given key');
  });

  it('builds a ZigBee file from --payload and --element in order, with an integrity code that verifies', async () => {
    const a = join(tmp, 'a.bin');
    const b = join(tmp, 'b.bin');
    writeFileSync(a, 'upgrade image bytes');
    writeFileSync(b, 'vendor data');
    const out = join(tmp, 'z.ota');
    const build = await hanota(
      ...words(
        `image build --manufacturer-code 4660 --image-type 0x10 --file-version 7 --destination 00:db:12:34:56:78:90:a0 --credential-version 1 --payload ${a} --element 0xff00=${b} --integrity-code --out ${out}`,
      ),
    );
    expect(build.code).toBe(0);
    const inspect = JSON.parse((await hanota('image', 'inspect', '--json', out)).stdout);
    expect(inspect.header).toMatchObject({
      fieldControl: 3,
      headerLength: 65,
      upgradeFileDestination: '00db1234567890a0',
    });
    expect(inspect.elements.map((e: { tag: number }) => e.tag)).toEqual([0, 0xff00, 3]);
    const verify = JSON.parse((await hanota('image', 'verify', '--json', out)).stdout);
    expect(verify.checks[1]).toMatchObject({ check: 'integrityCode', status: 'pass' });
  });

  it('fails verification when a byte the integrity code covers, or the code itself, is changed', async () => {
    const a = join(tmp, 'c.bin');
    writeFileSync(a, new Uint8Array(300));
    const out = join(tmp, 'damaged.ota');
    await hanota(
      ...words(
        `image build --manufacturer-code 1 --image-type 1 --file-version 1 --payload ${a} --integrity-code --out ${out}`,
      ),
    );
    const original = new Uint8Array(readFileSync(out));
    for (const at of [100, original.length - 1]) {
      const bytes = original.slice();
      bytes[at] = (bytes[at] as number) ^ 0xff;
      writeFileSync(out, bytes);
      const run = await hanota('image', 'verify', '--json', out);
      expect(run.code, `byte ${at}`).toBe(1);
      expect(JSON.parse(run.stdout).checks[1]).toMatchObject({ check: 'integrityCode', status: 'fail' });
    }
  });

  it('exits 1 for a file that does not parse, reporting the structure failure with its offset', async () => {
    const bad = join(tmp, 'short.ota');
    writeFileSync(bad, Uint8Array.of(0x1e, 0xf1, 0xee, 0x0b, 0x00, 0x01, 0x38));
    const run = await hanota('image', 'verify', '--json', bad);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      checks: [{ check: 'structure', status: 'fail' }],
      error: { code: 'UNEXPECTED_END', offset: 6 },
    });
  });

  it('rejects bad option values with exit 2, naming the option', async () => {
    const run = await hanota(
      ...words(
        `image build --manufacturer-code 0x10000 --image-type 0 --file-version 0 --payload ${SUPPLIER} --out ${join(tmp, 'x.ota')} --json`,
      ),
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toEqual({
      code: 'BAD_ARGUMENT',
      message: "--manufacturer-code: '0x10000' is not an unsigned 16-bit integer (decimal or 0x hex)",
    });
    const noKey = await hanota(
      ...words(
        `image build --format gbcs --manufacturer-code 1 --image-type 0 --file-version 0 --payload ${SUPPLIER} --sign-key ${SUPPLIER} --out ${join(tmp, 'y.ota')}`,
      ),
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('holds no private key');
  });
});

describe('hanota image with odd input', () => {
  const cases: [string, Uint8Array | 'dir'][] = [
    ['empty.ota', new Uint8Array(0)],
    ['three.ota', Uint8Array.of(0x1e, 0xf1, 0xee)],
    ['identifier-only.ota', Uint8Array.of(0x1e, 0xf1, 0xee, 0x0b)],
    ['identifier-at-end.ota', Uint8Array.of(1, 2, 3, 0x1e, 0xf1, 0xee, 0x0b)],
    ['a-directory.ota', 'dir'],
  ];
  for (const [name, content] of cases) {
    it(`reports ${name} as bad input with exit 2, one JSON document and no stack trace`, async () => {
      const path = join(tmp, name);
      if (content === 'dir') mkdirSync(path, { recursive: true });
      else writeFileSync(path, content);
      for (const scan of [[], ['--scan']]) {
        const run = await hanota('image', 'inspect', '--json', ...scan, path);
        expect(run.code).toBe(2);
        const doc = JSON.parse(run.stdout);
        expect(doc.error.message.startsWith(`${path}: `)).toBe(true);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    });
  }

  it("keeps every file's result when one of several cannot be read", async () => {
    const run = await hanota(
      'image',
      'verify',
      '--json',
      join(FIX, 'images/ihd-1.5-zigbee.ota'),
      join(tmp, 'missing.ota'),
    );
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.map((r: { ok: boolean }) => r.ok)).toEqual([true, false]);
    expect(doc[1].error.code).toBe('FILE_UNREADABLE');
  });

  it('refuses a single-valued option given twice instead of dropping it', async () => {
    const other = join(FIX, 'keys/other-supplier-ds.pem');
    const run = await hanota(
      'image',
      'verify',
      '--json',
      '--key',
      other,
      '--key',
      other,
      join(FIX, 'images/esme-1.2-gbcs.ota'),
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toEqual({
      code: 'USAGE',
      message: '--key: given 2 times, at most once allowed',
    });
  });

  it('prints the JSON error document for --json=true too', async () => {
    const run = await hanota('image', 'inspect', '--json=true');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('USAGE');
  });

  it('fails an unchecked signature only with --require-signature', async () => {
    const esme = join(FIX, 'images/esme-1.2-gbcs.ota');
    const lax = await hanota('image', 'verify', '--json', esme);
    expect(lax.code).toBe(0);
    expect(JSON.parse(lax.stdout).checks[2].status).toBe('unchecked');
    const strict = await hanota('image', 'verify', '--json', '--require-signature', esme);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).checks[2]).toMatchObject({ status: 'fail' });
  });

  it('reads the GBCS form as declared by --signed/--no-signed', async () => {
    const esme = join(FIX, 'images/esme-1.2-gbcs.ota');
    const unsigned = JSON.parse(
      (await hanota('image', 'inspect', '--json', '--format', 'gbcs', '--no-signed', esme)).stdout,
    );
    expect(unsigned).toMatchObject({ form: 'declared', manufacturerImage: { length: 24066 } });
    const detected = JSON.parse((await hanota('image', 'inspect', '--json', esme)).stdout);
    expect(detected).toMatchObject({ form: 'detected', manufacturerImage: { length: 24000 } });
  });

  it('ends quietly when the reader of its output goes away', () => {
    // Far more output than a pipe buffer holds, so the writer does hit the closed pipe.
    const many = Array.from({ length: 300 }, () => join(FIX, 'images/esme-1.2-gbcs.ota')).join(' ');
    const run = spawnSync('bash', ['-c', `node src/cli/hanota.js image inspect ${many} | head -1`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stdout).toBe(`${join(FIX, 'images/esme-1.2-gbcs.ota')}\n`);
    expect(run.stderr).toBe('');
  });
});

describe('hanota usage', () => {
  it('prints help for every command', async () => {
    for (const args of [[], ['image'], ['image', 'inspect'], ['image', 'build'], ['image', 'verify']]) {
      const run = await hanota(...args, '--help');
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toContain('hanota');
    }
  });

  it('exits 2 with a message for an unknown command or a missing argument', async () => {
    const unknown = await hanota('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: Unknown argument: frobnicate/);
    const missing = await hanota('image', 'verify', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.code).toBe('USAGE');
  });
});
