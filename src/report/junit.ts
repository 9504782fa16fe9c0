/**
 * JUnit XML (the Ant/Surefire schema CI systems read) for hanota's verdicts: one suite, one test
 * case per thing judged, failures with a message and the evidence.
 */

/** One test case. */
export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly timeS?: number;
  readonly failure?: { readonly type?: string; readonly message: string; readonly body: string };
  /** Shown for passing cases. */
  readonly output?: string;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The JUnit XML document of one suite. */
export function junitXml(root: string, suite: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const lines = cases.map((c) => {
    const open = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}" time="${(c.timeS ?? 0).toFixed(3)}">`;
    if (!c.failure) return `${open}${c.output ? `<system-out>${xml(c.output)}</system-out>` : ''}</testcase>`;
    const type = c.failure.type ? ` type="${xml(c.failure.type)}"` : '';
    return `${open}\n      <failure${type} message="${xml(c.failure.message)}">${xml(c.failure.body)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(root)}" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    ...lines,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
