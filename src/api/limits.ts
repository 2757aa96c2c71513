/**
 * Defaults and limits of the REST API and dashboard.
 * @module
 */

/** Rows per page when a list request names no `limit` (Inngest's `DefaultEvents`). */
export const DEFAULT_PAGE_SIZE = 20;
/** Most rows one page returns; larger `limit`s are clamped, as Inngest does. */
export const MAX_PAGE_SIZE = 100;

/**
 * Most runs one `POST /v1/cancellations` request cancels. Each cancel is a Durable Object call,
 * and a Worker request may make only so many; the answer says when runs are left, and repeating
 * the request cancels the next ones.
 */
export const BULK_CANCEL_MAX_RUNS = 500;
/** Runs read from history per page while cancelling in bulk. */
export const BULK_CANCEL_PAGE = 100;
/** Cancels in flight at once. */
export const BULK_CANCEL_CONCURRENCY = 10;

/** How long a dashboard login lasts. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
