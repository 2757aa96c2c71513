/**
 * The charting library the metrics pages draw with: uPlot's browser build, served by the Worker
 * at `/_dashboard/uplot.js`. Chosen because it is small (about 50 KB minified, no dependencies),
 * maintained, draws time series on a canvas quickly, and ships a ready script for browsers.
 * @module
 */
import UPLOT_TEXT from "uplot/dist/uPlot.iife.min.js";

/** The script defining the global `uPlot`. */
export const UPLOT_JS: string = UPLOT_TEXT;
