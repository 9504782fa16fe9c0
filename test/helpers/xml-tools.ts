/**
 * xmllint and xmlsec1 for the DUIS tests: where each is, when it is there (under CI=true it must
 * be: `npm test` installs them), so that the documents hanota writes and signs are checked by
 * libxml2's own validator and by an XML-DSig tool over OpenSSL.
 */
import { execFileSync } from 'node:child_process';

/** The path of the system tool `name`, or undefined when it is not installed (an error under CI). */
export function systemTool(name: 'xmllint' | 'xmlsec1'): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`${name} missing (installed by test/helpers/install-tools.sh)`);
    return undefined;
  }
}
