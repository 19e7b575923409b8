/** The report's stylesheet, inlined so the file stands alone (and prints). */
export const REPORT_STYLE = `
:root { --line: #e2e8f0; --text: #1e293b; --muted: #64748b; --ref: #cbd5e1; --cur: #2563eb; --bad: #b91c1c; --bad-bg: #fee2e2; --good: #15803d; --good-bg: #dcfce7; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: var(--text); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-variant-numeric: tabular-nums; }
main { max-width: 1040px; margin: 0 auto; padding: 1.5rem; }
header { margin-bottom: 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
h3 { font-size: 1rem; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.meta, .muted, small { color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 0.75rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem 0.8rem; }
.card .label { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.card .value { font-size: 1.5rem; font-weight: 650; white-space: nowrap; }
.card .note { font-size: 0.8rem; color: var(--muted); }
.card.bad { border-color: #fca5a5; background: #fef2f2; }
.card.good { border-color: #86efac; background: #f0fdf4; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { white-space: nowrap; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); background: #f8fafc; }
.num { text-align: right; }
td.name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.84rem; overflow-wrap: break-word; }
td.nowrap { white-space: nowrap; }
tr.drifted td { background: #fff7f7; }
a { color: #1d4ed8; text-decoration: none; }
.badge { display: inline-block; border-radius: 999px; padding: 0 0.55rem; font-size: 0.75rem; font-weight: 600; white-space: nowrap; }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.good { color: var(--good); background: var(--good-bg); }
.feature { border-top: 1px solid var(--line); padding: 1rem 0 0.5rem; }
.feature:first-of-type { border-top: 0; padding-top: 0; }
.feature-head { display: flex; gap: 0.75rem; align-items: baseline; flex-wrap: wrap; }
.feature-body { display: grid; grid-template-columns: minmax(0, 640px) minmax(200px, 1fr); gap: 1rem; align-items: start; margin-top: 0.5rem; }
.feature-body svg { max-width: 100%; height: auto; }
.feature-body p.muted { margin: 0 0 0.25rem; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; }
dl.stats { display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.75rem; margin: 0; font-size: 0.85rem; }
dl.stats dt { color: var(--muted); }
dl.stats dd { margin: 0; text-align: right; overflow-wrap: anywhere; }
svg.histogram { font-size: 11px; }
svg.histogram .grid { stroke: #eef1f5; }
svg.histogram .axis { stroke: #94a3b8; }
svg.histogram .tick { fill: var(--muted); }
svg.histogram .axis-label { fill: #334155; font-weight: 600; }
svg.histogram .legend text { fill: #334155; }
svg.histogram .ref { fill: var(--ref); }
svg.histogram .cur { fill: var(--cur); }
svg.histogram.drifted .cur { fill: #dc2626; }
.empty { color: var(--muted); font-style: italic; margin: 0.25rem 0; }
footer { color: var(--muted); font-size: 0.8rem; text-align: center; margin-top: 1.5rem; }
@media (max-width: 860px) { .feature-body { grid-template-columns: 1fr; } }
@media print { body { background: #fff; } section { border: 0; padding: 0; } .feature { break-inside: avoid; } }
`;
