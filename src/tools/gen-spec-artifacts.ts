/**
 * Generates what derives from spec/*.json: the operand name tables in src/ and the Markdown docs.
 * `npm run gen` writes them; test/spec.artifacts.test.ts fails when a committed copy is stale.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadSpec, SPEC_FILES, useSpecDocuments, type OperationSpec, type ResolvedSpec, type SpecOperand } from '../spec/operation-spec.js';
import { fromRoot } from '../util/paths.js';
import { renderDataModule, specDocumentsFromFiles } from './gen-data-module.js';

export function renderOperandTable(spec: OperationSpec | ResolvedSpec): string {
  const names = (ops: readonly SpecOperand[]) => ops.map((o) => `  '${o.name}',`).join('\n');
  const counts = spec.signatures.map((s) => s.inputs).join(', ');
  const outCount = spec.signatures[0]!.outputs;
  return `// GENERATED from spec/${spec.operation}.json by \`npm run gen\` — do not edit. A test fails when stale.

/** LSTM input operand roles, in NNAPI input order. */
export const LSTM_INPUT_NAMES = [
${names(spec.inputs)}
] as const;

/** LSTM output operand roles, in NNAPI output order. */
export const LSTM_OUTPUT_NAMES = [${spec.outputs.map((o) => `'${o.name}'`).join(', ')}] as const;

export type LstmInputName = (typeof LSTM_INPUT_NAMES)[number];
export type LstmOutputName = (typeof LSTM_OUTPUT_NAMES)[number];

/** The one table from role name to NNAPI input position. */
export const LSTM_IN: { readonly [K in LstmInputName]: number } = Object.freeze(
  Object.fromEntries(LSTM_INPUT_NAMES.map((n, i) => [n, i])) as { [K in LstmInputName]: number },
);

/** The one table from role name to NNAPI output position. */
export const LSTM_OUT: { readonly [K in LstmOutputName]: number } = Object.freeze(
  Object.fromEntries(LSTM_OUTPUT_NAMES.map((n, i) => [n, i])) as { [K in LstmOutputName]: number },
);

/** Input counts of the LSTM signatures: ${spec.signatures.map((s) => `${s.inputs} (FL${s.featureLevel})`).join(' and ')}. */
export const LSTM_INPUT_COUNTS = [${counts}] as const;
export const LSTM_OUTPUT_COUNT = ${outCount};
`;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

function typeCell(o: SpecOperand): string {
  return o.types.map((t) => `${t.type} (${t.variant}, FL${t.since})`).join('<br>');
}

export function renderMarkdown(spec: ResolvedSpec): string {
  const L: string[] = [];
  L.push(`<!-- GENERATED from spec/${spec.operation}.json by \`npm run gen\` — do not edit. A test fails when stale. -->`);
  L.push(`# ${spec.title} (${spec.operation}, operation code ${spec.code})`, '', spec.summary, '');
  L.push('## Sources', '');
  for (const s of spec.sources) L.push(`- ${s.repo}: \`${s.path}\` — ${s.what}`);
  if (spec.reuses?.length) {
    L.push('', '## Reuses', '');
    for (const r of spec.reuses) L.push(`- [${r.spec}](${r.spec}.md): ${r.what}`);
  }
  L.push('', '## Symbols', '');
  for (const [k, v] of Object.entries(spec.symbols)) L.push(`- \`${k}\`: ${v}`);
  L.push('', '## Signatures and feature levels', '');
  for (const s of spec.signatures) L.push(`- ${s.inputs} inputs, ${s.outputs} outputs: FL${s.featureLevel}${s.description ? ` — ${s.description}` : ''}`);
  for (const f of spec.featureLevels) L.push(`- FL${f.level}: ${f.when}`);
  L.push('', '## Inputs', '');
  L.push('| # | name | kind | role | shape | presence | group | types | since | description |');
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const o of spec.inputs) {
    const extra = o.allowedValues ? ` Allowed: ${o.allowedValues.map((v) => `${v}${o.valueNames?.[String(v)] ? ` (${o.valueNames[String(v)]})` : ''}`).join(', ')}.` : o.minimum !== undefined ? ` Minimum ${o.minimum}.` : '';
    const from = o.from ? ` (${o.from})` : '';
    L.push(`| ${o.index} | \`${o.name}\`${from} | ${o.kind} | ${o.role} | ${o.kind === 'scalar' ? '–' : esc(`[${o.shape.join(', ')}]`)} | ${o.presence} | ${o.group ?? ''} | ${typeCell(o)} | FL${o.since} | ${esc(o.description + extra)} |`);
  }
  L.push('', '## Outputs', '');
  L.push('| # | name | shape | types | description |');
  L.push('|---|---|---|---|---|');
  for (const o of spec.outputs) L.push(`| ${o.index} | \`${o.name}\` | ${esc(`[${o.shape.join(', ')}]`)} | ${typeCell(o)} | ${esc(o.description)} |`);
  L.push('', '## Optional groups', '');
  for (const g of spec.groups) L.push(`- **${g.name}** (\`${g.id}\`): ${g.description} Operands: ${g.operands.map((o) => `\`${o}\``).join(', ')}. Rules: ${g.rules.map((r) => `\`${r}\``).join(', ')}.`);
  if (spec.computation) {
    L.push('', '## Computation (order of operations)', '');
    spec.computation.forEach((c, i) => L.push(`${i + 1}. ${c}`));
  }
  L.push('', '## Validation rules', '');
  L.push('`aosp` says whether AOSP\'s code enforces the documented rule; where it does not, the departure is recorded and the suite follows the documentation.', '');
  if (spec.operation !== 'LSTM') L.push('The model-level rules (`model.*`, defined in [LSTM](LSTM.md)) apply to this operation\'s models too.', '');
  L.push('| id | phase | operands | rule | AOSP | departure | source |');
  L.push('|---|---|---|---|---|---|---|');
  for (const r of spec.rules.filter((x) => !x.sharedFrom)) L.push(`| \`${r.id}\` | ${r.phase} | ${r.operands.map((o) => `\`${o}\``).join(', ')} | ${esc(r.description)} | ${r.aosp} | ${esc(r.departure ?? '')} | \`${r.source}\` |`);
  const shared = spec.rules.filter((x) => x.sharedFrom);
  if (shared.length) {
    L.push('', `### Rules shared with ${[...new Set(shared.map((r) => r.sharedFrom))].join(', ')}`, '');
    L.push('| id | applies to | rule | AOSP here | departure here |');
    L.push('|---|---|---|---|---|');
    for (const r of shared) L.push(`| [\`${r.id}\`](${r.sharedFrom}.md) | ${r.scope ?? ''} | ${esc(r.description)} | ${r.aosp} | ${esc(r.departure ?? '')} |`);
  }
  L.push('', '## Known deviations of implementations from the documentation', '');
  if (spec.deviations.length === 0) L.push('None recorded beyond the rule departures above.');
  for (const d of spec.deviations) {
    L.push(`### \`${d.id}\``, '', d.description, '', `- documented: ${d.documented}`, `- implemented: ${d.implemented}`, `- where: ${d.source.map((s) => `\`${s}\``).join(', ')}`, `- applies when: \`${JSON.stringify(d.appliesWhen)}\``, `- policy: ${d.policy}`, '');
  }
  return L.join('\n').trimEnd() + '\n';
}

export interface Artifact {
  path: string;
  content: string;
}

export function specArtifacts(): Artifact[] {
  const lstm = loadSpec('LSTM');
  return [
    { path: 'src/model/data.generated.ts', content: renderDataModule() },
    { path: 'src/ops/lstm/operands.generated.ts', content: renderOperandTable(lstm) },
    ...Object.keys(SPEC_FILES).map((op) => ({ path: `spec/${op}.md`, content: renderMarkdown(loadSpec(op)) })),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  useSpecDocuments(specDocumentsFromFiles());
  for (const a of specArtifacts()) {
    writeFileSync(fromRoot(a.path), a.content);
    console.log(`wrote ${a.path}`);
  }
}
