import type { FraudLiveReport } from './live.js';

const pct = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
const num = (value: number | null, digits = 3): string => (value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits));

/** The end-of-run summary of the live fraud blueprint, as printed by `npm start`. */
export function formatFraudLiveReport(report: FraudLiveReport): string {
  const lines: string[] = [];
  lines.push('', 'Summary', '-------');
  lines.push(
    `history   ${report.history.events.toLocaleString('en-US')} payments, ${report.history.frauds} fraudulent; fraud@${report.firstModel.version} trained in ${report.firstModel.seconds.toFixed(1)} s, ROC AUC ${num(report.firstModel.rocAuc)} on the latest quarter`,
  );
  lines.push(
    `live      ${report.live.payments.toLocaleString('en-US')} payments in ${report.live.seconds.toFixed(1)} s (${report.live.perSecond.toFixed(0)}/s), ${report.live.labelsSent.toLocaleString('en-US')} labels fed back` +
      (report.live.ringStartedAt === null ? '; the new pattern had not begun' : `; the merchant ring began at payment ${report.live.ringStartedAt.toLocaleString('en-US')}`),
  );
  lines.push('', 'detection quality (served scores and decisions against the true labels)');
  lines.push(`  ${'phase'.padEnd(26)} ${'payments'.padStart(9)} ${'frauds'.padStart(7)} ${'ROC AUC'.padStart(8)} ${'stopped'.padStart(8)} ${'ring stopped'.padStart(13)} ${'legit flagged'.padStart(14)}`);
  for (const p of report.phases) {
    lines.push(`  ${p.phase.padEnd(26)} ${String(p.predictions).padStart(9)} ${String(p.frauds).padStart(7)} ${num(p.rocAuc).padStart(8)} ${pct(p.recall).padStart(8)} ${pct(p.ringRecall).padStart(13)} ${pct(p.falsePositiveRate).padStart(14)}`);
  }
  lines.push('', `latency   POST /v1/predict over HTTP: p50 ${num(report.latencyMs.p50, 2)} ms, p99 ${num(report.latencyMs.p99, 2)} ms, p99.9 ${num(report.latencyMs.p999, 2)} ms, max ${num(report.latencyMs.max, 1)} ms`);
  const decisions = Object.entries(report.decisions).map(([d, n]) => `${d} ${n}`).join(', ');
  lines.push(`decisions ${decisions || 'none'}`);
  const fallbacks = Object.entries(report.fallbacks).map(([reason, n]) => `${reason} ${n}`).join(', ');
  lines.push(`fallbacks ${fallbacks || 'none'}`);
  lines.push('', `alerts    ${report.alerts.length === 0 ? 'none' : '(in traffic time)'}`);
  for (const a of report.alerts) lines.push(`  ${new Date(a.at).toISOString().slice(0, 16).replace('T', ' ')} ${a.alert} (${a.kind}): ${a.message} → ${a.action}: ${a.outcome}`);
  if (report.alertAfterPayments !== null) lines.push(`  the first quality alert came ${report.alertAfterPayments.toLocaleString('en-US')} payments after the new pattern began`);
  lines.push('', `retraining ${report.gates.length === 0 ? 'none ran' : ''}`);
  for (const g of report.gates) lines.push(`  fraud@${g.challenger} vs champion ${g.champion ?? '–'}: ${g.promoted ? 'PROMOTED' : 'kept as challenger'} — ${g.why} (on the latest ${g.holdoutRows.toLocaleString('en-US')} payments)`);
  if (report.promotionAfterPayments !== null) lines.push(`  serving switched to the new champion ${report.promotionAfterPayments.toLocaleString('en-US')} payments after the new pattern began`);
  lines.push('', `the dashboard was at ${report.url}/dashboard`);
  return lines.join('\n');
}
