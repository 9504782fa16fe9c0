/** The example campaign (fixtures/example-estate.csv over the example model) for campaign tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCampaign } from '../../src/campaign/campaign.ts';
import type { Policy } from '../../src/campaign/policy.ts';
import { parseBehaviour } from '../../src/pathways/behaviour.ts';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { loadEstate } from '../../src/pathways/estate.ts';
import { ROOT } from './vectors.ts';

/** The fixtures folder. */
export const FIXTURES = join(ROOT, 'fixtures');

/** `hanota campaign` arguments for the example estate and model, targets V130 and V210, with the behaviour file and `policy`. */
export function exampleCampaignArgs(policy: string): string[] {
  return [
    'campaign',
    '--estate',
    join(FIXTURES, 'example-estate.csv'),
    '--catalog',
    join(FIXTURES, 'example-model/catalog.csv'),
    '--target',
    'V130',
    '--target',
    'V210',
    '--behaviour',
    join(FIXTURES, 'example-model/behaviour.yaml'),
    '--policy',
    policy,
  ];
}

const read = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
/** The example model's catalog and behaviour file, and the example estate. */
export const EXAMPLE = {
  catalog: loadCatalog(read('example-model/catalog.csv')),
  behaviour: parseBehaviour(read('example-model/behaviour.yaml')),
  estate: loadEstate(read('example-estate.csv')),
};

/** Runs the example campaign in-process (targets V130 and V210) with `policy`. */
export function exampleCampaign(mode: 'planned' | 'direct', policy: Policy, seed = 1) {
  return runCampaign({
    estate: EXAMPLE.estate,
    catalog: EXAMPLE.catalog,
    targets: ['V130', 'V210'],
    images: new Map(),
    behaviours: new Map([['Volta', EXAMPLE.behaviour]]),
    policy,
    mode,
    seed,
  });
}

/**
 * A phased rollout over the example estate: a canary that must all succeed and halts on its first
 * error, a group of 40%, retries; the canary halts a direct campaign.
 */
export const ROLLOUT_POLICY = `
concurrency: { perHub: 2 }
memory: { blocks: 256, blockSize: 4096 }
adt: { limit: 12, window: 1d }
rollout:
  groups:
    - { name: canary, percent: 10, successThreshold: 100, errorThreshold: 0 }
    - { name: half, percent: 40, successThreshold: 90, errorThreshold: 5 }
retry: { attempts: 2, backoff: 1h, factor: 2 }
maxDays: 30
`;
