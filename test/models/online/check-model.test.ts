import { describe, expect, it } from 'vitest';
import { TandemError } from '../../../src/errors.js';
import { artifact, type ModelArtifact } from '../../../src/models/artifact.js';
import { dataset, type Dataset } from '../../../src/models/dataset.js';
import type { BatchModel, FitReport, OnlineModel, Row } from '../../../src/models/model.js';
import { batchModelChecks, checkBatchModel, checkOnlineModel, onlineModelChecks, type Check } from '../check-model.js';

/** The smallest honest batch model: predicts the training label's mean for every row. */
class ConstantMean implements BatchModel {
  readonly kind: string = 'constant-mean';
  readonly task = 'regression' as const;
  mean: number | undefined;

  constructor(mean?: number) {
    this.mean = mean;
  }

  fit(data: Dataset): FitReport {
    const label = data.label as Float64Array;
    this.mean = label.reduce((sum, y) => sum + y, 0) / label.length;
    return { iterations: 1 };
  }

  predictOne(_x: Row): number {
    if (this.mean === undefined) throw new TandemError('TANDEM_NOT_FITTED', 'constant-mean is not fitted');
    return this.mean;
  }

  predict(data: Dataset): Float64Array {
    return new Float64Array(data.rows).fill(this.predictOne({}));
  }

  toArtifact(): ModelArtifact {
    return artifact(this.kind, {}, [], { mean: this.predictOne({}) });
  }
}

const loadMean = (model: ModelArtifact): BatchModel => new ConstantMean((model.state as { mean: number }).mean);

const data = dataset({
  featureNames: ['a', 'b'],
  columns: [Float64Array.of(1, 2, Number.NaN, 4), Float64Array.of(0.5, 0.25, 0.125, 1)],
  label: Float64Array.of(1, 0, 1, 1),
});

/** The smallest honest online model: a running mean of the labels. */
class RunningMean implements OnlineModel {
  readonly kind = 'running-mean';
  readonly task = 'regression' as const;
  count = 0;
  mean = 0;

  learnOne(_x: Row, y: number): void {
    this.count++;
    this.mean += (y - this.mean) / this.count;
  }

  learnMany(xs: readonly Row[], ys: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i] as Row, ys[i] as number);
  }

  predictOne(_x: Row): number {
    return this.mean;
  }

  toArtifact(): ModelArtifact {
    return artifact(this.kind, {}, [], { count: this.count, mean: this.mean });
  }
}

const loadRunning = (model: ModelArtifact): OnlineModel => {
  const state = model.state as { count: number; mean: number };
  return Object.assign(new RunningMean(), state);
};

function named(checks: readonly Check[], name: string): Check {
  const check = checks.find((c) => c.name.includes(name));
  if (check === undefined) throw new Error(`no check named '${name}'`);
  return check;
}

checkBatchModel('constant mean', () => new ConstantMean(), data, { fromArtifact: loadMean });
checkOnlineModel('running mean', () => new RunningMean(), { fromArtifact: loadRunning, learnsEmergingFeatures: false });

describe('the batch model contract suite', () => {
  it('fails a model whose fit is not deterministic', () => {
    class Noisy extends ConstantMean {
      override fit(d: Dataset): FitReport {
        const report = super.fit(d);
        this.mean = (this.mean as number) + Math.random();
        return report;
      }
    }
    expect(() => named(batchModelChecks(() => new Noisy(), data, { fromArtifact: loadMean }), 'deterministically').run()).toThrow();
  });

  it('fails a model that predicts before it is fitted', () => {
    class Eager extends ConstantMean {
      override predictOne(): number {
        return this.mean ?? 0;
      }
    }
    expect(() => named(batchModelChecks(() => new Eager(), data, { fromArtifact: loadMean }), 'TANDEM_NOT_FITTED').run()).toThrow();
  });

  it('fails a model whose predictOne and predict disagree in the last bit', () => {
    class Drifting extends ConstantMean {
      override predict(d: Dataset): Float64Array {
        return super.predict(d).map((p) => p + 1e-16);
      }
    }
    const checks = batchModelChecks(() => new Drifting(), data, { fromArtifact: loadMean });
    expect(() => named(checks, 'predictOne exactly as predict').run()).toThrow(/row 0/);
  });

  it('fails a model whose loader loses state', () => {
    const lossy = (): BatchModel => new ConstantMean(0.5);
    expect(() => named(batchModelChecks(() => new ConstantMean(), data, { fromArtifact: lossy }), 'loads back').run()).toThrow();
  });

  it('fails a model that keeps state from an earlier fit', () => {
    class Sticky extends ConstantMean {
      fits = 0;
      override fit(d: Dataset): FitReport {
        this.fits++;
        const report = super.fit(d);
        this.mean = (this.mean as number) + this.fits;
        return report;
      }
    }
    expect(() => named(batchModelChecks(() => new Sticky(), data, { fromArtifact: loadMean }), 'replaces').run()).toThrow();
  });
});

describe('the online model contract suite', () => {
  it('fails a model whose artifact leaves out part of its state', () => {
    class Forgetful extends RunningMean {
      override toArtifact(): ModelArtifact {
        return artifact(this.kind, {}, [], { count: 0, mean: this.mean });
      }
    }
    const load = (model: ModelArtifact): OnlineModel => Object.assign(new Forgetful(), model.state as object);
    const checks = onlineModelChecks(() => new Forgetful(), { fromArtifact: load });
    expect(() => named(checks, 'continues learning').run()).toThrow();
  });

  it('fails a model whose learnMany is not learnOne in a loop', () => {
    class Lazy extends RunningMean {
      override learnMany(xs: readonly Row[], ys: ArrayLike<number>): void {
        super.learnMany(xs.slice(1), Array.from(ys).slice(1));
      }
    }
    const checks = onlineModelChecks(() => new Lazy(), { fromArtifact: loadRunning });
    expect(() => named(checks, 'learnMany').run()).toThrow();
  });

  it('fails a model that ignores features first seen mid-stream', () => {
    const checks = onlineModelChecks(() => new RunningMean(), { fromArtifact: loadRunning });
    expect(() => named(checks, 'first seen mid-stream').run()).toThrow();
  });

  it('fails a model that answers NaN for a row with nothing it knows', () => {
    class Fragile extends RunningMean {
      override predictOne(x: Row): number {
        return typeof x['a'] === 'number' && Number.isFinite(x['a']) ? this.mean : Number.NaN;
      }
    }
    const checks = onlineModelChecks(() => new Fragile(), { fromArtifact: loadRunning });
    expect(() => named(checks, 'copes with missing').run()).toThrow(/predictOne/);
  });
});
