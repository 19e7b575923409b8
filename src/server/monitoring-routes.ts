import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TandemError } from '../errors.js';
import { rollbackChampion } from '../registry/rollback.js';
import type { OnlineRuntime } from './online-runtime.js';

type ModelRequest = FastifyRequest<{ Params: { model: string } }>;
type JobRequest = FastifyRequest<{ Params: { name: string }; Querystring: { limit?: string } }>;

function limitOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const limit = Number(text);
  if (!(Number.isInteger(limit) && limit > 0 && limit <= 10_000)) throw new TandemError('TANDEM_BAD_REQUEST', `limit must be a whole number in 1..10000, got '${text}'`);
  return limit;
}

/**
 * Monitoring and the closed loop over HTTP: the dashboard's snapshot, drift on demand, the
 * audit log, jobs (list, history, run now) and rollback.
 */
export function monitoringRoutes(runtime: OnlineRuntime) {
  const monitorOf = () => {
    if (runtime.monitor === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', 'monitoring needs served models; the project defines none');
    return runtime.monitor;
  };
  const modelOf = (model: string): string => {
    if (!runtime.project.models.has(model)) throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}' (known: ${[...runtime.project.models.keys()].join(', ') || 'none'})`);
    return model;
  };
  const schedulerOf = () => {
    if (runtime.scheduler === undefined) throw new TandemError('TANDEM_UNKNOWN_JOB', 'this server runs no jobs (it serves no registry)');
    return runtime.scheduler;
  };
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/v1/monitoring', async () => monitorOf().snapshot());

    app.post('/v1/monitoring/:model/evaluate', async (request: ModelRequest) => {
      const drift = await monitorOf().evaluate(modelOf(request.params.model));
      return { model: request.params.model, drift };
    });

    // Training/serving skew: recent predictions' features recomputed by backfill.
    app.post('/v1/monitoring/:model/skew', async (request: FastifyRequest<{ Params: { model: string }; Querystring: { sample?: string } }>) =>
      runtime.skew(modelOf(request.params.model), limitOf(request.query.sample, 200)),
    );

    app.get('/v1/audit', async (request: FastifyRequest<{ Querystring: { model?: string; limit?: string } }>) => {
      const registry = runtime.registry;
      if (registry === undefined) return { entries: [] };
      return { entries: await registry.audit(request.query.model, { limit: limitOf(request.query.limit, 100) }) };
    });

    app.get('/v1/jobs', async () => ({ jobs: runtime.scheduler === undefined ? [] : await runtime.scheduler.jobs() }));

    app.get('/v1/jobs/:name/runs', async (request: JobRequest) => ({ runs: await schedulerOf().history(request.params.name, { limit: limitOf(request.query.limit, 20) }) }));

    // Starts the job and answers at once (202) with the run; its outcome is in the run history.
    app.post('/v1/jobs/:name/run', async (request: JobRequest, reply) => {
      const result = await schedulerOf().trigger(request.params.name, { trigger: 'manual', reason: 'HTTP' });
      if (result.status === 'already-running') return reply.status(409).send({ status: result.status, run: result.run });
      return reply.status(202).send({ status: result.status, run: result.run });
    });

    app.post('/v1/models/:model/rollback', async (request: ModelRequest) => {
      const registry = runtime.registry;
      if (registry === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', 'this server serves no registry to roll back');
      const rollback = await rollbackChampion(registry, modelOf(request.params.model), 'HTTP');
      await runtime.reloadModels();
      return rollback;
    });
  };
}
