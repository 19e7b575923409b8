/* global document, window, fetch, console, ResizeObserver, uPlot */
// The live monitoring page: polls dashboard/snapshot.json and redraws. Plain ES2020 with no
// build step; every string from the snapshot goes through esc() (names are user data).
(() => {
  'use strict';

  const REFRESH_MS = Number(document.body.dataset.refreshMs) || 2000;
  const COLORS = { blue: '#2563eb', orange: '#ea580c', green: '#16a34a', purple: '#9333ea', teal: '#0891b2', red: '#dc2626', grey: '#64748b' };

  // ---------- formatting ----------

  const esc = (value) =>
    String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  const formatters = new Map();
  const num = (value, digits = 2) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return '—';
    const key = digits;
    if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));
    return formatters.get(key).format(value);
  };
  // Fewer decimals as numbers grow: 1,234 · 12.3 · 0.0123.
  const auto = (value) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return '—';
    const abs = Math.abs(value);
    return num(value, abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
  };
  const percent = (ratio, digits = 1) => (ratio === null || ratio === undefined ? '—' : `${num(ratio * 100, digits)}%`);
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (ms) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  };
  const dateTime = (ms) => {
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(ms)}`;
  };
  const duration = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) return `${d} d ${h} h`;
    if (h > 0) return `${h} h ${m} min`;
    if (m > 0) return `${m} min ${s % 60} s`;
    return `${s} s`;
  };
  const ago = (ms, now) => `${duration((now - ms) / 1000)} ago`;

  const last = (values) => {
    if (!Array.isArray(values)) return null;
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && Number.isFinite(values[i])) return values[i];
    return null;
  };
  const mean = (values) => {
    const present = (values || []).filter((v) => v !== null && Number.isFinite(v));
    return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
  };
  const hasData = (values) => Array.isArray(values) && values.some((v) => v !== null && Number.isFinite(v));

  const badge = (text, tone, testid) => `<span class="badge ${tone}"${testid ? ` data-testid="${testid}"` : ''}>${esc(text)}</span>`;
  const empty = (text) => `<p class="empty">${esc(text)}</p>`;

  // ---------- charts ----------

  const charts = new Map();

  /**
   * One uPlot chart inside a <figure>: `lines` are { key, label, color, scale?, map? } read from a
   * series object; shows `emptyText` instead of an empty plot.
   */
  function drawChart(id, figure, seriesObject, lines, { emptyText, axes = {} }) {
    const time = (seriesObject && seriesObject.time) || [];
    const present = lines.filter((line) => hasData(seriesObject && seriesObject[line.key]));
    const plot = figure.querySelector('.plot');
    let note = figure.querySelector('.empty');
    if (time.length === 0 || present.length === 0) {
      destroyChart(id);
      plot.hidden = true;
      if (!note) figure.insertAdjacentHTML('beforeend', empty(emptyText));
      note = figure.querySelector('.empty');
      note.textContent = emptyText;
      figure.dataset.empty = 'true';
      return;
    }
    plot.hidden = false;
    if (note) note.remove();
    delete figure.dataset.empty;
    const data = [time.slice(), ...present.map((line) => seriesObject[line.key].map((v) => (v === null || !line.map ? v : line.map(v))))];
    const signature = present.map((line) => line.key).join(',');
    const existing = charts.get(id);
    if (existing && existing.signature === signature) {
      existing.chart.setData(data);
      return;
    }
    destroyChart(id);
    const scales = [...new Set(present.map((line) => line.scale || 'y'))];
    const options = {
      width: Math.max(200, plot.clientWidth),
      height: 170,
      // Room on the right for the last time label when there is no right-hand axis.
      padding: [null, scales.length > 1 ? null : 32, null, null],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true }, ...Object.fromEntries(scales.map((s) => [s, axes[s] && axes[s].range ? { range: axes[s].range } : {}])) },
      series: [
        // Away from the cursor, the legend shows the latest values.
        { label: 'time', value: (_u, v, _s, idx) => (idx === null ? 'latest' : v === null ? '—' : clock(v * 1000)) },
        ...present.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 1.75,
          scale: line.scale || 'y',
          spanGaps: true,
          fill: line.fill ? `${line.color}1f` : undefined,
          points: { show: false },
          value: (u, v, s, idx) => {
            const shown = idx === null ? last(u.data[s]) : v;
            return shown === null ? '—' : `${auto(shown)}${line.unit || ''}`;
          },
        })),
      ],
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e2e8f0' } },
        ...scales.map((scale, i) => ({
          scale,
          side: i === 0 ? 3 : 1,
          size: 52,
          stroke: '#64748b',
          grid: { show: i === 0, stroke: '#eef1f5' },
          ticks: { stroke: '#e2e8f0' },
          values: (_u, ticks) => ticks.map((t) => `${auto(t)}${(axes[scale] && axes[scale].unit) || ''}`),
        })),
      ],
    };
    const chart = new uPlot(options, data, plot);
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, plot.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height: 170 });
    });
    observer.observe(plot);
    charts.set(id, { chart, observer, signature });
  }

  function destroyChart(id) {
    const existing = charts.get(id);
    if (!existing) return;
    existing.observer.disconnect();
    existing.chart.destroy();
    charts.delete(id);
  }

  // ---------- tiles ----------

  function renderTiles(snapshot) {
    const s = snapshot.series || {};
    const hourAgo = snapshot.generatedAt - 3600 * 1000;
    const recent = snapshot.alerts.filter((a) => a.at >= hourAgo);
    const newest = snapshot.alerts.reduce((a, b) => (a === null || b.at > a.at ? b : a), null);
    const fallback = last(s.fallbackRate);
    const tiles = [
      { id: 'requests', label: 'Requests/s', value: auto(last(s.requestsPerSecond)), sub: `mean ${auto(mean(s.requestsPerSecond))} over the window` },
      { id: 'latency', label: 'Latency p99', value: auto(last(s.latencyP99Ms)), unit: 'ms', sub: `p50 ${auto(last(s.latencyP50Ms))} ms` },
      { id: 'fallback', label: 'Fallback rate', value: percent(fallback, 2), sub: 'of predictions', tone: fallback !== null && fallback >= 0.01 ? 'warn' : '' },
      { id: 'events', label: 'Events/s', value: auto(last(s.eventsPerSecond)), sub: `features ${auto(last(s.freshnessSeconds))} s behind` },
      { id: 'uptime', label: 'Uptime', value: duration(snapshot.uptimeSeconds), sub: `since ${dateTime(snapshot.generatedAt - snapshot.uptimeSeconds * 1000)}` },
      {
        id: 'alerts',
        label: 'Alerts, last hour',
        value: String(recent.length),
        sub: newest ? `latest: ${newest.alert} (${newest.model}), ${ago(newest.at, snapshot.generatedAt)}` : 'none yet',
        tone: recent.length > 0 ? 'alert' : 'ok',
      },
    ];
    document.querySelector('[data-testid="tiles"]').innerHTML = tiles
      .map(
        (t) => `<div class="tile ${t.tone || ''}" data-testid="tile-${t.id}">
          <div class="label">${esc(t.label)}</div>
          <div class="value">${esc(t.value)}${t.unit ? `<small> ${esc(t.unit)}</small>` : ''}</div>
          <div class="sub">${esc(t.sub)}</div>
        </div>`,
      )
      .join('');
  }

  function renderService(snapshot) {
    const s = snapshot.series || {};
    const figure = (name) => document.querySelector(`[data-testid="chart-${name}"]`);
    const none = 'no samples yet';
    drawChart('throughput', figure('throughput'), s, [
      { key: 'requestsPerSecond', label: 'requests/s', color: COLORS.blue, fill: true },
      { key: 'eventsPerSecond', label: 'events/s', color: COLORS.teal, scale: 'events' },
    ], { emptyText: none });
    drawChart('latency', figure('latency'), s, [
      { key: 'latencyP50Ms', label: 'p50', color: COLORS.green, unit: ' ms' },
      { key: 'latencyP99Ms', label: 'p99', color: COLORS.orange, unit: ' ms' },
    ], { emptyText: none, axes: { y: { unit: ' ms' } } });
    drawChart('fallback', figure('fallback'), s, [
      { key: 'fallbackRate', label: 'fallback', color: COLORS.red, unit: '%', fill: true, map: (v) => v * 100 },
    ], { emptyText: 'no predictions yet', axes: { y: { unit: '%', range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } } });
    drawChart('resources', figure('resources'), s, [
      { key: 'cpuPercent', label: 'CPU', color: COLORS.purple, unit: '%' },
      { key: 'rssMb', label: 'RSS', color: COLORS.grey, unit: ' MB', scale: 'mb' },
    ], { emptyText: none, axes: { y: { unit: '%', range: (_u, _min, max) => [0, Math.max(100, max)] }, mb: { unit: ' MB' } } });
    drawChart('loop-lag', figure('loop-lag'), s, [
      { key: 'eventLoopLagP99Ms', label: 'lag p99', color: COLORS.orange, unit: ' ms', fill: true },
    ], { emptyText: none, axes: { y: { unit: ' ms', range: (_u, _min, max) => [0, max * 1.15] } } });
    drawChart('freshness', figure('freshness'), s, [
      { key: 'freshnessSeconds', label: 'behind', color: COLORS.teal, unit: ' s', fill: true },
    ], { emptyText: 'no features served yet', axes: { y: { unit: ' s', range: (_u, _min, max) => [0, max * 1.15] } } });
  }

  // ---------- models ----------

  function miniHistogram(column) {
    const ref = column.reference.counts || [];
    const cur = column.current.counts || [];
    const bins = Math.max(ref.length, cur.length);
    if (bins === 0) return '';
    const refTotal = ref.reduce((a, b) => a + b, 0) || 1;
    const curTotal = cur.reduce((a, b) => a + b, 0) || 1;
    const shares = Array.from({ length: bins }, (_, i) => [(ref[i] || 0) / refTotal, (cur[i] || 0) / curTotal]);
    const top = Math.max(...shares.flat(), 1e-9);
    const width = 168;
    const height = 36;
    const step = width / bins;
    const label = (i) => {
      const { edges, labels } = column.reference;
      if (labels && labels[i] !== undefined) return labels[i];
      if (edges && edges[i + 1] !== undefined) return `${auto(edges[i])} – ${auto(edges[i + 1])}`;
      return `bin ${i + 1}`;
    };
    const bars = shares
      .map(([r, c], i) => {
        const x = i * step;
        const rh = (r / top) * (height - 2);
        const ch = (c / top) * (height - 2);
        return `<g><title>${esc(label(i))}: reference ${percent(r)}, current ${percent(c)}</title>` +
          `<rect class="ref" x="${(x + 0.5).toFixed(1)}" y="${(height - rh).toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${rh.toFixed(1)}"/>` +
          `<rect class="cur" x="${(x + step * 0.3).toFixed(1)}" y="${(height - ch).toFixed(1)}" width="${Math.max(1, step * 0.4).toFixed(1)}" height="${ch.toFixed(1)}"/></g>`;
      })
      .join('');
    return `<svg class="hist${column.drifted ? ' drifted' : ''}" data-testid="histogram" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="reference and current distribution">${bars}</svg>`;
  }

  function modelSection(name) {
    const container = document.getElementById('models');
    const existing = [...container.children].find((el) => el.dataset.model === name);
    if (existing) return existing;
    const section = document.createElement('section');
    section.className = 'panel model';
    section.dataset.testid = 'model';
    section.dataset.model = name;
    section.innerHTML = `
      <header class="model-head"><h2 data-part="title"></h2><div class="roles" data-testid="serving-roles"></div></header>
      <div class="model-grid">
        <div><h3>Versions</h3><div data-part="versions"></div></div>
        <div><h3>Concept-drift detectors <small>on the loss stream</small></h3><div data-part="detectors"></div></div>
      </div>
      <h3>Input drift</h3>
      <div data-part="drift-summary"></div>
      <div data-part="drift-table"></div>
      <div class="charts two">
        <figure class="chart" data-testid="chart-drift-share"><figcaption>Drift over time</figcaption><div class="plot"></div></figure>
        <figure class="chart" data-testid="chart-performance"><figcaption>Performance over time <small>labelled predictions</small></figcaption><div class="plot"></div></figure>
      </div>`;
    container.appendChild(section);
    return section;
  }

  function renderVersions(model) {
    if (model.versions.length === 0) return empty('no registered versions');
    const metricNames = [...new Set(model.versions.flatMap((v) => Object.keys(v.metrics || {})))];
    const roles = (version) =>
      ['champion', 'canary', 'shadow'].filter((role) => model.serving[role] === version).map((role) => badge(role, role === 'champion' ? 'good' : 'info')).join(' ');
    const rows = model.versions
      .slice()
      .reverse()
      .map((v) => {
        const champion = model.serving.champion === v.version;
        return `<tr class="${champion ? 'champion' : ''}" data-testid="version-row" data-version="${esc(v.version)}">
          <td class="num">${champion ? '<span class="star" title="champion">★</span> ' : ''}v${esc(v.version)}</td>
          <td>${esc(v.createdAt.slice(0, 16).replace('T', ' '))}</td>
          <td>${v.aliases.map((a) => `<span class="chip">${esc(a)}</span>`).join(' ') || '<span class="muted">—</span>'}</td>
          ${metricNames.map((m) => `<td class="num">${esc(auto(v.metrics[m] === undefined ? null : v.metrics[m]))}</td>`).join('')}
          <td>${roles(v.version)}</td>
        </tr>`;
      })
      .join('');
    return `<table data-testid="versions-table"><thead><tr><th>Version</th><th>Created (UTC)</th><th>Aliases</th>${metricNames
      .map((m) => `<th class="num">${esc(m)}</th>`)
      .join('')}<th>Serving</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  function renderRoles(model) {
    return ['champion', 'canary', 'shadow']
      .map((role) => {
        const version = model.serving[role];
        return `<span class="role ${version === null ? 'off' : role}" data-role="${role}">${esc(role)} <b>${version === null ? '—' : `v${esc(version)}`}</b></span>`;
      })
      .join('');
  }

  function renderDetectors(model) {
    if (model.detectors.length === 0) return empty('no detectors configured');
    const tone = { stable: 'good', warning: 'warn', drift: 'bad' };
    return `<table data-testid="detectors-table"><thead><tr><th>Detector</th><th>State</th><th class="num">Changes</th></tr></thead><tbody>${model.detectors
      .map((d) => `<tr><td>${esc(d.name)}</td><td>${badge(d.state, tone[d.state] || 'info', 'detector-state')}</td><td class="num">${esc(d.changes)}</td></tr>`)
      .join('')}</tbody></table>`;
  }

  function renderDriftSummary(drift, now) {
    if (!drift) return empty('no drift evaluation yet: it runs once the live window has filled');
    const drifted = drift.columns.filter((c) => c.drifted).length;
    return `<p class="summary" data-testid="drift-summary">
      Dataset ${drift.drifted ? badge('drifted', 'bad') : badge('no drift', 'good')}
      <span><b>${drifted}</b> of ${drift.columns.length} columns drifted · share of input features ${percent(drift.driftShare, 0)} (alert at ${percent(drift.shareThreshold, 0)})</span>
      <span class="muted">window of ${num(drift.windowSize, 0)} rows · evaluated ${esc(clock(drift.at))}, ${esc(ago(drift.at, now))}</span></p>`;
  }

  function renderDriftTable(drift) {
    if (!drift) return '';
    if (drift.columns.length === 0) return empty('no columns evaluated');
    // Drifted columns first, so the ones to look at are at the top.
    const columns = drift.columns.map((c, i) => [c, i]).sort((a, b) => Number(b[0].drifted) - Number(a[0].drifted) || a[1] - b[1]).map(([c]) => c);
    const rows = columns
      .map(
        (c) => `<tr class="${c.drifted ? 'drifted' : ''}" data-testid="drift-row" data-column="${esc(c.column)}">
          <td class="name">${esc(c.column)}</td>
          <td class="muted">${esc(c.kind)}</td>
          <td>${esc(c.method)}</td>
          <td class="num">${esc(auto(c.statistic))}</td>
          <td class="num">${c.pValue === null ? '<span class="muted">—</span>' : esc(c.pValue < 0.001 ? '< 0.001' : auto(c.pValue))}</td>
          <td class="num">${c.pValue === null ? '≥ ' : 'p < '}${esc(auto(c.threshold))}</td>
          <td>${c.drifted ? badge('drifted', 'bad', 'drift-badge') : badge('ok', 'good')}</td>
          <td class="hist-cell">${miniHistogram(c)}</td>
          <td class="num muted">${num(c.referenceCount, 0)} / ${num(c.currentCount, 0)}</td>
        </tr>`,
      )
      .join('');
    return `<table class="drift" data-testid="drift-table"><thead><tr><th>Column</th><th>Kind</th><th>Method</th><th class="num">Statistic</th><th class="num">p-value</th><th class="num">Drift when</th><th>Status</th>
      <th><span class="key ref"></span>reference <span class="key cur"></span>current</th><th class="num">Rows ref / cur</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  function renderModel(model, now) {
    const section = modelSection(model.model);
    const part = (name) => section.querySelector(`[data-part="${name}"]`);
    part('title').innerHTML = `${esc(model.model)} <small>${esc(model.task)}</small>`;
    section.querySelector('[data-testid="serving-roles"]').innerHTML = renderRoles(model);
    part('versions').innerHTML = renderVersions(model);
    part('detectors').innerHTML = renderDetectors(model);
    part('drift-summary').innerHTML = renderDriftSummary(model.drift, now);
    part('drift-table').innerHTML = renderDriftTable(model.drift);
    const key = `model:${model.model}`;
    drawChart(`${key}:drift`, section.querySelector('[data-testid="chart-drift-share"]'), model.driftHistory, [
      { key: 'driftShare', label: 'drift share', color: COLORS.orange, unit: '%', fill: true, map: (v) => v * 100 },
      { key: 'predictionDrift', label: 'prediction drift', color: COLORS.purple, scale: 'statistic' },
    ], { emptyText: 'no drift evaluations yet', axes: { y: { unit: '%', range: [0, 100] } } });
    const perf = model.performance || {};
    const bounded = ['rocAuc', 'accuracy'].filter((k) => k in perf);
    const lines = [
      { key: 'rocAuc', label: 'ROC AUC', color: COLORS.blue },
      { key: 'accuracy', label: 'accuracy', color: COLORS.green },
      { key: 'logLoss', label: 'log loss', color: COLORS.red, scale: bounded.length > 0 ? 'loss' : 'y' },
      { key: 'calibrationError', label: 'calibration error (ECE)', color: COLORS.purple, scale: bounded.length > 0 ? 'loss' : 'y' },
      { key: 'mae', label: 'MAE', color: COLORS.blue },
      { key: 'rmse', label: 'RMSE', color: COLORS.orange },
    ];
    drawChart(`${key}:performance`, section.querySelector('[data-testid="chart-performance"]'), perf, lines, { emptyText: 'no labelled predictions yet' });
  }

  function renderModels(snapshot) {
    const container = document.getElementById('models');
    const names = new Set(snapshot.models.map((m) => m.model));
    for (const el of [...container.children]) {
      if (!names.has(el.dataset.model)) {
        for (const id of [...charts.keys()]) if (id.startsWith(`model:${el.dataset.model}:`)) destroyChart(id);
        el.remove();
      }
    }
    if (snapshot.models.length === 0) {
      container.innerHTML = `<section class="panel">${empty('no models are served yet')}</section>`;
      return;
    }
    for (const el of [...container.children]) if (!el.dataset.model) el.remove();
    for (const model of snapshot.models) {
      renderModel(model, snapshot.generatedAt);
      container.appendChild(modelSection(model.model)); // keeps the snapshot's order
    }
  }

  // ---------- alerts ----------

  function renderAlerts(snapshot) {
    const target = document.querySelector('[data-testid="alerts"]');
    if (snapshot.alerts.length === 0) {
      target.innerHTML = empty('no alerts yet');
      return;
    }
    const tone = { 'data-drift': 'warn', 'prediction-drift': 'warn', 'concept-drift': 'bad', performance: 'bad', 'fallback-rate': 'warn', freshness: 'warn', skew: 'warn' };
    const alerts = snapshot.alerts.slice().sort((a, b) => b.at - a.at);
    target.innerHTML = `<table data-testid="alerts-table"><thead><tr><th>Time</th><th>Model</th><th>Alert</th><th>Kind</th><th>Message</th><th>Action</th><th>Outcome</th></tr></thead><tbody>${alerts
      .map(
        (a) => `<tr data-testid="alert-row">
          <td class="nowrap" title="${esc(dateTime(a.at))}">${esc(clock(a.at))}<br><small class="muted">${esc(ago(a.at, snapshot.generatedAt))}</small></td>
          <td>${esc(a.model)}</td>
          <td class="name nowrap">${esc(a.alert)}</td>
          <td>${badge(a.kind, tone[a.kind] || 'info')}</td>
          <td class="message">${esc(a.message)}</td>
          <td>${a.action === 'none' ? '<span class="muted">none</span>' : badge(a.action, 'info')}</td>
          <td>${esc(a.outcome)}</td>
        </tr>`,
      )
      .join('')}</tbody></table>`;
  }

  // ---------- polling ----------

  const status = document.querySelector('[data-testid="status"]');
  let renders = 0;

  function render(snapshot) {
    renderTiles(snapshot);
    renderService(snapshot);
    renderModels(snapshot);
    renderAlerts(snapshot);
    renders++;
    document.body.dataset.renders = String(renders);
    document.body.dataset.generatedAt = String(snapshot.generatedAt);
    document.body.dataset.rendered = 'true';
  }

  async function poll() {
    let snapshot;
    try {
      const response = await fetch('dashboard/snapshot.json', { cache: 'no-store', headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      snapshot = await response.json();
    } catch (error) {
      // The server restarting or unreachable: say so, keep the last picture, retry.
      status.dataset.state = 'stale';
      status.textContent = `stale · the last refresh failed (${error && error.message ? error.message : error}); retrying`;
    }
    if (snapshot !== undefined) {
      try {
        render(snapshot);
        status.dataset.state = 'live';
        status.textContent = `live · snapshot of ${clock(snapshot.generatedAt)} · refreshes every ${num(REFRESH_MS / 1000, 1)} s`;
      } catch (error) {
        status.dataset.state = 'error';
        status.textContent = `the snapshot could not be shown: ${error && error.message ? error.message : error}`;
        console.error('dashboard render failed', error);
      }
    }
    window.setTimeout(poll, REFRESH_MS);
  }

  poll();
})();
