import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Project } from '../features/project.js';
import { StreamEngine } from '../engine/stream.js';

export interface SnapshotMeta {
  /** The first event log offset the snapshot does not reflect: replay from here. */
  readonly offset: number;
  readonly takenAt: number;
}

/**
 * Write the engine's state with the log offset it reflects, atomically: to a temporary file,
 * synced, then renamed over the previous snapshot. A crash leaves the old snapshot or the new
 * one, never half of one.
 */
export async function writeSnapshot(engine: StreamEngine, path: string, meta: SnapshotMeta): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    let chunk: string[] = [];
    for (const line of engine.snapshotLines({ ...meta })) {
      chunk.push(line);
      if (chunk.length === 1_000) {
        await handle.write(`${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) await handle.write(`${chunk.join('\n')}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
  const dir = await open(dirname(path), 'r');
  await dir.sync();
  await dir.close();
}

/** The engine and meta saved at `path`, or undefined when there is no snapshot yet. */
export async function readSnapshot(project: Project, path: string): Promise<{ engine: StreamEngine; meta: SnapshotMeta } | undefined> {
  const stream = createReadStream(path, 'utf8');
  try {
    await new Promise<void>((ready, fail) => {
      stream.once('open', () => ready());
      stream.once('error', fail);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const { engine, meta } = await StreamEngine.restore(project, createInterface({ input: stream, crlfDelay: Infinity }));
  return { engine, meta: meta as unknown as SnapshotMeta };
}
