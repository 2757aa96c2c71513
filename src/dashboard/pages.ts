/**
 * The HTML documents the dashboard serves: the page shell every dashboard path returns (the
 * script renders the page for the path) and the login page for production mode.
 * @module
 */

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function htmlDocument(title: string, body: string, mode: "dev" | "production"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/_dashboard/app.css">
</head>
<body data-mode="${mode}">
${body}
</body>
</html>`;
}

/** The shell: navigation, the "Send event" button, and the element pages render into. */
export function shellPage(mode: "dev" | "production"): string {
  const logout = mode === "production" ? `<form method="post" action="/logout" style="margin:0"><button type="submit">Log out</button></form>` : "";
  return htmlDocument(
    "stepflare",
    `<header class="top">
  <a class="brand" href="/runs" data-link="1">stepflare</a>
  <nav>
    <a href="/runs" data-link="1" data-section="runs">Runs</a>
    <a href="/events" data-link="1" data-section="events">Events</a>
    <a href="/functions" data-link="1" data-section="functions">Functions</a>
    <a href="/apps" data-link="1" data-section="apps">Apps</a>
    <a href="/metrics" data-link="1" data-section="metrics">Metrics</a>
  </nav>
  <span class="mode">${mode === "dev" ? "dev server" : "production"}</span>
  <button id="send-event" class="primary" type="button">Send event</button>
  ${logout}
</header>
<main><p class="muted">Loading…</p></main>
<noscript><main>The stepflare dashboard needs JavaScript.</main></noscript>
<script src="/_dashboard/app.js"></script>`,
    mode,
  );
}

/** The login form; `next` is where to go after logging in, `error` what went wrong last time. */
export function loginPage(next: string, error: string | null): string {
  return htmlDocument(
    "Log in · stepflare",
    `<main class="login"><div class="panel">
  <h1>stepflare</h1>
  <p class="muted">This server runs in production mode. Log in with its signing key
  (<code>INNGEST_SIGNING_KEY</code>, raw or hashed as the SDK sends it).</p>
  ${error ? `<div class="error-box">${escapeHtml(error)}</div>` : ""}
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${escapeHtml(next)}">
    <label for="key">Signing key</label>
    <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
    <button class="primary" type="submit">Log in</button>
  </form>
</div></main>`,
    "production",
  );
}
