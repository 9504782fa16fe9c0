/**
 * A campaign's report document (`hanota campaign --report`, `hanota report merge`): one mode's
 * report or both side by side with their difference, and what the campaign ran on — the digests
 * `report merge` compares, the files' names as given, the policy's settings. The HTML page is
 * made from it.
 */
import type { Policy } from './policy.ts';
import type { CampaignReport } from './report.ts';

/**
 * What a campaign's result depends on besides the seed, as digests: the files (SHA-256 of their
 * bytes), the targets and the mode. Each shard carries it, so that `hanota report merge` refuses
 * shards of different campaigns instead of adding them up.
 */
export interface CampaignInputs {
  readonly estate: string;
  readonly catalog: string;
  readonly policy: string | null;
  readonly behaviours: readonly string[];
  /** The library's index, when images come from one. */
  readonly library?: string;
  readonly targets: readonly string[];
  readonly mode: string;
}

/** What a campaign ran on: the digests `report merge` compares, and the files' names as given. */
export type DocumentInputs = CampaignInputs & {
  readonly files: CampaignFileNames;
  /** The policy's settings as read (null without a policy file). */
  readonly policySettings: Policy | null;
};

/** The names of a campaign's files, as given on its command line. */
export interface CampaignFileNames {
  readonly estate: string;
  readonly catalog: string;
  readonly policy: string | null;
  readonly behaviours: readonly string[];
  readonly library: string | null;
}

/** The report document of one or both modes (both: side by side with the difference). */
export function campaignDocument(
  seed: number,
  inputs: DocumentInputs,
  reports: readonly CampaignReport[],
): CampaignDocument {
  const [planned, direct] = reports;
  if (reports.length === 2 && planned && direct) {
    const harmed = (r: CampaignReport) => r.byStatus.bricked + r.byStatus.degraded;
    return {
      seed,
      inputs,
      planned,
      direct,
      difference: {
        bricked: direct.byStatus.bricked - planned.byStatus.bricked,
        siteVisitsAvoided: harmed(direct) - harmed(planned),
      },
    };
  }
  // The seed first, as the report's own (the same) would put it.
  return Object.assign({ seed, inputs }, planned as CampaignReport);
}

/** A campaign's report document: one mode's report, or both side by side with their difference. */
export type CampaignDocument = { readonly seed: number; readonly inputs: DocumentInputs } & (
  | CampaignReport
  | {
      readonly planned: CampaignReport;
      readonly direct: CampaignReport;
      readonly difference: { readonly bricked: number; readonly siteVisitsAvoided: number };
    }
);
