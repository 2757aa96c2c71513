/**
 * Bodies of requests made inside this isolate (an in-process app's SDK calling stepflare through
 * `stepflareFetch`), kept as the strings they were built from. Read back through the `Request`'s
 * stream, such a body costs a round of the runtime's I/O per read (measured at about 2 ms per
 * checkpoint on a busy 2-core machine, several times reading the same body off a socket) for text
 * that is already in memory. The body readers (body-limit.ts) take the string instead, under the
 * same cap.
 * @module
 */

const texts = new WeakMap<Request, string>();

/**
 * `new Request(input, init)`, its body string kept for the readers when it is one. A string that
 * is not valid Unicode is not kept: through the stream it reads as the runtime encodes it, as a
 * request from elsewhere would.
 */
export function requestWithHeldBody(input: RequestInfo | URL, init?: RequestInit): Request {
  const request = new Request(input, init);
  if (typeof init?.body === "string" && init.body.isWellFormed()) texts.set(request, init.body);
  return request;
}

/** The body string of a request made by requestWithHeldBody, else undefined (read its stream). */
export function heldBodyText(request: Request): string | undefined {
  return texts.get(request);
}
