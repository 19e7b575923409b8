// Formatting without Intl or the host's locale and time zone, so a report reads the same wherever
// it is rendered and the same input gives the same bytes.

/** Thousands separated, fewer decimals as numbers grow: 12,345 · 123 · 12.3 · 1.23 · 0.0123. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.001) return value.toExponential(1);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const [whole = '', fraction] = value.toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction?.replace(/0+$/, '');
  return trimmed ? `${grouped}.${trimmed}` : grouped;
}

/** A ratio as a percentage: 0.5 → '50%'. */
export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A p-value, with the tiny ones as a bound. */
export function formatPValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value < 0.001 ? '< 0.001' : formatNumber(value);
}

/** Epoch ms as UTC: '2026-03-02 12:00:00 UTC'. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
