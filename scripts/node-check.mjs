// Runs at `npm install`. Every npm script runs on the Node 22 that the `node` devDependency
// installs, so an older Node on PATH only has to run npm itself. .npmrc hides npm's per-package
// engine warnings (about 30 on Node 20); this one line says why they would not have mattered.
// npm runs this script on the bundled Node already, so the Node that runs npm is read from
// npm's user agent ("npm/11.6.0 node/v20.19.0 linux x64 ...").
const npmNode = /\bnode\/v(\d+)\.\S*/.exec(process.env.npm_config_user_agent ?? "");
if (npmNode && Number(npmNode[1]) < 22) {
  console.log(
    `stepflare: npm runs on Node ${npmNode[0].slice(5)}; every script uses the Node 22 installed as a dev dependency, so engine warnings are hidden.`,
  );
}
