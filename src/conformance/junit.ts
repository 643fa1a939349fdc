/**
 * JUnit XML of a conformance report (`--junit FILE`), in the strict form of the Apache Ant JUnit
 * schema that CI systems read: <testsuites> with one <testsuite> per feature group, one <testcase>
 * per case (classname nnlstm.<group>, name = case id). fail and rejected → <failure>, error →
 * <error>, unsupported → <skipped/>. Every <testsuite> carries <properties> (its coverage among
 * them), <system-out> (the suite's verdict lines) and <system-err> (the driver's stderr of each
 * case, headed by its id). A last testsuite `verdict` makes the coverage verdict visible to a CI
 * dashboard that counts only testcases: "something verified", one testcase per --require scope
 * and one for --baseline, each a <failure> when not met.
 */
import { fmtRatio } from './compare.js';
import { evaluateVerdict, summarizeCoverage, type KindCoverage, type Verdict } from './coverage.js';
import { failingGate } from './gate.js';
import { summarizeResults, verifiedLine } from './report.js';
import type { CaseResult, Report } from './runner.js';

// XML 1.0 allows only these characters.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlEscape(s: string): string {
  return s
    .replace(INVALID_XML, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const secs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** ISO 8601 without milliseconds and time zone (the Ant schema's pattern); UTC. */
function timestamp(iso: string): string {
  return iso.slice(0, 19);
}

function detail(r: CaseResult): string {
  const lines: string[] = [];
  const gate = failingGate(r);
  if (gate) lines.push(`gate: ${gate.label}`);
  lines.push(`group: ${r.group}; features: ${r.tags.join(', ')}`);
  if (r.reason) lines.push(`reason: ${r.reason}`);
  if (r.expectedRule) lines.push(`rule: ${r.expectedRule}${r.rules?.length ? `; driver named ${r.rules.join(', ')}` : ''}`);
  if (r.maxRatio !== null) lines.push(`max |error|/tolerance: ${fmtRatio(r.maxRatio)}; max |error|: ${String(r.maxAbsError)}`);
  if (r.worst) lines.push(`worst: ${r.worst.outputName}[${r.worst.flatIndex}] actual ${r.worst.actual} expected ${r.worst.expected}`);
  if (r.fault) lines.push(`fault: ${r.fault.message}`);
  if (r.stderr) lines.push('driver stderr:', r.stderr.trimEnd());
  return lines.join('\n');
}

function testcase(r: CaseResult): string {
  const open = `    <testcase name="${xmlEscape(r.id)}" classname="nnlstm.${xmlEscape(r.group)}" time="${secs(r.durationMs)}"`;
  const gate = failingGate(r);
  switch (r.status) {
    case 'pass':
      return `${open}/>`;
    case 'unsupported':
      return `${open}>\n      <skipped message="${xmlEscape(r.reason ?? 'unsupported')}"/>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${xmlEscape(r.reason ?? 'error')}" type="${xmlEscape(gate?.kind ?? 'error')}">${xmlEscape(detail(r))}</error>\n    </testcase>`;
    default:
      return `${open}>\n      <failure message="${xmlEscape(r.reason ?? r.status)}" type="${xmlEscape(gate?.kind ?? r.status)}">${xmlEscape(detail(r))}</failure>\n    </testcase>`;
  }
}

const kindText = (k: KindCoverage): string => `${k.executed} executed, ${k.verified} verified, ${k.unsupported} unsupported, ${k.total} total`;

/** The `verdict` testsuite: what a dashboard must show red when coverage, not a case, fails the run. */
function verdictSuite(report: Report, verdict: Verdict, id: number, props: string[]): string[] {
  const cases: { name: string; failure: string | null }[] = [];
  const cov = summarizeCoverage(report.results);
  const nothing = verdict.reasons.find((r) => r.startsWith('nothing verified')) ?? 'nothing verified';
  cases.push({ name: 'something verified', failure: verdict.nothingVerified ? nothing : null });
  for (const q of verdict.requirements ?? []) cases.push({ name: `require ${q.scope}`, failure: q.ok ? null : `--require ${q.scope}: ${q.detail}` });
  if (verdict.baseline) {
    const b = verdict.baseline;
    cases.push({ name: 'not below the baseline', failure: b.ok ? null : `${b.regressed.length} case(s) verified by the baseline (${b.source}) are not verified now: ${b.regressed.map((r) => `${r.id} (${r.now})`).join(', ')}` });
  }
  const failures = cases.filter((c) => c.failure !== null).length;
  const out = [
    `  <testsuite package="nnlstm" id="${id}" name="verdict" timestamp="${timestamp(report.startedAt)}" hostname="localhost" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="0.000">`,
    '    <properties>',
    ...props,
    '    </properties>',
  ];
  for (const c of cases) {
    const open = `    <testcase name="${xmlEscape(c.name)}" classname="nnlstm.verdict" time="0.000"`;
    out.push(c.failure === null ? `${open}/>` : `${open}>\n      <failure message="${xmlEscape(c.failure)}" type="coverage">${xmlEscape(c.failure)}</failure>\n    </testcase>`);
  }
  out.push(`    <system-out>${xmlEscape([verifiedLine(cov), `verdict: ${verdict.pass ? 'pass' : 'fail'}`, ...verdict.reasons].join('\n'))}</system-out>`);
  out.push('    <system-err></system-err>');
  out.push('  </testsuite>');
  return out;
}

/**
 * JUnit XML of a report (the `--junit FILE` output): one testsuite per feature group, one testcase per
 * case, and a last `verdict` testsuite. Default verdict: failing cases, or nothing verified.
 *
 * @example
 * ```ts
 * import { runConformance, reportToJunit } from 'nnlstm';
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('conformance.xml', reportToJunit(await runConformance(driver, cases)));
 * ```
 */
export function reportToJunit(report: Report, verdict: Verdict = evaluateVerdict(report)): string {
  const { groups } = summarizeResults(report.results);
  const coverage = summarizeCoverage(report.results);
  const caps = report.driver.capabilities;
  const props: [string, string][] = [
    ['driver', report.driver.name],
    ['driver.version', caps?.version ?? ''],
    ['tool', `${report.tool.name} ${report.tool.version}`],
    ['filter', report.filter ?? ''],
    ['totals', `${report.totals.pass} pass, ${report.totals.fail} fail, ${report.totals.error} error, ${report.totals.rejected} rejected, ${report.totals.unsupported} unsupported`],
    ['verified', verifiedLine(coverage)],
    ['verdict', verdict.pass ? 'pass' : `fail: ${verdict.reasons.join('; ')}`],
  ];
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  groups.forEach((g, id) => {
    const results = report.results.filter((r) => r.group === g.group);
    const time = results.reduce((a, r) => a + r.durationMs, 0);
    out.push(
      `  <testsuite package="nnlstm" id="${id}" name="${xmlEscape(g.group)}" timestamp="${timestamp(report.startedAt)}" hostname="localhost" ` +
        `tests="${g.cases}" failures="${g.fail + g.rejected}" errors="${g.error}" skipped="${g.unsupported}" time="${secs(time)}">`,
    );
    const gc = coverage.groups.find((c) => c.group === g.group)!;
    out.push('    <properties>');
    for (const [k, v] of props) out.push(`      <property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`);
    out.push(`      <property name="coverage.positive" value="${xmlEscape(kindText(gc.positive))}"/>`);
    out.push(`      <property name="coverage.negative" value="${xmlEscape(kindText(gc.negative))}"/>`);
    out.push('    </properties>');
    for (const r of results) out.push(testcase(r));
    const verdicts = results.map((r) => `${r.status.toUpperCase()} ${r.id}`).join('\n');
    out.push(`    <system-out>${xmlEscape(verdicts)}</system-out>`);
    const err = results.filter((r) => r.stderr).map((r) => `== ${r.id} ==\n${r.stderr!.trimEnd()}`).join('\n');
    out.push(`    <system-err>${xmlEscape(err)}</system-err>`);
    out.push('  </testsuite>');
  });
  out.push(...verdictSuite(report, verdict, groups.length, props.map(([k, v]) => `      <property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`)));
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
