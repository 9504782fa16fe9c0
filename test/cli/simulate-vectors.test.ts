/**
 * Every real image of the shared vectors that `hanota image inspect` reads (as it is, with
 * `--scan` for a vendor container, or with `--format gbcs`) is served and assembled by `hanota
 * simulate` with the same options: the hub serves the image as its header declares it — its total
 * image size from its identifier — never a container's bytes before it or the bytes some files
 * carry after it (vectors/zigbee-ota/HS1SA_EM-SALUS-0621-V14-190907.ota has 4, the Sonoff
 * 152F_SBDV file 8, the TRADFRI container 488 before and 512 after).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { describeWithVectors, VECTORS_DIR } from '../helpers/vectors.ts';

/** The OTA files among the vectors (every file in zigbee-ota/, the `.ota` files under gbcs/). */
function vectorImages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return [
    ...walk(join(VECTORS_DIR, 'zigbee-ota')),
    ...walk(join(VECTORS_DIR, 'gbcs')).filter((p) => p.endsWith('.ota')),
  ].sort();
}

const READINGS: readonly (readonly string[])[] = [[], ['--scan'], ['--format', 'gbcs']];

describeWithVectors('real images through the hub and a device', () => {
  const served: string[] = [];
  for (const file of vectorImages())
    it(`serves ${file.slice(VECTORS_DIR.length + 1)} as declared, if image inspect reads it`, async () => {
      let reading: readonly string[] | undefined;
      let inspected: { header: { totalImageSize: number }; trailingBytes: number } | undefined;
      for (const options of READINGS) {
        const run = await hanota('image', 'inspect', ...options, '--json', file);
        if (run.code === 0) {
          reading = options;
          inspected = JSON.parse(run.stdout);
          break;
        }
      }
      if (!reading || !inspected) return; // not an image inspect reads (a truncated file): nothing to serve
      const gbcs = reading.includes('gbcs');
      const run = await hanota(
        'simulate',
        '--device',
        gbcs ? 'PPMID' : 'IHD',
        ...reading,
        '--image',
        file,
        '--memory-blocks',
        '256',
        '--json',
      );
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout);
      expect(report.outcome).toMatchObject({ ok: true, phase: 'upgraded' });
      expect(report.image.size).toBe(inspected.header.totalImageSize);
      expect(report.outcome.bytesReceived).toBe(inspected.header.totalImageSize);
      expect(report.outcome.assembledSha256).toBe(report.image.sha256);
      expect(report.image.trailingBytes ?? 0).toBe(inspected.trailingBytes);
      served.push(`${file}:${inspected.trailingBytes}`);
    });

  it('served the files with bytes after their declared size among them', () => {
    const trailing = served.filter((s) => !s.endsWith(':0'));
    expect(trailing.some((s) => s.includes('HS1SA_EM-SALUS-0621-V14-190907.ota'))).toBe(true);
    expect(trailing.length).toBeGreaterThanOrEqual(3);
  });
});
