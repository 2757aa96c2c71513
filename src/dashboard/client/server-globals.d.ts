/**
 * The Workers types that the server modules the client reads its API types from (src/history,
 * src/sync) name in their functions' signatures. TypeScript checks every file a program
 * imports, so this program needs them too; they come from the module form of the Workers types,
 * because their global form redeclares DOM names (Element, Response) the browser code uses.
 */
type D1Database = import("@cloudflare/workers-types/index.ts").D1Database;
type D1PreparedStatement = import("@cloudflare/workers-types/index.ts").D1PreparedStatement;
