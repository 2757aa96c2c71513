import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createBrotliDecompress } from "node:zlib";
import { extract } from "tar-fs";

/**
 * Names a Chromium to use instead of the one `npm install` brings (e.g. `/usr/bin/chromium`).
 * Unset, the UI tests use the packaged one, so every run proves the fresh-machine path.
 */
export const CHROMIUM_ENV = "STEPFLARE_CHROMIUM";

/** How to start a Chromium: the binary and the environment it needs. */
export interface ChromiumInstall {
  executablePath: string;
  env: Record<string, string>;
}

const ROOT = resolve(import.meta.dirname, "../../..");

/**
 * The Chromium to test with: the one named by {@link CHROMIUM_ENV}, or else the headless
 * Chromium that the `@sparticuz/chromium` package ships inside itself (brotli-compressed, with
 * the NSS and expat libraries it links against and a font), unpacked once per package version
 * under `node_modules/.cache`. Nothing is downloaded: everything comes from the npm tarball.
 */
export async function chromiumInstall(): Promise<ChromiumInstall> {
  const named = process.env[CHROMIUM_ENV];
  if (named) return { executablePath: named, env: {} };
  // The package's exports map hides package.json and bin/, so it is found by its folder.
  const pkg = dirname(fileURLToPath(import.meta.resolve("@sparticuz/chromium")));
  const { version } = JSON.parse(readFileSync(join(pkg, "../package.json"), "utf8")) as { version: string };
  const dir = join(ROOT, "node_modules/.cache/stepflare-chromium", version);
  if (!existsSync(join(dir, "chromium"))) await unpack(join(pkg, "../bin"), dir);
  return {
    executablePath: join(dir, "chromium"),
    env: {
      // The bundled libraries first, so only glibc and libgcc are needed from the system.
      LD_LIBRARY_PATH: [join(dir, "lib"), process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
      FONTCONFIG_PATH: join(dir, "fontconfig"),
    },
  };
}

/**
 * Unpacks the package's archives into a scratch folder and renames it into place, so a run that
 * was killed half-way leaves nothing that looks finished, and two runs at once cannot collide.
 */
async function unpack(bin: string, dir: string): Promise<void> {
  const scratch = `${dir}.${process.pid}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const brotli = (file: string) => createReadStream(join(bin, file)).pipe(createBrotliDecompress());
  await pipeline(brotli("chromium.br"), createWriteStream(join(scratch, "chromium"), { mode: 0o755 }));
  // al2023.tar.br holds lib/ (NSS, NSPR, expat); swiftshader.tar.br the software GL libraries
  // Chromium loads from its own folder; fonts.tar.br a font and a fonts.conf for /tmp.
  await pipeline(brotli("al2023.tar.br"), extract(scratch));
  await pipeline(brotli("swiftshader.tar.br"), extract(scratch));
  await pipeline(brotli("fonts.tar.br"), extract(join(scratch, "fontconfig")));
  writeFileSync(
    join(scratch, "fontconfig/fonts.conf"),
    `<?xml version="1.0"?>\n<fontconfig>\n  <dir>${join(dir, "fontconfig/fonts")}</dir>\n  <cachedir>${join(dir, "fontconfig/cache")}</cachedir>\n</fontconfig>\n`,
  );
  try {
    renameSync(scratch, dir);
  } catch (err) {
    // Another run finished first; its copy is as good as ours.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(dir, "chromium"))) throw err;
  }
}
