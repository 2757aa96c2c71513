/**
 * FlowObject names: one Durable Object per kind of flow control, scope (a function id or a
 * shared scope) and evaluated key.
 * @module
 */
import { FLOW_KEY_MAX_LENGTH } from "../constants";

/** The kinds of flow control that own a FlowObject. */
export type FlowKind = "concurrency" | "throttle" | "ratelimit" | "debounce" | "batch" | "singleton";

/** What a FlowObject name is made of; `key` is null when the setting has no key expression. */
export interface FlowKeyParts {
  kind: FlowKind;
  scope: string;
  key: string | null;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const HASH_SUFFIX_LENGTH = 17;
const utf8 = new TextEncoder();

/**
 * Escapes the separators (`:` between parts, `#` before a hash, `%` itself) and lone
 * surrogates, which UTF-8 would turn into U+FFFD and so merge distinct keys.
 */
function escapePart(part: string): string {
  return part.replace(/[%:#]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
    c.length === 1 && c >= "\ud800" ? `%u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** FNV-1a, 64-bit, over the UTF-8 bytes of `text`, as 16 hex digits. */
export function fnv1a64Hex(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of utf8.encode(text)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * The FlowObject name for `parts`: `kind:scope:=key`, or `kind:scope:~` without a key. Parts are
 * escaped, so distinct parts always give distinct names (a null key differs from ""). A name
 * longer than `FLOW_KEY_MAX_LENGTH` keeps a readable prefix and ends in `#` plus the FNV-1a 64
 * hash of the whole name; escaped names contain no `#`, so only a hash collision could merge two
 * keys. Synchronous and stable across releases: changing it would orphan live state.
 */
export function flowKey(parts: FlowKeyParts): string {
  const key = parts.key === null ? "~" : `=${escapePart(parts.key)}`;
  const name = `${parts.kind}:${escapePart(parts.scope)}:${key}`;
  if (name.length <= FLOW_KEY_MAX_LENGTH) return name;
  let cut = FLOW_KEY_MAX_LENGTH - HASH_SUFFIX_LENGTH;
  // Never split a surrogate pair: the prefix must stay valid UTF-16.
  const last = name.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${name.slice(0, cut)}#${fnv1a64Hex(name)}`;
}
