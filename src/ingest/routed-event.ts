import type { StoredEvent } from "./event";

/** An event on its way to the router, with the one function it is for when it has a target. */
export interface RoutedEvent {
  event: StoredEvent;
  target?: string;
  /**
   * A fan-out part: start exactly these functions. The message that split the event off has
   * already checked its id for duplicates, resumed the runs waiting on it and marked it routed.
   */
  functions?: string[];
  /**
   * Deliver the event to waiting runs only: more runs waited on it than one batch resumes, and
   * the message that routed it resumed the first of them (see src/waits/deliver.ts).
   */
  waitsOnly?: true;
}
