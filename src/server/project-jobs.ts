import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TandemError } from '../errors.js';
import { backfillParallel } from '../engine/backfill-parallel.js';
import type { JobTask } from '../features/job.js';
import type { ModelDefinition } from '../features/model.js';
import { modelSources, resolveModelFeatures } from '../features/model-features.js';
import type { Project } from '../features/project.js';
import type { FieldType } from '../features/schema.js';
import type { Source } from '../features/source.js';
import { readTable, writeTable } from '../io/index.js';
import type { Table } from '../io/table.js';
import { writePostgresTable } from '../io/write-postgres-table.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import type { EventLog } from '../log/event-log.js';
import type { JsonValue } from '../models/artifact.js';
import type { Monitor } from '../monitoring/monitor.js';
import { renderReport } from '../monitoring/report/index.js';
import type { ModelRegistry } from '../registry/registry.js';
import { LoadedModel } from '../training/bundle.js';
import { retrainEvents } from '../training/retrain-events.js';
import { retrainModel, type GateDecision } from '../training/retrain.js';
import { retrainFingerprint, retrainInThread } from '../training/retrain-thread.js';
import { scorePopulation } from '../training/score-population.js';

export interface ProjectJobsContext {
  readonly project: Project;
  readonly registry: ModelRegistry;
  readonly configPath?: string;
  /** The running server's event log: events ingested live join retraining and scoring. */
  readonly log?: EventLog;
  /** The running server's monitor, for drift reports. */
  readonly monitor?: Monitor;
  /** The personal-data protection of ingestion, applied to training files before they meet logged events. */
  readonly protect?: (source: Source, row: Record<string, unknown>) => Record<string, unknown>;
  /** Labels given through feedback, by prediction id, for events logged without theirs. */
  readonly feedback?: (model: string) => Promise<ReadonlyMap<string, number>>;
  /** Called after a retraining moved the champion (the server reloads it at once). */
  readonly onPromotion?: (decision: GateDecision) => Promise<void>;
  /**
   * Retrain on a worker thread that loads `configPath` again and opens the same registry (its
   * `location`), so the process's event loop keeps serving meanwhile. Needs `configPath` and a
   * registry with a location; without them retraining runs here. @default false
   */
  readonly retrainThread?: boolean;
}

/** The name of a model's retrain job. */
export function retrainJobName(model: string): string {
  return `retrain:${model}`;
}

/**
 * The jobs a project runs: `retrain:<model>` for every model (on its `retrain.schedule`, and
 * whenever triggered by hand or by an alert), and each `job()` of the project file.
 */
export function projectJobs(context: ProjectJobsContext): JobDefinition[] {
  const jobs: JobDefinition[] = [];
  for (const definition of context.project.models.values()) {
    jobs.push({
      name: retrainJobName(definition.name),
      ...(definition.retrain.schedule === undefined ? {} : { schedule: definition.retrain.schedule }),
      retries: definition.retrain.retries,
      run: async (ctx) => {
        const decision = await retrain(context, definition, `${ctx.trigger}${ctx.attempt > 1 ? ` (attempt ${ctx.attempt})` : ''}`, (message) => ctx.log(message), ctx.signal);
        ctx.log(`${decision.model}@${decision.challenger}: ${decision.promoted ? 'promoted' : 'not promoted'}: ${decision.why}`);
        return decision as unknown as JsonValue;
      },
    });
  }
  for (const job of context.project.jobs.values()) {
    jobs.push({
      name: job.name,
      ...(job.schedule === undefined ? {} : { schedule: job.schedule }),
      retries: job.retries,
      ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
      run: (ctx) => runTask(context, job.task, `job ${job.name} (${ctx.trigger})`, ctx.signal),
    });
  }
  return jobs;
}

async function retrain(context: ProjectJobsContext, definition: ModelDefinition, reason: string, log?: (message: string) => void, signal?: AbortSignal): Promise<GateDecision> {
  const { events, inputs, counts } = await eventsFor(context, definition, undefined);
  if (counts !== undefined) log?.(`training events: ${counts.files} from files, ${counts.log} from the event log, ${counts.labelledByFeedback} labelled by feedback`);
  const { configPath } = context;
  const location = context.registry.location;
  let decision: GateDecision;
  if (configPath !== undefined && context.retrainThread === true && location !== undefined) {
    log?.(`retraining on a worker thread (${configPath} loaded there)`);
    const fingerprint = retrainFingerprint(context.project, definition.name);
    const task = { configPath, registry: location, model: definition.name, fingerprint, events, inputs, reason };
    decision = await retrainInThread(task, signal === undefined ? {} : { signal });
  } else {
    decision = await retrainModel(context.project, definition.name, {
      registry: context.registry,
      events,
      inputs,
      reason,
      ...(configPath === undefined ? {} : { configPath }),
    });
  }
  if (decision.promoted) await context.onPromotion?.(decision);
  return decision;
}

async function runTask(context: ProjectJobsContext, task: JobTask, reason: string, signal?: AbortSignal): Promise<JsonValue> {
  const project = context.project;
  if ('retrain' in task) return (await retrain(context, project.models.get(task.retrain)!, reason, undefined, signal)) as unknown as JsonValue;
  if ('score' in task) {
    const { model, spine, out, table, events } = task.score;
    const definition = project.models.get(model)!;
    const champion = await context.registry.get(model, 'champion');
    if (champion === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no champion to score with`);
    const loaded = LoadedModel.fromText(await context.registry.artifact(model, champion.version));
    const scored = await scorePopulation(project, definition, loaded, {
      events: (await eventsFor(context, definition, events)).events,
      spine: await readTable(spine, { types: spineTypes(project, definition) }),
    });
    await writeScores(scored.table, out, table ?? `${model}_scores`);
    return { model, version: champion.version, rows: scored.table.length, out };
  }
  if ('backfill' in task) {
    const { views, spine, out, events: files } = task.backfill;
    const selected = views.flatMap((name) => project.views.get(name) ?? project.requestFeatures.get(name)?.views ?? []);
    const events: Record<string, Table> = {};
    for (const source of new Set(selected.map((v) => v.source))) {
      const file = files?.[source.name];
      if (file === undefined) throw new TandemError('TANDEM_USAGE', `backfill job needs events.${source.name}: the events file of source '${source.name}'`);
      events[source.name] = await readTable(file, { types: fieldTypes(source.fields.values()) });
    }
    const result = await backfillParallel(project, { views, events, spine: spine === 'events' ? 'events' : await readTable(spine) });
    const spineRows = result.table.length;
    try {
      await writeTable(result.table, out);
    } finally {
      // A scheduled backfill runs again: its next run reuses these columns.
      result.release();
    }
    return { rows: spineRows, out };
  }
  const { model, out } = task.driftReport;
  const monitor = context.monitor;
  const input = monitor === undefined ? undefined : await monitor.reportInput(model);
  if (input === undefined) throw new TandemError('TANDEM_USAGE', `a drift report of model '${model}' needs live predictions with a reference profile; run it inside tandem serve after traffic`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, renderReport(input));
  return { model, out, drifted: input.drift.drifted, driftShare: input.drift.driftShare };
}

/** Events for a model: the given files, or the champion's training files plus the live event log. */
async function eventsFor(context: ProjectJobsContext, definition: ModelDefinition, files: Readonly<Record<string, string>> | undefined) {
  if (files !== undefined) {
    const events: Record<string, Table> = {};
    const inputs: { source: string; path: string; sha256: string }[] = [];
    for (const source of modelSources(context.project, definition)) {
      const file = files[source.name];
      if (file === undefined) throw new TandemError('TANDEM_USAGE', `job for model '${definition.name}' needs events.${source.name}: the events file of source '${source.name}'`);
      events[source.name] = await readTable(file, { types: fieldTypes(source.fields.values()) });
      inputs.push({ source: source.name, path: file, sha256: '' });
    }
    return { events, inputs, counts: undefined };
  }
  const champion = await context.registry.get(definition.name, 'champion');
  return retrainEvents(context.project, definition, {
    files: champion?.lineage.inputs ?? [],
    ...(context.log ? { log: context.log } : {}),
    ...(context.feedback ? { feedback: await context.feedback(definition.name) } : {}),
    ...(context.protect ? { protect: context.protect } : {}),
  });
}

function fieldTypes(fields: Iterable<{ readonly name: string; readonly type: FieldType }>): Record<string, FieldType> {
  return Object.fromEntries([...fields].map((f) => [f.name, f.type]));
}

/** Spine columns typed as the model's entity keys, request fields and its source's timestamp. */
export function spineTypes(project: Project, definition: ModelDefinition): Record<string, FieldType> {
  const types: Record<string, FieldType> = {};
  const sources = modelSources(project, definition);
  const spine = sources[0]!;
  types[spine.timestamp] = 'timestamp';
  for (const feature of resolveModelFeatures(project, definition)) {
    const owner = feature.owner;
    const views = owner.kind === 'featureView' ? [owner] : owner.views;
    for (const view of views) for (const key of view.entity.keys) types[key] = view.source.fields.get(key)?.type ?? 'string';
    if (owner.kind === 'requestFeatures') for (const field of owner.requestFields.values()) types[field.name] = field.type;
  }
  return types;
}

/** A file by extension, or a PostgreSQL table when `out` is a postgres:// URL. */
export async function writeScores(table: Table, out: string, tableName: string): Promise<void> {
  if (/^postgres(ql)?:\/\//.test(out)) await writePostgresTable(table, out, tableName);
  else await writeTable(table, out);
}
