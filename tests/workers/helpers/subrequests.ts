import { AsyncLocalStorage } from "node:async_hooks";
import { env } from "cloudflare:workers";

/** What Cloudflare counts as a subrequest, by kind. */
export interface SubrequestCounts {
  /** Requests to the Internet (here: to apps). */
  fetch: number;
  /** D1 queries and batches (a batch is one request). */
  d1: number;
  /** Calls to Durable Objects. */
  durableObject: number;
  /** Queue `send` and `sendBatch` calls. */
  queue: number;
}

/** Subrequests to Cloudflare services: everything but `fetch`. */
export function services(c: SubrequestCounts): number {
  return c.d1 + c.durableObject + c.queue;
}

const zero = (): SubrequestCounts => ({ fetch: 0, d1: 0, durableObject: 0, queue: 0 });

/**
 * Counts subrequests per invocation. The methods that make them are wrapped on their prototypes
 * (D1 queries and batches, Queue sends, and `getByName`/`get` of Durable Object namespaces, whose
 * stubs count each call), and every count goes to the invocation whose async context made it:
 * `measure(fn)` for one call made by the test, `invocations(proto, method)` for each call of a
 * handler such as `RunObject.prototype.alarm`. Durable Objects of the main Worker share the test
 * isolate in this pool, so their own calls are seen; work of other invocations (a queue batch
 * the runtime delivers meanwhile) is not counted against the one measured.
 */
export function meterSubrequests() {
  const context = new AsyncLocalStorage<SubrequestCounts>();
  const undo: (() => void)[] = [];
  const count = (kind: keyof SubrequestCounts) => {
    const current = context.getStore();
    if (current) current[kind]++;
  };
  const replace = (proto: object, name: string, make: (original: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) => {
    const target = proto as Record<string, unknown>;
    const original = target[name] as (...a: unknown[]) => unknown;
    target[name] = make(original);
    undo.push(() => (target[name] = original));
  };
  const counted = (proto: object, name: string, kind: keyof SubrequestCounts) =>
    replace(
      proto,
      name,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          count(kind);
          return original.apply(this, args);
        },
    );

  const db = Object.getPrototypeOf(env.DB) as object;
  for (const name of ["batch", "exec"]) counted(db, name, "d1");
  const statement = Object.getPrototypeOf(env.DB.prepare("SELECT 1")) as object;
  for (const name of ["first", "run", "all", "raw"]) counted(statement, name, "d1");
  const queue = Object.getPrototypeOf(env.EVENTS) as object;
  for (const name of ["send", "sendBatch"]) counted(queue, name, "queue");
  const namespace = Object.getPrototypeOf(env.RUNS) as object;
  for (const name of ["getByName", "get"]) {
    replace(
      namespace,
      name,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const stub = original.apply(this, args) as Record<string | symbol, unknown>;
          // Outside a measured invocation the real stub is returned (the pool's helpers need one).
          if (!context.getStore()) return stub;
          return new Proxy(stub, {
            get(target, prop) {
              const value = Reflect.get(target, prop) as unknown;
              if (typeof value !== "function" || typeof prop === "symbol") return value;
              return (...a: unknown[]) => {
                count("durableObject");
                // Reflect.apply: `.apply` on an RPC stub's method would be taken for a remote method.
                return Reflect.apply(value as (...x: unknown[]) => unknown, target, a);
              };
            },
          });
        },
    );
  }

  return {
    /** Counts a request to an app (called by the test's fetch handler, in the caller's context). */
    fetched: () => count("fetch"),
    /** Runs `fn` as one invocation and returns what it made. */
    async measure<T>(fn: () => Promise<T>): Promise<{ result: T; counts: SubrequestCounts }> {
      const counts = zero();
      const result = await context.run(counts, fn);
      return { result, counts };
    },
    /** Records what each call of `proto[method]` makes, in `into`, in call order. */
    invocations(proto: object, method: string, into: SubrequestCounts[]): void {
      replace(
        proto,
        method,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            const counts = zero();
            into.push(counts);
            return context.run(counts, () => original.apply(this, args));
          },
      );
    },
    /** Puts every wrapped method back. */
    restore: () => undo.reverse().forEach((f) => f()),
  };
}
