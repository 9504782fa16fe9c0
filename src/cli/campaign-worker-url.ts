/**
 * Where the campaign worker's entry file is: beside this module, in the sources
 * (`campaign-worker.js`, which starts the TypeScript through tsx) and in the built CLI alike
 * (`dist/cli/campaign-worker.js`, bundled beside every chunk). Kept in `src/cli/` itself so the
 * relative URL means the same in both.
 */
export const CAMPAIGN_WORKER_URL = new URL('./campaign-worker.js', import.meta.url);
