import { buildSnapshot } from '../../dashboard/snapshot-fixture.js';
import type { ColumnDrift, ColumnProfile, ReferenceProfile } from '../../../src/monitoring/types.js';
import type { ReportInput } from '../../../src/monitoring/report/index.js';

/** A reference profile consistent with a drift result's reference histograms. */
function profileOf(column: ColumnDrift): ColumnProfile {
  const counts = column.reference.counts;
  const total = counts.reduce((a, b) => a + b, 0);
  if (column.kind === 'category') {
    const labels = column.reference.labels ?? [];
    const frequencies = labels.map((value, i) => ({ value, count: counts[i] ?? 0 })).sort((a, b) => b.count - a.count);
    return { kind: 'category', name: column.column, count: total + 12, missing: 12, distinct: labels.length, frequencies, other: 0 };
  }
  const edges = column.reference.edges ?? [0, 1];
  const mids = counts.map((_, i) => ((edges[i] ?? 0) + (edges[i + 1] ?? 0)) / 2);
  const mean = mids.reduce((a, m, i) => a + m * (counts[i] ?? 0), 0) / total;
  const std = Math.sqrt(mids.reduce((a, m, i) => a + (m - mean) ** 2 * (counts[i] ?? 0), 0) / total);
  const min = edges[0] ?? 0;
  const max = edges[edges.length - 1] ?? 1;
  const quantiles = Array.from({ length: 101 }, (_, q) => min + ((max - min) * q) / 100);
  return { kind: 'number', name: column.column, count: total, missing: 0, min, max, mean, std, distinct: 1000, quantiles, histogram: column.reference, sample: [] };
}

/** The fraud model of the dashboard fixture, as `tandem monitor report` would be given it. */
export function buildReportInput(): ReportInput {
  const snapshot = buildSnapshot();
  const fraud = snapshot.models[0]!;
  const drift = fraud.drift!;
  const features = drift.columns.filter((c) => c.column !== 'score');
  const score = drift.columns.find((c) => c.column === 'score')!;
  const reference: ReferenceProfile = {
    format: 'tandem-reference-profile',
    formatVersion: 1,
    rows: 20_000,
    features: features.map(profileOf),
    prediction: profileOf(score),
  };
  return {
    model: fraud.model,
    version: 3,
    generatedAt: snapshot.generatedAt,
    reference,
    drift,
    performance: { rocAuc: 0.871, logLoss: 0.278, accuracy: 0.929 },
    alerts: snapshot.alerts.filter((a) => a.model === 'fraud'),
  };
}
