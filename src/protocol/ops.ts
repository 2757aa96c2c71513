/**
 * Opcodes: the operations an SDK reports in a `206` response body.
 * @module
 */
import { z } from "zod";

/**
 * Every opcode name that appears on the wire (Go `enums.Opcode` = TS `StepOpCode`). `Step` is
 * v0-only, `StepNotFound` is in the TS enum but never sent, `SyncRunComplete` is Go-only.
 */
export const OPCODES = [
  "None",
  "Step",
  "StepRun",
  "StepError",
  "StepFailed",
  "StepPlanned",
  "StepNotFound",
  "Sleep",
  "WaitForEvent",
  "WaitForSignal",
  "InvokeFunction",
  "AIGateway",
  "Gateway",
  "RunComplete",
  "SyncRunComplete",
  "DiscoveryRequest",
  "DeferAdd",
  "DeferAbort",
] as const;

export type Opcode = (typeof OPCODES)[number];

const opcodeSet: ReadonlySet<string> = new Set(OPCODES);

/** Whether `op` is a known opcode name. */
export function isOpcode(op: string): op is Opcode {
  return opcodeSet.has(op);
}

/**
 * One op of a `206` body. `op` stays a plain string so an op from a newer SDK still parses and
 * the caller decides what to do with it; unknown fields (`metadata`, ...) are kept.
 */
export const opSchema = z.looseObject({
  id: z.string(),
  op: z.string(),
  name: z.string().optional(),
  displayName: z.string().optional(),
  opts: z.record(z.string(), z.unknown()).nullable().optional(),
  data: z.unknown().optional(),
  error: z.unknown().optional(),
  userland: z.looseObject({ id: z.string().optional(), index: z.number().optional() }).optional(),
  timing: z.unknown().optional(),
});

export type Op = z.infer<typeof opSchema>;
