/**
 * A directory of GBCS keys named as in the DCC test PKI: `<eui>-ds.pem|key` (digital signing)
 * and `<eui>-ka.pem|key` (key agreement), certificates or keys in PEM. A `.pem` and a `.key` for
 * the same party and use must agree on the public key. Other files are ignored.
 */
import { bytesEqual } from '../bytes/hex.ts';
import { encodePublicKeyPem, readP256Key } from '../crypto/keys.ts';
import type { KeyRing, PartyKey, PartyKeys } from '../gbcs/security.ts';
import { CliError, inputError } from './cli-error.ts';
import { type CliContext, KEY_INPUT_LIMIT } from './context.ts';

const KEY_FILE = /^([0-9a-fA-F]{16})-(ds|ka)\.(pem|key)$/;

/** Reads every key file in `dir` into a key ring whose Access Control Broker is `acb`. */
export function readKeyDirectory(ctx: CliContext, dir: string, acb: string): KeyRing {
  const parties = new Map<string, { ds?: PartyKey; ka?: PartyKey }>();
  let files = 0;
  for (const name of ctx.io.listDir(dir)) {
    const m = KEY_FILE.exec(name);
    if (!m) continue;
    files++;
    const path = `${dir}/${name}`;
    let key: ReturnType<typeof readP256Key>;
    try {
      key = readP256Key(new TextDecoder().decode(ctx.io.readFile(path, KEY_INPUT_LIMIT)));
    } catch (error) {
      throw inputError(path, error);
    }
    const eui = (m[1] as string).toLowerCase();
    const use = m[2] as keyof PartyKeys;
    const party = parties.get(eui) ?? {};
    const held = party[use];
    if (held && !bytesEqual(held.publicKey, key.publicKey))
      throw new CliError(
        'KEY_MISMATCH',
        `${path}: its public key differs from the other ${use} file of ${eui}`,
      );
    const privateKey = key.privateKey ?? held?.privateKey;
    party[use] = { publicKey: key.publicKey, ...(privateKey && { privateKey }) };
    parties.set(eui, party);
  }
  if (files === 0)
    throw new CliError('NO_KEYS', `${dir}: no key files named <eui>-ds.pem|key or <eui>-ka.pem|key`);
  return { parties, acb };
}

/**
 * Writes each party's digital-signing public key into `dir` as `<eui>-ds.pem`, named as
 * `readKeyDirectory` reads them: what `hanota gbcs parse --keys` checks signatures with.
 */
export function writeSigningKeys(
  ctx: CliContext,
  dir: string,
  keys: Iterable<readonly [eui: string, publicKey: Uint8Array]>,
): void {
  for (const [eui, key] of keys) ctx.io.writeFile(`${dir}/${eui}-ds.pem`, encodePublicKeyPem(key));
}
