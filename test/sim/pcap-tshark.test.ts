/**
 * Captures dissected by an independent implementation: tshark reads the pcap of a simulated
 * download as the ZigBee OTA Upgrade cluster, shows the expected sequence of commands, and the
 * data of its Image Block Responses reassembles to the image. Needs tshark (installed by
 * `npm test`); under CI=true its absence fails the test.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { writePcap } from '../../src/sim/pcap.ts';
import { deviceFor, FIXTURE_IMAGES, type FixtureImage, HARSH_LINK, run } from '../helpers/sim.ts';
import { available, dissect } from '../helpers/tshark.ts';

describe.skipIf(!available)('captures dissected by tshark', () => {
  const image = FIXTURE_IMAGES[2] as FixtureImage;

  for (const [condition, extra] of [
    ['a clean link', {}],
    ['a harsh link', { link: HARSH_LINK }],
  ] as const) {
    it(`shows the OTA exchange and reassembles the image from a run over ${condition}`, () => {
      const result = run([deviceFor('IHD', image, extra)], [image], { capture: true, seed: 3 });
      expect(result.devices[0]?.assembledSha256).toBe(image.sha256);
      const rows = dissect(writePcap(result.captured, result.startUnixS));
      expect(rows).toHaveLength(result.captured.length);
      // Every frame is dissected as an OTA command, with the simulated timestamps.
      const commands = rows.map(([, rx, tx]) => (rx ? `rx:${rx}` : tx ? `tx:${tx}` : 'none'));
      expect(commands).not.toContain('none');
      const times = rows.map(([t]) => Number(t));
      expect(times[0]).toBeGreaterThanOrEqual(result.startUnixS);
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
      // The sequence: query, its response, then block requests and responses, then the end exchange.
      const distinct = commands.filter((c, i) => c !== commands[i - 1]);
      expect(distinct.slice(0, 4)).toEqual(['rx:0x01', 'tx:0x02', 'rx:0x03', 'tx:0x05']);
      // The end exchange, then only the polls of a device running its new image.
      const end = commands.lastIndexOf('rx:0x06');
      expect(commands[end + 1]).toBe('tx:0x07');
      expect(new Set(commands.slice(end + 2))).toEqual(new Set(['rx:0x01', 'tx:0x02']));
      // Reassemble the image from the successful Image Block Responses, by file offset.
      const assembled = new Uint8Array(image.file.length);
      const seen = new Set<number>();
      for (const [, , tx, status, offset, data] of rows) {
        if (tx !== '0x05' || status !== '0x00' || !data) continue;
        const bytes = Uint8Array.from(data.split(':').map((b) => Number.parseInt(b, 16)));
        assembled.set(bytes, Number(offset));
        for (let i = 0; i < bytes.length; i++) seen.add(Number(offset) + i);
      }
      expect(seen.size).toBe(image.file.length);
      expect(toHex(sha256(assembled))).toBe(image.sha256);
    });
  }
});
