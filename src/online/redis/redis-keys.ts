/**
 * The Redis key layout of one namespace `ns` (checked to hold no ':' and no glob characters):
 *
 *   ns:meta                      JSON {"partitions":N,"layout":1}, set once by the first open
 *   ns:workers                   sorted set: worker id → when its heartbeat expires (Redis ms)
 *   ns:lease:<p>                 the owner of partition p's lease, with PX = the lease TTL
 *   ns:ckpt:<p>                  partition p's checkpoint, JSON {"offset":…,"meta":{…}}
 *   ns:e:<p>:<view>:<key>        one entity's state (a string; PX = entityTtlMs when set)
 *   ns:dead                      list of dead letters, oldest first
 *
 * Entity keys: the view name is escaped ('%' → '%25', ':' → '%3A') so the first ':' after
 * it ends it; the entity key follows verbatim to the end, whatever it holds (':', '\u001f',
 * any Unicode). View names are identifiers in practice, so keys read naturally in redis-cli.
 */
export const LAYOUT = 1;

export class RedisKeys {
  readonly meta: string;
  readonly workers: string;
  readonly dead: string;
  /** SCAN pattern of every key of the namespace. */
  readonly all: string;
  readonly #namespace: string;

  constructor(namespace: string) {
    this.#namespace = namespace;
    this.meta = `${namespace}:meta`;
    this.workers = `${namespace}:workers`;
    this.dead = `${namespace}:dead`;
    this.all = `${namespace}:*`;
  }

  lease(partition: number): string {
    return `${this.#namespace}:lease:${partition}`;
  }

  checkpoint(partition: number): string {
    return `${this.#namespace}:ckpt:${partition}`;
  }

  entity(partition: number, view: string, key: string): string {
    return `${this.#entityPrefix(partition)}${escapeView(view)}:${key}`;
  }

  /** SCAN pattern of partition p's entity keys ('ns:e:3:*' does not match 'ns:e:30:…'). */
  entityPattern(partition: number): string {
    return `${this.#entityPrefix(partition)}*`;
  }

  /** The view and key of an entity key of partition p (one `entityPattern(p)` matched). */
  parseEntity(partition: number, redisKey: string): { view: string; key: string } {
    const rest = redisKey.slice(this.#entityPrefix(partition).length);
    const end = rest.indexOf(':');
    return { view: unescapeView(rest.slice(0, end)), key: rest.slice(end + 1) };
  }

  #entityPrefix(partition: number): string {
    return `${this.#namespace}:e:${partition}:`;
  }
}

export function escapeView(view: string): string {
  return view.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

export function unescapeView(escaped: string): string {
  return escaped.replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'));
}
