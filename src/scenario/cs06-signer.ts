/**
 * CS06 (activate firmware) commands as a scenario's suppliers would send them: signed with the
 * supplier's key, MACed through the ACB for the recipient, each supplier counting its own
 * commands (see gbcs/build-cs06.ts).
 */
import { buildCs06 } from '../gbcs/build-cs06.ts';
import type { SimulatedParty } from '../gbcs/simulated-party.ts';
import { ScenarioError } from './load.ts';
import type { ScenarioDevice } from './scenario-devices.ts';
import type { ScenarioImage, ScenarioSupplier } from './scenario-inputs.ts';

/** What may differ from the device's own supplier's ordinary CS06 (an injected bad command). */
export interface Cs06Options {
  supplier?: string;
  signingKey?: Uint8Array;
  executeAt?: string;
  counter?: bigint;
  recipient?: SimulatedParty;
}

/** Builds a CS06 that activates `image` on `dev`; an error is reported at `path`. */
export type Cs06Signer = (
  dev: ScenarioDevice,
  image: ScenarioImage,
  opts: Cs06Options,
  path: string,
) => Uint8Array;

/**
 * A CS06 builder for `suppliers` through the ACB `acb`. Each supplier's counter starts at 1
 * and rises with each command that does not set its own.
 */
export function cs06Signer(
  suppliers: ReadonlyMap<string, ScenarioSupplier>,
  acb: SimulatedParty,
): Cs06Signer {
  const counters = new Map<string, bigint>();
  return (dev, image, opts, path) => {
    const name = opts.supplier ?? dev.supplier;
    const sup = name !== undefined ? suppliers.get(name) : undefined;
    if (!sup) throw new ScenarioError(path, `device ${dev.spec.node} has no supplier to sign CS06`);
    const signingKey = opts.signingKey ?? sup.privateKey;
    if (!signingKey)
      throw new ScenarioError(path, `supplier ${name}'s key file holds no private key to sign CS06`);
    const counter = opts.counter ?? (counters.get(sup.eui) ?? 0n) + 1n;
    if (opts.counter === undefined) counters.set(sup.eui, counter);
    const recipient = opts.recipient ?? dev.party;
    return buildCs06({
      supplier: sup.eui,
      signingKey,
      recipient: recipient.eui,
      macFor: recipient.kaPublic,
      acbKaPrivate: acb.kaPrivate,
      counter,
      hash: Buffer.from(image.hash, 'hex'),
      ...(opts.executeAt !== undefined && { executeAt: opts.executeAt }),
    });
  };
}
