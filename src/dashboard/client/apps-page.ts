/**
 * Browser code for the apps page (`/apps`): sync an app by its serve URL, see each synced app
 * with its SDK, last sync and sync error, and resync it.
 * @module
 */

/** Registers the apps page. */
export const APPS_PAGE_JS = String.raw`
async function syncUrl(url) {
  const result = await api("/v0/apps/sync", { method: "POST", body: { url } });
  return result.app_id;
}

function onboarding() {
  return empty("No apps synced yet",
    h("p", null, "Point an app that serves functions with the Inngest SDK at this server, then sync it:"),
    h("ol", null,
      h("li", null, "Start your app with ", code("INNGEST_DEV=" + serverUrl()), " (or ", code("new Inngest({ id, isDev: true, baseUrl: \"" + serverUrl() + "\" })"), ");"),
      h("li", null, "Paste its serve URL above, e.g. ", code("http://localhost:3000/api/inngest"), ", and press ", h("b", null, "Sync app"), ";"),
      h("li", null, "or let the app register itself: ", code("curl -X PUT http://localhost:3000/api/inngest"), ".")));
}

function appCard(app, resync) {
  return h("div", { class: "panel", "data-app": app.id },
    h("div", { class: "toolbar", style: "margin:0" },
      h("div", { class: "grow" }, h("h2", { style: "margin:0" }, app.id), h("div", { class: "muted mono small" }, app.url)),
      h("button", { onclick: () => resync(app) }, "Resync")),
    app.syncError ? h("div", { class: "error-box", style: "margin-top:10px" }, h("b", null, "Last sync failed: "), app.syncError) : null,
    h("div", { class: "meta" },
      h("div", null, h("span", null, "SDK"), app.sdk || "—"),
      h("div", null, h("span", null, "Framework"), app.framework || "—"),
      h("div", null, h("span", null, "App version"), app.appVersion || "—"),
      h("div", null, h("span", null, "Last synced"), h("span", { title: formatTime(app.syncedAt) }, ago(app.syncedAt))),
      h("div", null, h("span", null, "Functions"), link("/functions", String(app.functions.length)))));
}

async function renderApps(main) {
  const urlInput = h("input", { type: "url", name: "url", placeholder: "http://localhost:3000/api/inngest", size: 44, required: true });
  const status = h("div", { class: "small", style: "min-height:20px" });
  const list = h("div");
  const button = h("button", { class: "primary", type: "submit" }, "Sync app");

  async function sync(url) {
    button.disabled = true;
    fill(status, "Syncing " + url + " …");
    try {
      const appId = await syncUrl(url);
      fill(status, h("span", { style: "color:var(--completed)" }, "Synced " + (appId || url) + "."));
    } catch (err) {
      fill(status, h("div", { class: "error-box" }, h("b", null, "Sync failed: "), err.message));
    }
    button.disabled = false;
    await refresh();
  }

  async function refresh() {
    const { apps } = await api("/v0/apps");
    fill(list, apps.length === 0 ? h("div", { class: "panel" }, onboarding()) : apps.map((app) => appCard(app, (a) => sync(a.url))));
  }

  append(main, [
    h("h1", null, "Apps"),
    h("form", { class: "toolbar", onsubmit: (e) => { e.preventDefault(); sync(urlInput.value.trim()); } }, urlInput, button),
    status, list,
  ]);
  await refresh();
  return refresh;
}

page(/^\/apps\/?$/, "apps", renderApps);
`;
