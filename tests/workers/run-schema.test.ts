/**
 * A brand-new run object gets RUN_SCHEMA written directly instead of running RUN_MIGRATIONS one
 * by one: the two must build the same schema (tables, columns, keys, CHECK constraints, indexes,
 * seeded rows and the migrations marked applied), or an object created one way and one migrated
 * the other would disagree. A later migration then applies on top of either alike.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { RUN_MIGRATIONS, RUN_SCHEMA } from "../../src/runs/run-schema";
import { createOrMigrate, migrate } from "../../src/util/sqlite-migrate";

/** A table's definition with comments, spacing and quoting of its name taken out. */
function normalised(definition: string): string {
  return definition
    .replace(/--[^\n]*/g, "")
    .replace(/\s+/g, " ")
    .replace(/\s*([(),])\s*/g, "$1")
    .replace(/^CREATE TABLE "([^"]+)"/, "CREATE TABLE $1")
    .trim();
}

/** Everything about an object's schema that behaviour depends on, and the rows it is seeded with. */
function describeSchema(sql: SqlStorage) {
  const tables = sql
    .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .toArray();
  return {
    tables: tables.map(({ name, sql: definition }) => ({
      name,
      definition: normalised(definition),
      columns: sql.exec(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${name}') ORDER BY cid`).toArray(),
      indexes: sql
        .exec<{ name: string; unique: number; origin: string; partial: number }>(`SELECT name, "unique", origin, partial FROM pragma_index_list('${name}')`)
        .toArray()
        .map((index) => ({
          unique: index.unique,
          origin: index.origin,
          partial: index.partial,
          columns: sql
            .exec<{ name: string }>(`SELECT name FROM pragma_index_info('${index.name}') ORDER BY seqno`)
            .toArray()
            .map((c) => c.name),
        }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    })),
    explicitIndexes: sql.exec("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").toArray(),
    migrations: sql.exec("SELECT version FROM _migrations ORDER BY version").toArray(),
    historySeq: sql.exec("SELECT * FROM history_seq").toArray(),
  };
}

/** The schema an object ends up with after `build`. */
async function schemaAfter(build: (sql: SqlStorage) => void) {
  return runInDurableObject(env.RUNS.getByName(`schema-${ulid()}`), (_instance, state) => {
    build(state.storage.sql);
    return describeSchema(state.storage.sql);
  });
}

describe("the run object's schema", () => {
  it("written directly on a new object equals the one its migrations build", async () => {
    const migrated = await schemaAfter((sql) => migrate(sql, RUN_MIGRATIONS));
    const direct = await schemaAfter((sql) => createOrMigrate(sql, RUN_MIGRATIONS, RUN_SCHEMA));
    expect(migrated.tables.map((t) => t.name)).toContain("run");
    expect(migrated.migrations).toHaveLength(RUN_MIGRATIONS.length);
    expect(direct).toEqual(migrated);
  });

  it("an object that already has a schema is migrated, not created again", async () => {
    const upgraded = await schemaAfter((sql) => {
      migrate(sql, RUN_MIGRATIONS.slice(0, 2));
      sql.exec("INSERT INTO waits (step_id, kind, wake_at, detail) VALUES ('a', 'sleep', 5, '{}')");
      createOrMigrate(sql, RUN_MIGRATIONS, RUN_SCHEMA);
      expect(sql.exec("SELECT step_id FROM waits").toArray()).toEqual([{ step_id: "a" }]);
    });
    const direct = await schemaAfter((sql) => createOrMigrate(sql, RUN_MIGRATIONS, RUN_SCHEMA));
    expect(upgraded).toEqual(direct);
  });
});
