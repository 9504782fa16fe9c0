/**
 * The workloads whose instructions `instruction-counts.ts` counts under valgrind, one process
 * each: `node --import tsx bench/instruction-workload.ts MODE PASSES`. MODE is `driver` (the
 * 8-device frame-driver run), `herdsman` (herdsman's decode + encode of that run's frames) or
 * `hanota-codec` (our encode + decode of them). Every mode first runs the driver once, so that
 * setup is the same; the difference between 2 passes and 1 pass is the cost of one pass.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Frame, Header } from 'zigbee-herdsman/dist/zspec/zcl/index.js';
import { DEVICE_PROFILES } from '../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../src/hub/ota-server.ts';
import { decodeOtaFrame, encodeOtaFrame } from '../src/ota/frame-codec.ts';
import { parseImage } from '../src/ota/image.ts';
import { runFrameSimulation } from '../src/sim/frame-driver.ts';
import { LINK_PROFILES } from '../src/sim/link.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const file = new Uint8Array(readFileSync(join(root, 'fixtures/images/ihd-1.5-zigbee.ota')));
const h = parseImage(file).header;

function driverRun() {
  return runFrameSimulation({
    seed: 1,
    hub: { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: 8 },
    memory: { blockCount: 64, blockSize: 4096 },
    devices: Array.from({ length: 8 }, (_, i) => ({
      node: `ihd-${i}`,
      profile: DEVICE_PROFILES.IHD,
      manufacturerCode: h.manufacturerCode,
      imageType: h.imageType,
      runningVersion: h.fileVersion - 1,
      link: LINK_PROFILES.typical,
    })),
    images: [{ file }],
    maxTimeUs: 30 * 86_400_000_000,
  });
}

const [mode, passesText] = process.argv.slice(2);
const passes = Number(passesText);
const first = driverRun();
const frames = first.trace
  .frames()
  .filter((f) => f.fate !== 'lost')
  .map((f) => f.bytes);
for (let pass = 0; pass < passes; pass++) {
  if (mode === 'driver') driverRun();
  else if (mode === 'herdsman') {
    for (const bytes of frames) {
      const b = Buffer.from(bytes);
      const f = Frame.fromBuffer(0x0019, Header.fromBuffer(b), b, {});
      const fc = f.header.frameControl;
      Frame.create(
        fc.frameType,
        fc.direction,
        true,
        undefined,
        f.header.transactionSequenceNumber,
        f.command.name,
        'genOta',
        f.payload,
        {},
      ).toBuffer();
    }
  } else if (mode === 'hanota-codec') {
    for (const bytes of frames) {
      const decoded = decodeOtaFrame(bytes);
      if (decoded.ok) encodeOtaFrame(decoded.frame);
    }
  } else throw new Error(`mode: '${mode}' is not driver, herdsman or hanota-codec`);
}
console.log(JSON.stringify({ mode, passes, framesSent: first.framesSent, framesDecoded: frames.length }));
