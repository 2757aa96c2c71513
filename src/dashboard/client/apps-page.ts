/**
 * The apps page (`/apps`): sync an app by its serve URL, see each synced app with its SDK, last
 * sync and sync error, and resync it.
 * @module
 */
import { api, serverUrl } from "./api";
import type { AppWithFunctions } from "./api-types";
import { append, code, empty, fill, h, link, messageOf } from "./dom";
import { ago, formatTime } from "./format";
import type { Refresh } from "./router";

async function syncUrl(url: string): Promise<string | null> {
  const result = await api<{ app_id: string | null }>("/v0/apps/sync", { method: "POST", body: { url } });
  return result.app_id;
}

function onboarding(): HTMLDivElement {
  return empty(
    "No apps synced yet",
    h("p", null, "Point an app that serves functions with the Inngest SDK at this server, then sync it:"),
    h(
      "ol",
      null,
      h(
        "li",
        null,
        "Start your app with ",
        code("INNGEST_DEV=" + serverUrl()),
        " (or ",
        code('new Inngest({ id, isDev: true, baseUrl: "' + serverUrl() + '" })'),
        ");",
      ),
      h("li", null, "Paste its serve URL above, e.g. ", code("http://localhost:3000/api/inngest"), ", and press ", h("b", null, "Sync app"), ";"),
      h("li", null, "or let the app register itself: ", code("curl -X PUT http://localhost:3000/api/inngest"), "."),
    ),
  );
}

function appCard(app: AppWithFunctions, resync: (app: AppWithFunctions) => void): HTMLDivElement {
  return h(
    "div",
    { class: "panel", "data-app": app.id },
    h(
      "div",
      { class: "toolbar", style: "margin:0" },
      h("div", { class: "grow" }, h("h2", { style: "margin:0" }, app.id), h("div", { class: "muted mono small" }, app.url)),
      h("button", { onclick: () => resync(app) }, "Resync"),
    ),
    app.syncError ? h("div", { class: "error-box", style: "margin-top:10px" }, h("b", null, "Last sync failed: "), app.syncError) : null,
    h(
      "div",
      { class: "meta" },
      h("div", null, h("span", null, "SDK"), app.sdk || "—"),
      h("div", null, h("span", null, "Framework"), app.framework || "—"),
      h("div", null, h("span", null, "App version"), app.appVersion || "—"),
      h("div", null, h("span", null, "Last synced"), h("span", { title: formatTime(app.syncedAt) }, ago(app.syncedAt))),
      h("div", null, h("span", null, "Functions"), link("/functions", String(app.functions.length))),
    ),
  );
}

/** Renders the apps page. */
export async function renderApps(main: HTMLElement): Promise<Refresh> {
  const urlInput = h("input", { type: "url", name: "url", placeholder: "http://localhost:3000/api/inngest", size: 44, required: true });
  const status = h("div", { class: "small", style: "min-height:20px" });
  const list = h("div");
  const button = h("button", { class: "primary", type: "submit" }, "Sync app");

  async function sync(url: string) {
    button.disabled = true;
    fill(status, "Syncing " + url + " …");
    try {
      const appId = await syncUrl(url);
      fill(status, h("span", { style: "color:var(--completed)" }, "Synced " + (appId || url) + "."));
    } catch (err) {
      fill(status, h("div", { class: "error-box" }, h("b", null, "Sync failed: "), messageOf(err)));
    }
    button.disabled = false;
    await refresh();
  }

  async function refresh() {
    const { apps } = await api<{ apps: AppWithFunctions[] }>("/v0/apps");
    fill(list, apps.length === 0 ? h("div", { class: "panel" }, onboarding()) : apps.map((app) => appCard(app, (a) => void sync(a.url))));
  }

  const submit = (e: Event) => {
    e.preventDefault();
    void sync(urlInput.value.trim());
  };
  append(main, [h("h1", null, "Apps"), h("form", { class: "toolbar", onsubmit: submit }, urlInput, button), status, list]);
  await refresh();
  return refresh;
}
