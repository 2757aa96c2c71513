import type { StoredEvent } from "./event";

/** An event on its way to the router, with the one function it is for when it has a target. */
export interface RoutedEvent {
  event: StoredEvent;
  target?: string;
}
