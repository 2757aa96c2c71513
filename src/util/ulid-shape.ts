/**
 * The shape of the ids stepflare gives runs and events: ULIDs as `ulid` writes them (26
 * characters of Crockford base32, upper case, at most `7ZZZ...` so the time fits 48 bits).
 * @module
 */

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Whether `id` has the shape of a run or event id, checked before it names a Durable Object. */
export function isUlid(id: string): boolean {
  return ULID.test(id);
}
