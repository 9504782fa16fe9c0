/**
 * `hanota simulate --activate [--execute-at ISO]`: the GBCS side of a run. The device (ESME,
 * GSME, HCALCS) holds the supplier's key from `--supplier-key` (a private key here: hanota signs
 * the CS06 as that supplier); the DCC Access Control Broker and the device's key-agreement keys
 * are simulated. Once the device's 0x8F72 receipt alert reaches the supplier, it sends CS06 for
 * the image's Manufacturer Image hash, immediate or future-dated.
 */
import { sha256 } from '../crypto/hashes.ts';
import type { P256Key } from '../crypto/keys.ts';
import type { DeviceProfile } from '../devices/profiles.ts';
import { buildCs06 } from '../gbcs/build-cs06.ts';
import { DCC_TEST_ACB } from '../gbcs/security.ts';
import { simulatedParty } from '../gbcs/simulated-party.ts';
import type { OtaImage } from '../ota/image.ts';
import type { GbcsDeviceSpec } from '../sim/gbcs-device.ts';
import type { Trace } from '../sim/trace.ts';
import { CliError, inputError } from './cli-error.ts';

/** The supplier's system title in simulated runs. */
export const SIMULATED_SUPPLIER = '5350000000000001';
/** The device's system title in simulated runs. */
export const SIMULATED_DEVICE = '00db000000000001';

/** The device's GBCS keys and the supplier's CS06 for a `--activate` run. */
export function activationSpec(
  profile: DeviceProfile,
  key: P256Key | undefined,
  image: OtaImage,
  executeAt: string | undefined,
): GbcsDeviceSpec {
  if (!profile.gbcsActivation)
    throw new CliError(
      'USAGE',
      `--activate: a ${profile.deviceType} activates through the hub's Upgrade End Response, not a CS06 command`,
    );
  if (!key?.privateKey)
    throw new CliError(
      'USAGE',
      "--activate: --supplier-key must be the supplier's private key, to sign the CS06 command",
    );
  if (image.format !== 'gbcs')
    throw new CliError(
      'USAGE',
      '--activate: the image is not a GBCS OTA Upgrade Image (no Manufacturer Image to name)',
    );
  const acb = simulatedParty(DCC_TEST_ACB, 'hanota simulated ACB');
  const device = simulatedParty(SIMULATED_DEVICE, 'hanota simulated device');
  let command: Uint8Array;
  try {
    command = buildCs06({
      supplier: SIMULATED_SUPPLIER,
      signingKey: key.privateKey,
      recipient: device.eui,
      macFor: device.kaPublic,
      acbKaPrivate: acb.kaPrivate,
      counter: 1n,
      hash: sha256(image.manufacturerImage.data),
      ...(executeAt !== undefined && { executeAt }),
    });
  } catch (error) {
    throw inputError('--execute-at', error);
  }
  return {
    identity: {
      device: device.eui,
      keyAgreementPrivateKey: device.kaPrivate,
      signingPrivateKey: device.dsPrivate,
      acb: acb.eui,
      acbKeyAgreementKey: acb.kaPublic,
    },
    anchor: { supplier: SIMULATED_SUPPLIER, signingKey: key.publicKey },
    commandsAfterReceipt: [command],
  };
}

/** One GBCS event of a run, as the report lists it. */
export type GbcsEventRow = { readonly timeMs: number; readonly what: string } & Readonly<
  Record<string, string | number | boolean>
>;

/** The GBCS events of `node` in the trace, in order: alerts, CS06 responses and refusals. */
export function gbcsEvents(trace: Trace, node: string): GbcsEventRow[] {
  return trace.events.flatMap((e) =>
    e.kind === 'note' && e.node === node && /^(alert|CS06)/.test(e.what)
      ? [{ ...e.detail, timeMs: Math.floor(e.timeUs / 1000), what: e.what }]
      : [],
  );
}

/** True when the events show the command's effect: success response, or 0x8F66 for a future-dated one. */
export function activated(events: readonly GbcsEventRow[]): boolean {
  return events.some(
    (e) => (e.what === 'CS06 response' && e.response === 'success') || e.what.startsWith('alert 0x8F66'),
  );
}
