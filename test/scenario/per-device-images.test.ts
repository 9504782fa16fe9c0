/**
 * Each device downloads the image distributed to it (scenarios/hub-own-image-per-device.yaml):
 * read from the capture by tshark, not from hanota's report. Three ESMEs on one hub are given
 * V110, V120 and V121 at once (V120 and V121 are both version 1.2.0, with different hashes); the
 * Image Block Responses tshark dissects for each device's network address, put together by file
 * offset, are exactly the file distributed to that device.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { available } from '../helpers/tshark.ts';
import { ROOT } from '../helpers/vectors.ts';

const SCENARIO = join(ROOT, 'scenarios/hub-own-image-per-device.yaml');
const IMAGES = join(ROOT, 'fixtures/example-model/images');
/** Devices in the order the scenario lists them (network addresses from 0x1000), and their images. */
const GIVEN = [
  ['0x1000', 'V110.ota'],
  ['0x1001', 'V120.ota'],
  ['0x1002', 'V121.ota'],
] as const;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

it.skipIf(!available)(
  'each device receives, in the capture, exactly the image distributed to it',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-per-device-'));
    const run = await hanota('run', SCENARIO, '--pcap', dir);
    expect(run.code).toBe(0);
    const [pcap] = readdirSync(dir);
    const rows = execFileSync(
      'tshark',
      [
        '-r',
        join(dir, pcap as string),
        '-T',
        'fields',
        '-E',
        'separator=|',
        '-e',
        'zbee_nwk.dst',
        '-e',
        'zbee_zcl_general.ota.cmd.srv_tx.id',
        '-e',
        'zbee_zcl_general.ota.status',
        '-e',
        'zbee_zcl_general.ota.file.offset',
        '-e',
        'zbee_zcl_general.ota.image.data',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    )
      .trimEnd()
      .split('\n')
      .map((line) => line.split('|'));
    // Image Block Responses (0x05) with SUCCESS, by destination: offset → data.
    const blocks = new Map<string, Map<number, Uint8Array>>();
    for (const [dst, id, status, offset, data] of rows) {
      if (id !== '0x05' || status !== '0x00' || !data) continue;
      const byOffset = blocks.get(dst as string) ?? new Map<number, Uint8Array>();
      byOffset.set(
        Number(offset),
        Uint8Array.from((data as string).split(':').map((h) => Number.parseInt(h, 16))),
      );
      blocks.set(dst as string, byOffset);
    }
    expect([...blocks.keys()].sort()).toEqual(GIVEN.map(([address]) => address));
    for (const [address, file] of GIVEN) {
      const parts = [...(blocks.get(address) as Map<number, Uint8Array>).entries()].sort(
        (a, b) => a[0] - b[0],
      );
      const assembled = new Uint8Array(parts.reduce((n, [, d]) => n + d.length, 0));
      let at = 0;
      for (const [offset, data] of parts) {
        expect(offset).toBe(at);
        assembled.set(data, at);
        at += data.length;
      }
      expect(sha256(assembled), `${address} should have received ${file}`).toBe(
        sha256(readFileSync(join(IMAGES, file))),
      );
    }
    // V120 and V121 share a version: only their bytes tell them apart.
    expect(sha256(readFileSync(join(IMAGES, 'V120.ota')))).not.toBe(
      sha256(readFileSync(join(IMAGES, 'V121.ota'))),
    );
  },
);
