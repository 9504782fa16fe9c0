/**
 * What `hanota duis run` and `duis serve` share: the options naming the estate, catalog, DUIS
 * schema, keys, supplier, seed and start time, and the emulated DCC built from them.
 */
import type { Argv } from 'yargs';
import { durationUs } from '../campaign/policy.ts';
import { readCertificateId } from '../crypto/keys.ts';
import { DccEmulator } from '../duis/dcc.ts';
import { DCC_TEST_ACB } from '../duis/dcc-devices.ts';
import { euiOfDashed } from '../duis/request-id.ts';
import { DuisSchema, XmlError } from '../duis/xml.ts';
import type { DuisSigner } from '../duis/xml-signature.ts';
import { isoToUnixSeconds } from '../gbcs/cs06.ts';
import type { KeyRing } from '../gbcs/security.ts';
import { readPolicy } from './campaign-input.ts';
import { readCatalog, readEstate } from './catalog-input.ts';
import { CliError, inputError } from './cli-error.ts';
import { type CliContext, KEY_INPUT_LIMIT } from './context.ts';
import { readKeyDirectory } from './key-directory.ts';
import { parseUint } from './options.ts';

/** The policy keys the DCC applies; the others are a campaign's. */
const DCC_POLICY_KEYS: ReadonlySet<string> = new Set(['adt', 'memory', 'concurrency']);

/** The schema files `--schema` names, as the DUIS schema imports them. */
const SCHEMA_FILES = {
  duis: 'duis-5.4.xsd',
  mmc: 'mmc-5.4.xsd',
  xmldsig: 'xmldsig-core-schema.xsd',
} as const;

/** The DUIS schema of `dir`; its files named as the schema imports them. */
export function loadDuisSchema(ctx: CliContext, dir: string): DuisSchema {
  const read = (name: string) => ctx.io.readFile(`${dir}/${name}`);
  try {
    return DuisSchema.load({
      duis: read(SCHEMA_FILES.duis),
      mmc: read(SCHEMA_FILES.mmc),
      xmldsig: read(SCHEMA_FILES.xmldsig),
    });
  } catch (error) {
    if (error instanceof XmlError) throw new CliError(error.code, `--schema ${dir}: ${error.message}`);
    throw error;
  }
}

/** The options of the emulated DCC. */
export function withDccOptions<T>(y: Argv<T>) {
  return y
    .option('estate', {
      type: 'string',
      demandOption: true,
      describe: 'estate CSV (the devices the DCC knows)',
    })
    .option('catalog', {
      type: 'string',
      demandOption: true,
      describe: 'CPL/FIR catalog CSV (what each device runs)',
    })
    .option('schema', {
      type: 'string',
      demandOption: true,
      describe: `folder of the DUIS 5.4 XML Schema: ${Object.values(SCHEMA_FILES).join(', ')}`,
    })
    .option('keys', {
      type: 'string',
      describe:
        'key directory (<eui>-ds|ka.pem|key, the DCC test PKI): request signatures are checked, the DCC and devices use these keys',
    })
    .option('supplier', {
      type: 'string',
      describe: 'EUI-64 of the supplier the devices obey (default 90-B3-D5-1F-30-01-00-00)',
    })
    .option('policy', {
      type: 'string',
      describe:
        'rollout policy YAML (as `campaign` reads it): its adt (the Anomaly Detection Threshold per user), memory and concurrency apply',
    })
    .option('seed', { type: 'string', default: '1', describe: 'random seed (printed)' })
    .option('start', {
      type: 'string',
      default: '2026-01-01T00:00:00Z',
      describe: 'wall-clock time of virtual time 0 (UTC, YYYY-MM-DDTHH:MM:SSZ)',
    });
}

/**
 * The DCC's signing identity in a key directory: the Access Control Broker's digital-signing
 * private key and its certificate (`<acb>-ds.key`, `<acb>-ds.pem`), as DCC Boxed signs with them.
 * Without both the DCC's documents go unsigned.
 */
function dccSigner(ctx: CliContext, dir: string, keys: KeyRing): DuisSigner | undefined {
  const privateKey = keys.parties.get(DCC_TEST_ACB)?.ds?.privateKey;
  const certificate = `${dir}/${DCC_TEST_ACB}-ds.pem`;
  if (!privateKey || !ctx.io.listDir(dir).includes(`${DCC_TEST_ACB}-ds.pem`)) return undefined;
  try {
    return {
      privateKey,
      ...readCertificateId(new TextDecoder().decode(ctx.io.readFile(certificate, KEY_INPUT_LIMIT))),
    };
  } catch (error) {
    throw inputError(certificate, error);
  }
}

/** The emulated DCC the options describe; the seed and start time it runs with. */
export function dccOf(
  ctx: CliContext,
  argv: Record<string, unknown>,
): { dcc: DccEmulator; seed: number; startUnixS: number } {
  const seed = parseUint(String(argv.seed), 32, 'seed');
  let startUnixS: number;
  try {
    startUnixS = isoToUnixSeconds(String(argv.start));
  } catch (error) {
    throw new CliError('BAD_ARGUMENT', `--start: ${(error as Error).message}`);
  }
  const text = argv.supplier === undefined ? undefined : String(argv.supplier);
  const supplier =
    text === undefined
      ? undefined
      : (euiOfDashed(text) ?? (/^[0-9a-f]{16}$/i.test(text) ? text.toLowerCase() : undefined));
  if (text !== undefined && supplier === undefined)
    throw new CliError('BAD_ARGUMENT', `--supplier: '${text}' is not an EUI-64`);
  const keys = typeof argv.keys === 'string' ? readKeyDirectory(ctx, argv.keys, DCC_TEST_ACB) : undefined;
  const signer = typeof argv.keys === 'string' && keys ? dccSigner(ctx, argv.keys, keys) : undefined;
  const estate = readEstate(ctx, String(argv.estate));
  const catalog = readCatalog(ctx, String(argv.catalog));
  const schema = loadDuisSchema(ctx, String(argv.schema));
  const policy = typeof argv.policy === 'string' ? readPolicy(ctx, argv.policy) : {};
  const campaignOnly = Object.keys(policy).filter((k) => !DCC_POLICY_KEYS.has(k));
  if (campaignOnly.length > 0)
    ctx.io.stderr(
      `--policy ${String(argv.policy)}: ${campaignOnly.join(', ')} ${campaignOnly.length === 1 ? 'applies' : 'apply'} to campaigns, not to the DCC: ignored\n`,
    );
  let dcc: DccEmulator;
  try {
    dcc = new DccEmulator({
      estate,
      catalog,
      schema,
      ...(keys && { keys }),
      ...(signer && { signer }),
      ...(supplier !== undefined && { supplier }),
      ...(policy.adt && { adt: { limit: policy.adt.limit, windowUs: durationUs(policy.adt.window) } }),
      ...((policy.memory || policy.concurrency) && {
        hub: {
          ...(policy.memory && {
            memory: { blockCount: policy.memory.blocks, blockSize: policy.memory.blockSize },
          }),
          ...(policy.concurrency && { maxConcurrentDownloads: policy.concurrency.perHub }),
        },
      }),
      seed,
      startUnixS,
    });
  } catch (error) {
    throw inputError(`--estate ${String(argv.estate)}`, error);
  }
  return { dcc, seed, startUnixS };
}
