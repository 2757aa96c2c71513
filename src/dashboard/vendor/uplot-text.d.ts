/**
 * uPlot's browser build, imported as text (a `Text` rule in wrangler.toml) so the Worker serves
 * it itself: the dashboard works offline and loads no script from another origin.
 */
declare module "uplot/dist/uPlot.iife.min.js" {
  const text: string;
  export default text;
}
