/** A conformance result as JUnit XML: one test case per pair; failing verdicts are failures. */
import { junitXml } from '../report/junit.ts';
import { type ConformResult, FAILING } from './conform.ts';

/** The JUnit XML document of a run. */
export function conformJunit(result: ConformResult): string {
  const suite = `hanota conform ${result.model} hardware ${result.hardwareVersion}`;
  return junitXml(
    'hanota conform',
    suite,
    result.pairs.map((p) => {
      const name = `${p.running} -> ${p.image} (${p.declared ? 'declared' : 'undeclared'})`;
      const message = `${p.verdict}: ${p.step}${p.reason ? `: ${p.reason}` : ''}`;
      return FAILING.has(p.verdict)
        ? { classname: suite, name, failure: { type: p.verdict, message, body: message } }
        : { classname: suite, name, output: `${p.verdict}${p.step ? `: ${p.step}` : ''}` };
    }),
  );
}
