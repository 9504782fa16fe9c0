/**
 * Headless Chromium for the tests that look at a page as a person would. `npm test` installs it
 * (as root); under CI=true its absence is a failure, elsewhere those tests say they are skipped.
 */
import { execFileSync } from 'node:child_process';

function hasChromium(): boolean {
  try {
    execFileSync('chromium', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether Chromium can run here; throws under CI=true when it cannot. */
export function chromiumAvailable(what: string): boolean {
  const available = hasChromium();
  if (!available && process.env.CI === 'true')
    throw new Error('Chromium is required under CI=true (npm test installs it as root)');
  if (!available) console.log(`skipping ${what}: it needs Chromium (apt-get install chromium)`);
  return available;
}
