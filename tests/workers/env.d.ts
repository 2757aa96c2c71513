import type { D1Migration } from "cloudflare:test";
import type { Env as StepflareEnv } from "../../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends StepflareEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
