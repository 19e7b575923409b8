import { describe, expect, it } from 'vitest';
import { count, defineProject, entity, featureView, model, source, StreamEngine } from '../../src/index.js';
import { PredictionLog } from '../../src/serving/prediction-log.js';
import { applyFeedback } from '../../src/serving/feedback.js';
import { Predictor } from '../../src/serving/predictor.js';

const trips = source('trips', { timestamp: 'ts', schema: { ts: 'timestamp', driver: 'string', minutes: 'number' } });
const drivers = featureView('drivers', trips, { entity: entity('driver', { key: 'driver' }), features: { trips_1d: count({ window: '1d' }) } });
const project = defineProject({ views: [drivers], models: [model('eta', { features: ['trips_1d'], label: 'minutes', algorithm: 'linear-regression', split: { testShare: 0.25 } })] });

describe('feedback on a regression model', () => {
  it('moves the rolling MAE and RMSE gauges of the served predictions', async () => {
    expect(project.models.get('eta')!.task).toBe('regression');
    const engine = new StreamEngine(project);
    const scorer = { features: [{ ref: 'trips_1d', name: 'trips_1d' }], score: () => 10 };
    const log = new PredictionLog();
    const predictor = new Predictor(project, engine, new Map([['eta', { champion: { version: 1, scorer } }]]), { log });
    for (const [id, target] of [['a', 13], ['b', 6]] as const) {
      await predictor.predict('eta', { driver: 'd1', id, at: 0 });
      applyFeedback(predictor, log, 'eta', { id, label: target });
    }
    const metrics = predictor.metrics.render();
    expect(metrics).toContain('tandem_feedback_window_size{model="eta"} 2');
    expect(metrics).toContain('tandem_feedback_mae{model="eta"} 3.5');
    expect(metrics).toContain(`tandem_feedback_rmse{model="eta"} ${Math.sqrt((9 + 16) / 2)}`);
    expect(metrics).not.toContain('tandem_feedback_log_loss{model="eta"}');
  });
});
