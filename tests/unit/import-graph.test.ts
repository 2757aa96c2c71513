/**
 * The house rule of issue 9: folders import each other in one direction only. Each folder of
 * `src/` is a node, each file at the top of `src/` (constants, env, errors, mode, index) is its
 * own node, and `durable-objects/` is one node. Type-only imports are left out: they are erased
 * from the build and let `env.ts` name the Durable Object classes its bindings hold.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The node a repository path belongs to. */
function nodeOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] !== "src") return parts[0]!;
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, "");
}

/** Whether an import or export declaration brings in values, not only types. */
function importsValues(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return false;
    const clause = node.exportClause;
    return !(clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
  }
  const clause = node.importClause;
  if (!clause) return true;
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.length === 0 || bindings.elements.some((e) => !e.isTypeOnly);
}

/** The relative specifiers a file imports values from. */
function valueImports(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(join(ROOT, path), "utf8"), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const spec = statement.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".") && importsValues(statement)) specifiers.push(spec.text);
  }
  return specifiers;
}

/** Every edge between two nodes, with one file-level example each. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of [...sourceFiles("src"), ...sourceFiles("durable-objects")]) {
    for (const spec of valueImports(file)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
      const [from, to] = [nodeOf(file), nodeOf(target)];
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${file} -> ${target}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** One cycle of the graph as the file imports that close it, or null. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === "open") {
        const loop = [...path.slice(path.indexOf(next)), next];
        return loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!);
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

describe("the folders of src/", () => {
  it("import each other without a circle", () => {
    const graph = folderGraph();
    expect(graph.get("routing")?.has("runs")).toBe(true);
    expect(findCycle(graph)).toBeNull();
  });

  it("finds a circle when there is one", () => {
    const graph = new Map([
      ["runs", new Map([["waits", "src/runs/a.ts -> src/waits/b.ts"]])],
      ["waits", new Map([["runs", "src/waits/b.ts -> src/runs/a.ts"]])],
    ]);
    expect(findCycle(graph)).toEqual(["src/runs/a.ts -> src/waits/b.ts", "src/waits/b.ts -> src/runs/a.ts"]);
  });
});
