/**
 * Group commit for concurrent requests in one isolate: work for the same key (an event shard, the
 * events Queue) that arrives while a call for that key is in flight waits and goes together in
 * the next call, so N concurrent requests cost one call (one RPC, one SQLite commit, one Queue
 * send) instead of N. Each submitter is answered only once the call carrying its own items has
 * settled, with that call's result. When no call is in flight a submission starts one at once,
 * so an idle server adds no wait.
 *
 * Each call is made by the first submitter of its group, from its own request (the isolate may
 * serve many; a call made on behalf of a request that has already been answered could be
 * cancelled with it). A group call that fails is retried by each of its members alone, once, so
 * one member's bad item cannot fail the others; the work must therefore be idempotent.
 * @module
 */

/** How large a group may grow; a single submission over either limit goes alone. */
export interface GroupLimits {
  /** Most items in one call. */
  maxItems: number;
  /** Most bytes (as the submitters count them) in one call. */
  maxBytes: number;
}

/** Makes one call for a group's items, in submission order. */
export type GroupCall<T, R> = (items: T[]) => Promise<R>;

interface Member<T, R> {
  items: T[];
  bytes: number;
  call: GroupCall<T, R>;
  /** Settled with the member's group when it leads one, with null when another member leads. */
  turn: PromiseWithResolvers<Member<T, R>[] | null>;
  /** The group call's outcome, for every member of the group. */
  done: PromiseWithResolvers<Outcome<R>>;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; shared: boolean };

interface Lane<T, R> {
  waiting: Member<T, R>[];
  busy: boolean;
}

/** Per-key group commit; one call in flight per key. */
export class GroupCommit<T, R> {
  readonly #lanes = new Map<string, Lane<T, R>>();
  readonly #limits: GroupLimits;

  constructor(limits: GroupLimits) {
    this.#limits = limits;
  }

  /**
   * Submits `items` (counted as `bytes`) under `key` and resolves to the result of the call that
   * carried them; `call` is used if this submission leads its group. Rejects with that call's
   * error, or, when a shared call failed, with the error of this submission's own call alone.
   */
  async submit(key: string, items: T[], bytes: number, call: GroupCall<T, R>): Promise<R> {
    const lane = this.#lane(key);
    const member: Member<T, R> = { items, bytes, call, turn: Promise.withResolvers(), done: Promise.withResolvers() };
    lane.waiting.push(member);
    if (!lane.busy) this.#pass(lane);
    const group = await member.turn.promise;
    if (group) await this.#lead(lane, group);
    const outcome = await member.done.promise;
    if (outcome.ok) return outcome.value;
    if (!outcome.shared) throw outcome.error;
    return call(items);
  }

  /** Keys with a call in flight or submissions waiting (for tests and diagnostics). */
  activeKeys(): string[] {
    return [...this.#lanes].filter(([, lane]) => lane.busy || lane.waiting.length > 0).map(([key]) => key);
  }

  #lane(key: string): Lane<T, R> {
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, (lane = { waiting: [], busy: false }));
    return lane;
  }

  /** Hands the lane to the next group, or marks it idle. */
  #pass(lane: Lane<T, R>): void {
    const group = this.#takeGroup(lane);
    lane.busy = group.length > 0;
    group.forEach((member, i) => member.turn.resolve(i === 0 ? group : null));
  }

  /** The waiting members that fit one call, oldest first; the first always goes. */
  #takeGroup(lane: Lane<T, R>): Member<T, R>[] {
    let items = 0;
    let bytes = 0;
    let n = 0;
    for (const member of lane.waiting) {
      if (n > 0 && (items + member.items.length > this.#limits.maxItems || bytes + member.bytes > this.#limits.maxBytes)) break;
      items += member.items.length;
      bytes += member.bytes;
      n++;
    }
    return lane.waiting.splice(0, n);
  }

  async #lead(lane: Lane<T, R>, group: Member<T, R>[]): Promise<void> {
    const leader = group[0]!;
    let outcome: Outcome<R>;
    try {
      outcome = { ok: true, value: await leader.call(group.length === 1 ? leader.items : group.flatMap((m) => m.items)) };
    } catch (error) {
      outcome = { ok: false, error, shared: group.length > 1 };
    }
    this.#pass(lane);
    for (const member of group) member.done.resolve(outcome);
  }
}
