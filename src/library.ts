/**
 * `hanota`: the library entry of the package (package.json#exports `.`), for programs that use
 * hanota without its CLI. Like `testing/kit.ts` it only re-exports — the two public entry points
 * are the only such modules; hanota's own code imports the files themselves.
 *
 * - Images: parse, describe, verify and build ZigBee OTA files and GBCS OTA Upgrade Images.
 * - GBCS: decode General-Ciphering/Signing messages, CS06 Activate Firmware content, signatures
 *   and MACs.
 * - Pathways: the CPL/FIR catalog and its check, the path planner, estates, behaviour files.
 * - Scenarios and campaigns: parse and run scenarios; run campaigns from a policy.
 * - Errors: the typed errors every function throws on bad input.
 */

export { type CampaignInput, runCampaign } from './campaign/campaign.ts';
export { type Policy, parsePolicy } from './campaign/policy.ts';
export type { CampaignReport, DeviceOutcome } from './campaign/report.ts';
export { type P256Key, readP256Key } from './crypto/keys.ts';
export { DecodeError, EncodeError, HanotaError, KeyError } from './errors/errors.ts';
export { decodeGbcsMessage, type GbcsMessage } from './gbcs/apdu.ts';
export {
  CS06_MESSAGE_CODE,
  type Cs06Command,
  type Cs06Response,
  decodeCs06Command,
  decodeCs06Response,
  encodeCs06Command,
} from './gbcs/cs06.ts';
export { describeGbcsMessage } from './gbcs/describe.ts';
export { checkMessage, DCC_TEST_ACB, type KeyRing, sealCriticalCommand } from './gbcs/security.ts';
export { describeImage, type ImageDescription } from './ota/describe.ts';
export { buildGbcsImage, type GbcsImage, type GbcsImageInput, parseGbcsImage } from './ota/gbcs-image.ts';
export { manufacturerImageHash, signManufacturerImage, verifyGbcsSignature } from './ota/gbcs-signature.ts';
export { headerStringFromText, type OtaHeader, type OtaHeaderFields } from './ota/header.ts';
export { type ImageFormat, type OtaImage, type ParseImageOptions, parseImage } from './ota/image.ts';
export { buildZigbeeImageWithIntegrityCode, checkIntegrityCodes } from './ota/integrity.ts';
export { type CheckResult, type VerifyOptions, type VerifyResult, verifyImage } from './ota/verify.ts';
export {
  buildZigbeeImage,
  parseZigbeeImage,
  type ZigbeeImage,
  type ZigbeeImageInput,
} from './ota/zigbee-image.ts';
export { type Behaviour, outcomeOf, parseBehaviour } from './pathways/behaviour.ts';
export { type Catalog, type CatalogEntry, loadCatalog } from './pathways/catalog.ts';
export { checkCatalog, type Problem } from './pathways/check.ts';
export { type EstateDevice, loadEstate, planEstate } from './pathways/estate.ts';
export { checkSequence, type Plan, Planner, planPath } from './pathways/planner.ts';
export { parseScenario, referencedFiles } from './scenario/load.ts';
export { runScenario, type ScenarioResult } from './scenario/run.ts';
export type { ScenarioFile } from './scenario/schema.ts';
export type { TransportName } from './sim/frame-driver.ts';
