/**
 * A run's single alarm, multiplexing everything the run owes: calls (and their leases), sleeps
 * and wait timeouts, and run-level deadlines, and the object's own upkeep (history to send again,
 * the end of its retention). Re-armed after each change; setting it is skipped when the time is
 * unchanged.
 */
export class RunAlarm {
  readonly #storage: DurableObjectStorage;
  /** Times the object's upkeep needs a wake-up at (null: none), besides what the run owes. */
  readonly #upkeep: () => (number | null)[];
  /** The time this instance last set; undefined when unknown (e.g. an alarm just fired). */
  #armedAt: number | null | undefined;

  constructor(storage: DurableObjectStorage, upkeep: () => (number | null)[] = () => []) {
    this.#storage = storage;
    this.#upkeep = upkeep;
  }

  /** When the run next needs to wake, or null when nothing is owed. */
  nextWakeAt(): number | null {
    return this.#storage.sql
      .exec<{ at: number | null }>(
        `SELECT min(at) AS at FROM (
           SELECT max(due_at, coalesce(leased_until, 0)) AS at FROM calls
           UNION ALL SELECT wake_at FROM waits
           UNION ALL SELECT at FROM run_timers)`,
      )
      .one().at;
  }

  /** Sets the alarm for the next wake-up (or `extra`, if sooner), or clears it. */
  async rearm(extra?: number): Promise<void> {
    const next = [this.nextWakeAt(), ...this.#upkeep(), extra ?? null].filter((v): v is number => v !== null);
    const at = next.length === 0 ? null : Math.min(...next);
    if (at === this.#armedAt) return;
    this.#armedAt = at;
    if (at === null) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(at);
  }

  /** Forgets the cached time: the platform clears an alarm once its handler has run. */
  fired(): void {
    this.#armedAt = undefined;
  }
}
