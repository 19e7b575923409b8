/**
 * A small Prometheus text exposition (format 0.0.4): counters, gauges and histograms with
 * labels. Hot paths hold a series (`counter.series(['fraud'])`) and add to it directly.
 */
type Labels = readonly string[];

interface Metric {
  render(out: string[]): void;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: Labels, values: Labels, extra = ''): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== '') parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function number(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
}

export class CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

abstract class Family<S> implements Metric {
  readonly #series = new Map<string, { readonly labels: Labels; readonly series: S }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: Labels,
  ) {}

  /** The series for these label values (created on first use; keep it on hot paths). */
  series(labels: Labels = []): S {
    const key = labels.join('\u0000');
    let found = this.#series.get(key);
    if (found === undefined) this.#series.set(key, (found = { labels: [...labels], series: this.create() }));
    return found.series;
  }

  /** Every series with its label values, for readers other than the scrape (the dashboard). */
  entries(): Iterable<{ readonly labels: Labels; readonly series: S }> {
    return this.#series.values();
  }

  protected abstract create(): S;
  protected abstract renderSeries(out: string[], labels: Labels, series: S): void;
  protected abstract readonly type: string;

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`);
    for (const { labels, series } of this.#series.values()) this.renderSeries(out, labels, series);
  }
}

export class Counter extends Family<CounterSeries> {
  protected readonly type = 'counter';
  protected create(): CounterSeries {
    return new CounterSeries();
  }
  protected renderSeries(out: string[], labels: Labels, series: CounterSeries): void {
    out.push(`${this.name}${labelText(this.labelNames, labels)} ${number(series.value)}`);
  }
}

export class Histogram extends Family<HistogramSeries> {
  protected readonly type = 'histogram';
  constructor(
    name: string,
    help: string,
    labelNames: Labels,
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  protected create(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }
  protected renderSeries(out: string[], labels: Labels, series: HistogramSeries): void {
    this.bounds.forEach((bound, i) => out.push(`${this.name}_bucket${labelText(this.labelNames, labels, `le="${number(bound)}"`)} ${series.counts[i]}`));
    out.push(`${this.name}_bucket${labelText(this.labelNames, labels, 'le="+Inf"')} ${series.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${number(series.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, labels)} ${series.count}`);
  }
}

/** A gauge read when scraped. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: Labels,
    readonly collect: () => Iterable<readonly [Labels, number]>,
  ) {}

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`);
    for (const [labels, value] of this.collect()) out.push(`${this.name}${labelText(this.labelNames, labels)} ${number(value)}`);
  }
}

export class MetricsRegistry {
  readonly #metrics: Metric[] = [];

  add<M extends Metric>(metric: M): M {
    this.#metrics.push(metric);
    return metric;
  }

  /** The exposition text, served with `CONTENT_TYPE`. */
  render(): string {
    const out: string[] = [];
    for (const metric of this.#metrics) metric.render(out);
    return `${out.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latency buckets in seconds, 50 µs to 2.5 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
