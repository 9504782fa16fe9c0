/**
 * `hanota/testing`: the property-based testing kit in one import, for suppliers' and
 * manufacturers' own vitest suites — arbitraries (OTA images valid and mutated, OTA frames, CS06
 * commands genuine and forged, catalogs with their awkward cases, estates, link profiles, fault
 * schedules), the model-based command set for a hub and its devices with its harness, the
 * invariants, scenario fuzzing, and what a test needs to run scenarios and campaigns. This is the
 * package's public entry point (package.json#exports), the one module that only re-exports;
 * hanota's own code imports the files themselves.
 */
export { runCampaign } from '../campaign/campaign.ts';
export { parsePolicy } from '../campaign/policy.ts';
export type { CampaignReport, DeviceOutcome } from '../campaign/report.ts';
export { buildCs06, type Cs06Spec } from '../gbcs/build-cs06.ts';
export { type SimulatedParty, simulatedParty } from '../gbcs/simulated-party.ts';
export { outcomeOf, parseBehaviour } from '../pathways/behaviour.ts';
export { loadCatalog } from '../pathways/catalog.ts';
export { loadEstate } from '../pathways/estate.ts';
export { Planner } from '../pathways/planner.ts';
export { checkInvariants, type InvariantResult } from '../scenario/invariants.ts';
export { parseScenario, referencedFiles } from '../scenario/load.ts';
export { runScenario, type ScenarioResult } from '../scenario/run.ts';
export type { ScenarioFile } from '../scenario/schema.ts';
export { type CatalogRow, type CatalogShape, catalogCsv, catalogRows } from './catalog-arbitraries.ts';
export { type EstateEntry, type EstateRow, estateRows, linkProfiles } from './estate-arbitraries.ts';
export {
  DEFAULT_FAULT_KINDS,
  describeFault,
  FAULT_KINDS,
  type Fault,
  type FaultKind,
  faultSchedules,
  parseFaultSpec,
  withFaults,
} from './faults.ts';
export { caseFailures, caseScenario, type FuzzCase, type FuzzResult, fuzzScenario } from './fuzz.ts';
export { type ArbitraryCs06, type Cs06Parties, forgedCs06, genuineCs06 } from './gbcs-arbitraries.ts';
export { type HanModel, hanCommands } from './han-commands.ts';
export { HanHarness, type HarnessOptions } from './han-harness.ts';
export { otaCommands, otaFrames, requestImageIds } from './ota-frame-arbitraries.ts';
export {
  applyMutation,
  gbcsImageInputs,
  type Mutation,
  mutatedOtaImageBytes,
  mutations,
  otaHeaderFields,
  otaImageBytes,
  zigbeeImageInputs,
} from './ota-image-arbitraries.ts';
