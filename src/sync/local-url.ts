/**
 * App URLs of the `local` transport: `local://<app>/<path>`, where `<app>` is a name given to
 * `stepflare({ apps })` in the same Worker. The scheme cannot name anything on a network, so such
 * a URL is never fetched: the call is a function call on the registered handler.
 * @module
 */

/** The scheme of in-process app URLs. */
export const LOCAL_SCHEME = "local:";

/** A name an in-process app registers under: lowercase letters, digits and `-`, as a URL host keeps it. */
export const LOCAL_APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Whether `value` is a `local://<app>/...` URL with a well-formed app name. */
export function isLocalAppUrl(value: string): boolean {
  return localAppName(value) !== null;
}

/** The app name of a `local://<app>/...` URL, or null for any other URL. */
export function localAppName(value: string): string | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== LOCAL_SCHEME || url.username || url.password || url.port) return null;
  return LOCAL_APP_NAME.test(url.hostname) ? url.hostname : null;
}
