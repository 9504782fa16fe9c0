/**
 * tshark for the capture tests: whether it is there (under CI=true it must be: `npm test`
 * installs it), and a pcap dissected into the OTA cluster fields, one row per frame.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True when tshark runs here. */
export const available = hasTshark();
if (!available && process.env.CI === 'true')
  throw new Error('tshark is required under CI=true (npm test installs it as root)');
if (!available) console.log('skipping capture tests: they need tshark (apt-get install tshark)');

/** The fields of each row: time, client and server command ids, status, file offset, image data. */
export const FIELDS = [
  'frame.time_epoch',
  'zbee_zcl_general.ota.cmd.srv_rx.id',
  'zbee_zcl_general.ota.cmd.srv_tx.id',
  'zbee_zcl_general.ota.status',
  'zbee_zcl_general.ota.file.offset',
  'zbee_zcl_general.ota.image.data',
];

/** The rows tshark prints for the capture `file`, each split into `fields`. */
export function fieldsOf(file: string, fields: readonly string[]): string[][] {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return out
    .trimEnd()
    .split('\n')
    .map((line) => line.split('|'));
}

/** The rows tshark prints for `pcap`, split into FIELDS. */
export function dissect(pcap: Uint8Array): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-pcap-'));
  const file = join(dir, 'run.pcap');
  writeFileSync(file, pcap);
  return fieldsOf(file, FIELDS);
}
