// A worker thread of `hanota campaign --workers N`: registers tsx, then runs its buckets.
import { register } from 'tsx/esm/api';

register();
await import('./campaign-worker-main.ts');
