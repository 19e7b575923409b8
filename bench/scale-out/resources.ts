import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import pg from 'pg';
import { RedisPartitionStore } from '../../src/online/index.js';

/** The servers the benchmark uses, all on this machine. */
export const SERVERS = {
  redis: 'redis://127.0.0.1:6379',
  nats: 'nats://127.0.0.1:4222',
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
} as const;

/** One deployment's names: a state namespace in Redis and a stream prefix on NATS. */
export interface Deployment {
  readonly namespace: string;
  readonly streamPrefix: string;
}

/**
 * Names no other run uses (a Redis namespace and NATS streams per deployment, one PostgreSQL
 * schema for the registry), and their removal at the end.
 */
export class BenchResources {
  readonly id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly schema = `bench_scaleout_${this.id}`;
  readonly #deployments: Deployment[] = [];
  readonly #partitions: number;

  constructor(partitions: number) {
    this.#partitions = partitions;
  }

  deployment(label: string): Deployment {
    const deployment = { namespace: `bench-scaleout-${this.id}-${label}`, streamPrefix: `BENCH_SCALEOUT_${this.id.toUpperCase()}_${label.toUpperCase()}_` };
    this.#deployments.push(deployment);
    return deployment;
  }

  /** Delete a deployment's streams (and their consumer buckets) and clear its namespace. */
  async removeDeployment(deployment: Deployment): Promise<void> {
    const nats = await connect({ servers: SERVERS.nats });
    try {
      const jsm = await nats.jetstreamManager();
      const names: string[] = [];
      for await (const name of jsm.streams.names()) names.push(name);
      for (const name of names) if (name.startsWith(deployment.streamPrefix) || name.startsWith(`KV_${deployment.streamPrefix}`)) await jsm.streams.delete(name);
    } finally {
      await nats.close();
    }
    const store = await RedisPartitionStore.open({ url: SERVERS.redis, namespace: deployment.namespace, partitions: this.#partitions });
    await store.clear();
    await store.close();
    this.#deployments.splice(this.#deployments.indexOf(deployment), 1);
  }

  /** Remove every deployment left and drop the schema. */
  async remove(): Promise<void> {
    for (const deployment of [...this.#deployments]) await this.removeDeployment(deployment);
    const client = new pg.Client({ connectionString: SERVERS.postgres });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await client.end();
  }
}
