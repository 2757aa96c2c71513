import { z } from "zod";

/**
 * Validates a Durable Object method's arguments. Callers may run an older or newer build than
 * the object (during a deploy), so arguments are checked rather than trusted; a bad argument is
 * refused with a TypeError naming the method.
 */
export function parseRpcArgs<S extends z.ZodType>(schema: S, value: unknown, method: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TypeError(`${method}: invalid argument: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
