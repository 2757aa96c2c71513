/**
 * The dashboard's browser script as the Worker imports it: the bundle scripts/build-dashboard.mjs
 * writes, imported as text (a `Text` rule in wrangler.toml).
 */
declare module "*/stepflare-dashboard.js" {
  const text: string;
  export default text;
}
