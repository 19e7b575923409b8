import { ARCHITECTURES } from './architectures.js';
import { formatMoney } from './cost.js';
import { describeProfile, type Profile } from './profile.js';
import type { Recommendation } from './recommend.js';
import { THROUGHPUT_SOURCES, type ThroughputName } from './throughput.js';

/** Figures `withMeasuredEngine` recomputes from measured ones. */
const DERIVED: readonly ThroughputName[] = ['ingestPerVcpu', 'predictPerVcpu', 'scoreRowsPerVcpu'];
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(1, n - s.length));
const signed = (v: number): string => (v === 0 ? ' 0' : `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(2).replace(/\.?0+$/, '')}`);
const short: Record<(typeof ARCHITECTURES)[number], string> = {
  batch: 'batch',
  'micro-batch': 'micro',
  'real-time': 'real-time',
  lambda: 'lambda',
  kappa: 'kappa',
  'online-learning': 'online',
};

/** The recommendation as text: the answer first, then how it was reached, then the cost. */
export function renderReport(profile: Profile, r: Recommendation, options: { readonly measured: readonly ThroughputName[] } = { measured: [] }): string {
  const out: string[] = [];
  out.push(`Recommendation: ${r.label} (score ${r.score.toFixed(2)}), about ${formatMoney(r.cost.total)} a month`);
  out.push(`  ${r.summary}`, '');
  out.push('Profile');
  for (const [k, v] of describeProfile(profile)) out.push(`  ${pad(k, 22)}${v}`);
  out.push('', 'Hard rules');
  if (r.hardRules.length === 0) out.push('  none applies: every architecture stays in the ranking');
  for (const h of r.hardRules) out.push(`  ✗ ${h.rulesOut.join(', ')}: ${h.reason}`);

  out.push('', 'Criteria (weight × fit per architecture; fits run from −1 to +1)');
  out.push(`  ${pad('', 26)}${ARCHITECTURES.map((a) => pad(short[a], 10)).join('')}`);
  for (const c of r.criteria) {
    out.push(`  ${pad(`${c.name} ×${c.weight}`, 26)}${ARCHITECTURES.map((a) => pad(signed(c.contributions[a]), 10)).join('')}`);
    out.push(`      ${c.note} — ${c.why}`);
  }
  out.push('', 'Ranking');
  r.ranking.forEach((x, i) => {
    const score = x.ruledOutBy.length > 0 ? `ruled out (${x.ruledOutBy.join(', ')})` : x.score.toFixed(2);
    out.push(`  ${i + 1}. ${pad(x.architecture, 17)}${pad(score, 44)}≈ ${formatMoney(x.monthlyCost)}/month`);
  });
  out.push('', `Why ${r.architecture} (decided by: ${r.decidingCriteria.join(', ')})`);
  for (const reason of r.reasons) out.push(`  - ${reason}`);
  out.push('', 'Runners-up');
  for (const u of r.runnersUp) out.push(`  ${pad(u.architecture, 17)}${u.whyNot}`);

  out.push('', `Setup: ${r.setup.deployment}, ${r.setup.learning}`);
  for (const [role, backend] of Object.entries(r.setup.backends)) out.push(`  ${pad(role, 22)}${backend}`);
  if (r.setup.definitions.length > 0) out.push('  in tandem.config.ts:', ...r.setup.definitions.map((d) => `    ${d}`));
  out.push('  run:', ...r.setup.commands.map((c) => `    ${c}`));
  for (const note of r.setup.notes) out.push(`  note: ${note}`);

  out.push('', `Monthly cost of ${r.architecture} (${r.sizing.vcpusPerMachine} vCPU machines planned at ${Math.round(r.sizing.utilization * 100)} % of measured throughput)`);
  for (const line of r.cost.lines) out.push(`  ${pad(line.item, 68)}${pad(formatMoney(line.monthly), 10)}${line.arithmetic}`);
  out.push(`  ${pad('total', 68)}${formatMoney(r.cost.total)}`);
  out.push('', 'Throughput per vCPU used');
  for (const [name, value] of Object.entries(r.throughput) as [ThroughputName, number][]) {
    out.push(`  ${pad(name, 22)}${pad(Math.round(value).toLocaleString('en-US'), 12)}${options.measured.includes(name) ? 'measured now (tandem advise --measure)' : options.measured.length > 0 && DERIVED.includes(name) ? 'from the measured engine rate plus the benchmark’s per-request overhead' : THROUGHPUT_SOURCES[name]}`);
  }
  const p = r.prices;
  out.push(`Prices: ${p.vcpuHour}/vCPU-hour, ${p.gbMonth}/GB-month, Redis ${p.redisMonth}, PostgreSQL ${p.postgresMonth}, NATS ${p.natsMonth} a month (override with --price-* flags or "prices" in the profile file)`);
  return `${out.join('\n')}\n`;
}
