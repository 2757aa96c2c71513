/**
 * How a run's or step's error reads: its name, message and stack.
 * @module
 */
import { h } from "./dom";

/** What the pages read of an error the API returns (a serialized error; the API types it unknown). */
export interface ShownError {
  name?: string;
  message?: string;
  stack?: string;
}

/** The error's fields, or none when the value is not an object. */
export function asShownError(value: unknown): ShownError {
  return typeof value === "object" && value !== null ? (value as ShownError) : {};
}

/** An error in a red box. */
export function errorBox(value: unknown): HTMLDivElement {
  const error = asShownError(value);
  return h(
    "div",
    { class: "error-box" },
    h("b", null, (error.name || "Error") + ": "),
    error.message || "",
    error.stack ? h("pre", { class: "small", style: "margin-top:6px" }, error.stack) : null,
  );
}
