// Write hooks: host-application rules that must hold whichever way a resource is written — a REST
// create, update, patch or delete, a transaction entry, a conditional write or an import. They run
// inside the writing transaction, after its rows are written and before it commits, so what they do
// (claim a slot, reject a double booking) commits or rolls back with the write itself; and they are
// told after the commit, for effects outside the database (push, e-mail).
import type { Queryable } from './db.ts';
import type { Repository } from './repository.ts';
import type { Resource } from '../types.ts';

export interface WriteChange {
  resourceType: string;
  id: string;
  /** Stored JSON of the version this write replaced (null: there was none, or it was a deletion). */
  before: string | null;
  /** Stored JSON of the new version (null: a deletion). */
  after: string | null;
}

export interface WriteHookContext {
  /** The writing transaction's repository: writes made here join the same commit (and their hooks run too). */
  repo: Repository;
  /** SQL in the same transaction, for the hook's own tables. */
  tx: Queryable;
}

export interface WriteHook {
  /** Resource types whose writes this hook sees. */
  readonly types: readonly string[];
  /**
   * Before a create is validated and stored: returns the resource with what the server assigns
   * filled in (e.g. an identifier). Synchronous and without database access: it runs for every create.
   */
  prepare?(resource: Resource): Resource;
  /** Inside the transaction; throwing (e.g. a FhirError 'conflict') rolls the whole write back. */
  beforeCommit?(changes: readonly WriteChange[], ctx: WriteHookContext): Promise<void>;
  /** After the transaction committed (never for one that rolled back). Must not throw. */
  afterCommit?(changes: readonly WriteChange[]): void;
}

/** The hooks of one engine, by resource type. Mutable: the host registers its hooks after start-up. */
export class WriteHooks {
  readonly #byType = new Map<string, WriteHook[]>();

  add(hook: WriteHook): void {
    for (const type of hook.types) {
      const list = this.#byType.get(type) ?? [];
      list.push(hook);
      this.#byType.set(type, list);
    }
  }

  has(resourceType: string): boolean {
    return this.#byType.has(resourceType);
  }

  /** The resource as the hooks of its type prepare it for creation (write-hooks `prepare`). */
  prepare(resource: Resource): Resource {
    let out = resource;
    for (const hook of this.#byType.get(resource.resourceType) ?? []) if (hook.prepare) out = hook.prepare(out);
    return out;
  }

  /** Changes grouped by the hooks that want them, in registration order. */
  forChanges(changes: readonly WriteChange[]): Map<WriteHook, WriteChange[]> {
    const out = new Map<WriteHook, WriteChange[]>();
    for (const change of changes) {
      for (const hook of this.#byType.get(change.resourceType) ?? []) {
        const list = out.get(hook) ?? [];
        list.push(change);
        out.set(hook, list);
      }
    }
    return out;
  }
}
