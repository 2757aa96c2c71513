/**
 * Time-series charts, drawn with uPlot: the Worker serves its browser build at
 * `/_dashboard/uplot.js` (src/dashboard/vendor/uplot.ts), loaded on the first visit to a page
 * with charts so that the other pages never fetch it.
 * @module
 */
import type uPlot from "uplot";
import { h } from "./dom";
import { duration } from "./format";

declare global {
  interface Window {
    /** Defined by the charting library's script once it has run. */
    uPlot?: typeof uPlot;
  }
}

/** The charting library's constructor. */
export type UPlot = typeof uPlot;

/** One line of a chart: its name, colour and a value per point (null where nothing was measured). */
export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
}

let uplotLoading: Promise<UPlot> | null = null;

/**
 * uPlot formats numbers for navigator.language, which a browser on a POSIX locale reports as a
 * tag Intl refuses ("en-US@posix"); the library would then fail to load. Such a browser gets
 * the language without its "@" part.
 */
function usableLanguage(): void {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    const language = String(navigator.language).split("@")[0] || "en-US";
    Object.defineProperty(navigator, "language", { get: () => language, configurable: true });
  }
}

/** Loads the charting library once. */
export function loadUplot(): Promise<UPlot> {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  usableLanguage();
  uplotLoading =
    uplotLoading ||
    new Promise<UPlot>((resolve, reject) => {
      const script = h("script", { src: "/_dashboard/uplot.js" });
      script.onload = () => resolve(window.uPlot!);
      script.onerror = () => {
        uplotLoading = null;
        reject(new Error("the charting library did not load"));
      };
      document.head.appendChild(script);
    });
  return uplotLoading;
}

/** A panel with a chart of `series` over the times `xs` (seconds); `unit` "ms" formats values as durations. */
export function chart(UPlot: UPlot, title: string, xs: number[], series: Series[], unit?: "ms"): HTMLDivElement {
  const holder = h("div", { class: "chart", "data-chart": title });
  const box = h("div", { class: "panel" }, h("h2", { style: "margin-top:0" }, title), holder);
  const format = (v: number) => (unit === "ms" ? duration(v) : String(v));
  const opts: uPlot.Options = {
    width: 540,
    height: 200,
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        points: { show: true, size: 4 },
        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : format(v)),
      })),
    ],
    axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map(format), size: 60 }],
    scales: { y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(max, 1)] } },
  };
  // Drawn once the element is in the page, so uPlot can measure it.
  requestAnimationFrame(() => {
    opts.width = Math.max(300, holder.clientWidth || 540);
    new UPlot(opts, [xs, ...series.map((s) => s.values)], holder);
  });
  return box;
}
