/**
 * Runs every benchmark and prints Markdown to paste into BENCHMARKS.md (with the date).
 * `npm run bench`. Needs the shared vectors at ../shared/vectors.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCampaign } from './campaign.ts';
import { benchCampaignScale } from './campaign-scale.ts';
import { benchCampaignSplit } from './campaign-split.ts';
import { benchFrameDriver } from './frame-driver.ts';
import { toMarkdown } from './harness.ts';
import { benchHubScale } from './hub-scale.ts';
import { benchOtaParse } from './ota-parse.ts';
import { benchPathPlan } from './path-plan.ts';
import { benchSessionAccuracy } from './session-accuracy.ts';
import { benchStartup } from './startup.ts';

const vectors = resolve(fileURLToPath(import.meta.url), '../../../shared/vectors');
if (!existsSync(vectors)) {
  console.error(`bench: the shared vectors are needed at ${vectors}`);
  process.exit(2);
}
console.log(`Run on ${new Date().toISOString().slice(0, 10)}\n`);
console.log(toMarkdown(benchStartup(resolve(fileURLToPath(import.meta.url), '../..'))));
console.log(toMarkdown(benchOtaParse(vectors)));
console.log(toMarkdown(benchFrameDriver(resolve(fileURLToPath(import.meta.url), '../..'))));
console.log(toMarkdown(benchHubScale(resolve(fileURLToPath(import.meta.url), '../..'))));
console.log(toMarkdown(benchPathPlan()));
console.log(toMarkdown(benchCampaign()));
console.log(toMarkdown(benchCampaignScale(resolve(fileURLToPath(import.meta.url), '../..'))));
console.log(toMarkdown(benchCampaignSplit()));
console.log(toMarkdown(benchSessionAccuracy(resolve(fileURLToPath(import.meta.url), '../..'))));
