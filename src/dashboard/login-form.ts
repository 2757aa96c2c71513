/**
 * The login form, read with a cap: `POST /login` is open to anyone in production mode, so its
 * body is read no further than MAX_LOGIN_BODY_BYTES before it is parsed as a form.
 * @module
 */
import { MAX_LOGIN_BODY_BYTES } from "../constants";
import { readBounded } from "../util/read-bounded";

/**
 * The form sent to `POST /login` (empty when it is not a form), or null when its body is over
 * MAX_LOGIN_BODY_BYTES: by its `Content-Length`, without reading, or once reading passes the cap.
 */
export async function readLoginForm(req: Request): Promise<FormData | null> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > MAX_LOGIN_BODY_BYTES) return null;
  const read = await readBounded(req.body, MAX_LOGIN_BODY_BYTES);
  if (!read.ok) return null;
  // Parsed by the platform, as `formData()` would, from the bytes already read.
  const bounded = new Request(req.url, { method: "POST", headers: { "Content-Type": req.headers.get("content-type") ?? "" }, body: read.bytes });
  return bounded.formData().catch(() => new FormData());
}
