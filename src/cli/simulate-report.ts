/**
 * What `hanota simulate` reports of a finished run: whether the device ended with the complete,
 * verified (and, with `--activate`, activated) image, and why not; as JSON, or as the same
 * report rendered as text.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import { IMAGE_UPGRADE_STATUS } from '../ota/commands.ts';
import type { FrameRunResult } from '../sim/frame-run.ts';
import { activated, gbcsEvents, SIMULATED_DEVICE, SIMULATED_SUPPLIER } from './simulate-activation.ts';
import type { SimulateSpec } from './simulate-spec.ts';
import { renderFields } from './table.ts';

/** The hub's reasons for answering NO_IMAGE_AVAILABLE start with this. */
const NO_IMAGE = 'no image: ';

/** The report of a `simulate` run, as `--json` prints it. */
export type SimulateReport = ReturnType<typeof simulateReport>;

/** Why the hub offered the device no image: its last such reason in the trace, if any. */
function hubNoImageReason(result: FrameRunResult, node: string): string | undefined {
  // The device only hears NO_IMAGE_AVAILABLE; the hub's trace says why.
  return result.trace
    .states(`hub/${node}`)
    .map((e) => e.reason)
    .filter((r) => r.startsWith(NO_IMAGE))
    .at(-1);
}

/**
 * Judges the run of `spec` and builds its report: `outcome.ok` is false unless the device ended
 * with the complete, verified image (and, with `--activate`, activated it).
 */
export function simulateReport(spec: SimulateSpec, result: FrameRunResult) {
  const device = result.devices[0];
  if (!device) throw new Error('simulate: no device result');
  const { input, image, file } = spec.loaded;
  // The image as its header declares it, which is what the hub serves: a container's bytes around
  // it, or bytes after its total image size, are not part of it.
  const imageSha256 = toHex(sha256(image.bytes));
  const hubReason = hubNoImageReason(result, device.node);
  const events = spec.gbcs ? gbcsEvents(result.trace, device.node) : [];
  const ok =
    device.complete &&
    device.assembledSha256 === imageSha256 &&
    (!spec.gbcs || (device.phase === 'upgraded' && activated(events)));
  return {
    seed: spec.seed,
    device: {
      type: spec.deviceType,
      hardwareVersion: spec.hardwareVersion ?? null,
      runningVersionBefore: spec.runningVersion,
    },
    image: {
      file,
      format: image.format,
      size: image.bytes.length,
      sha256: imageSha256,
      ...(image.bytes.length !== input.length && {
        fileSize: input.length,
        offset: image.offset,
        trailingBytes: image.trailingBytes,
      }),
    },
    distribution: result.distributions[0],
    outcome: {
      ok,
      phase: device.phase,
      imageUpgradeStatus: device.imageUpgradeStatus,
      imageUpgradeStatusValue: IMAGE_UPGRADE_STATUS[device.imageUpgradeStatus],
      runningVersion: device.runningVersion,
      bytesReceived: device.bytesReceived,
      assembledSha256: device.assembledSha256,
      ...(device.outcome !== undefined && { reason: device.outcome }),
      ...(hubReason !== undefined && { hubReason: hubReason.slice(NO_IMAGE.length) }),
    },
    ...(spec.gbcs && {
      activation: {
        supplier: SIMULATED_SUPPLIER,
        recipient: SIMULATED_DEVICE,
        ...(spec.executeAt !== undefined && { executeAt: spec.executeAt }),
        events,
      },
    }),
    framesExchanged: result.framesSent,
    simulatedMs: Math.floor(result.endUs / 1_000),
  };
}

/** The image: its file, format and declared size, and what of the file is not part of it. */
function imageLine(image: SimulateReport['image']): string {
  if (image.fileSize === undefined) return `${image.file} (${image.format}, ${image.size} bytes)`;
  const around = [
    (image.offset ?? 0) > 0 ? `${image.offset} before the image` : '',
    (image.trailingBytes ?? 0) > 0 ? `${image.trailingBytes} after its declared total size` : '',
  ].filter((part) => part !== '');
  return `${image.file} (${image.format}, ${image.size} bytes; the file has ${image.fileSize}: ${around.join(', ')}, not served)`;
}

/** The report as `name: value` lines, the GBCS events indented under the outcome. */
export function renderSimulateText(report: SimulateReport): string {
  const { device, image, distribution: dist, outcome } = report;
  const events = report.activation?.events ?? [];
  return `${renderFields([
    ['seed', String(report.seed)],
    [
      'device',
      `${device.type}${device.hardwareVersion === null ? ' (no hardware version in queries)' : `, hardware version ${device.hardwareVersion}`}`,
    ],
    ['image', imageLine(image)],
    [
      'distribution',
      dist?.ok
        ? `stored in ${dist.blocks} hub memory blocks`
        : `refused: ${dist?.alert} ${dist?.reason}: ${dist?.detail}`,
    ],
    [
      'result',
      outcome.ok ? 'complete, verified image' : `INCOMPLETE${outcome.reason ? `: ${outcome.reason}` : ''}`,
    ],
    ...(outcome.hubReason !== undefined
      ? [['hub', `${NO_IMAGE}${outcome.hubReason}`] as [string, string]]
      : []),
    ['imageUpgradeStatus', `${outcome.imageUpgradeStatusValue} (${outcome.imageUpgradeStatus})`],
    ['runningVersion', `0x${outcome.runningVersion.toString(16).padStart(8, '0')}`],
    ['bytesReceived', `${outcome.bytesReceived} of ${image.size}`],
    [
      'assembledSha256',
      `${outcome.assembledSha256}${outcome.assembledSha256 === image.sha256 ? ' (equals the image)' : ''}`,
    ],
    ...events.map(
      (e) =>
        [
          `  at ${e.timeMs} ms`,
          `${e.what}${e.response ? `: ${e.response}` : ''}${e.stage ? `: ${e.stage}, ${e.reason}` : ''}`,
        ] as [string, string],
    ),
    ['framesExchanged', String(report.framesExchanged)],
    ['simulatedMs', String(report.simulatedMs)],
  ])}\n`;
}
