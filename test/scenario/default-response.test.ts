/**
 * The hub acknowledges a failed upgrade with a ZCL Default Response (ZCL r8 §11.13.9.4), read from
 * the capture by tshark: in scenarios/hcalcs-unsigned-image.yaml the device refuses the image
 * (its signature does not verify) and sends an Upgrade End Request with INVALID_IMAGE; the hub
 * answers with a Default Response to command 0x06, status SUCCESS, echoing its sequence number,
 * and sends no Upgrade End Response. The device keeps querying on its interval afterwards, and the
 * hub no longer offers it the image it refused (NO_IMAGE_AVAILABLE): no second download.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { available, fieldsOf } from '../helpers/tshark.ts';
import { ROOT } from '../helpers/vectors.ts';

it.skipIf(!available)(
  'answers a failed Upgrade End Request with a Default Response, and the device keeps querying, in the capture',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-default-response-'));
    const run = await hanota('run', join(ROOT, 'scenarios/hcalcs-unsigned-image.yaml'), '--pcap', dir);
    expect(run.code).toBe(0);
    const rows = fieldsOf(join(dir, readdirSync(dir)[0] as string), [
      'zbee_nwk.src',
      'zbee_zcl.cmd.tsn',
      'zbee_zcl.cmd.id',
      'zbee_zcl_general.ota.cmd.srv_rx.id',
      'zbee_zcl_general.ota.cmd.srv_tx.id',
      'zbee_zcl_general.ota.status',
      'zbee_zcl.cmd.id.rsp',
      'zbee_zcl.attr.status',
    ]);
    const failedEnd = rows.findIndex((r) => r[3] === '0x06' && r[5] === '0x96');
    expect(failedEnd, 'the device sends an Upgrade End Request with INVALID_IMAGE').toBeGreaterThanOrEqual(0);
    const tsn = (rows[failedEnd] as string[])[1];
    const after = rows.slice(failedEnd + 1);
    const answer = after.find((r) => r[0] === '0x0000' && r[2] === '0x0b');
    expect(answer, 'the hub answers with a Default Response').toBeDefined();
    expect((answer as string[])[1]).toBe(tsn);
    expect((answer as string[])[6]).toBe('0x06');
    expect((answer as string[])[7]).toBe('0x00');
    // No Upgrade End Response (0x07) for the failed upgrade.
    expect(after.some((r) => r[4] === '0x07')).toBe(false);
    // It keeps querying (0x01), answered NO_IMAGE_AVAILABLE (0x98), and fetches no block again.
    const queries = after.filter((r) => r[3] === '0x01');
    expect(queries.length, 'queries after the refusal').toBeGreaterThanOrEqual(1);
    const answers = after.filter((r) => r[4] === '0x02');
    expect(answers.length).toBe(queries.length);
    expect(answers.every((r) => r[5] === '0x98')).toBe(true);
    expect(after.some((r) => r[3] === '0x03')).toBe(false);
  },
);
