/**
 * A conformance result as JUnit XML (the Ant/Surefire schema CI systems read): one test suite,
 * one test case per pair; declared edges that fail and undeclared edges that brick are failures.
 */
import { type ConformResult, FAILING } from './conform.ts';

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The JUnit XML document of a run. */
export function conformJunit(result: ConformResult): string {
  const suite = `hanota conform ${result.model} hardware ${result.hardwareVersion}`;
  const failures = result.pairs.filter((p) => FAILING.has(p.verdict)).length;
  const cases = result.pairs.map((p) => {
    const name = `${p.running} -> ${p.image} (${p.declared ? 'declared' : 'undeclared'})`;
    const open = `    <testcase classname="${xml(suite)}" name="${xml(name)}" time="0">`;
    if (!FAILING.has(p.verdict))
      return `${open}<system-out>${xml(p.verdict)}${p.step ? `: ${xml(p.step)}` : ''}</system-out></testcase>`;
    const message = `${p.verdict}: ${p.step}${p.reason ? `: ${p.reason}` : ''}`;
    return `${open}\n      <failure type="${p.verdict}" message="${xml(message)}">${xml(message)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hanota conform" tests="${result.pairs.length}" failures="${failures}">`,
    `  <testsuite name="${xml(suite)}" tests="${result.pairs.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
