/**
 * Source rules `deno task check` enforces beyond fmt, lint and types:
 *
 * 1. No import cycle among the project's own modules (from `deno info
 *    --json` of mod.ts and examples/lunge.ts), type imports included.
 * 2. Every export of mod.ts has a JSDoc block with a titled `@example` that
 *    runs (not `ignore`) and asserts, in lines of at most 80 characters (the
 *    doc page's width); every exported function, method and
 *    constructor documents each parameter with `@param` and, unless it
 *    returns nothing, its result with `@returns`.
 * 3. No function in src/ or examples/ is longer than 80 lines, unless the
 *    comment just above it says why (it contains "long because").
 * 4. Outside src/, no module imports mod.ts or a file of src/ by a relative
 *    path: the engine, tests, benches and examples import the library by
 *    name (`@lunge/metrics`), through its public API only.
 * 5. No two folders of the engine (examples/lunge/<folder>/, nested ones
 *    counted as their top folder) import each other, type imports included:
 *    the layers point one way. The package root (entry points and shared
 *    leaf types) is not a folder.
 *
 * Run: deno run --allow-read --allow-run .ci/check_source.ts
 *
 * @module
 */
import ts from "typescript";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url);
const MAX_LINES = 80;
const EXAMPLE_WIDTH = 80;
const problems: string[] = [];

async function json(args: string[]): Promise<unknown> {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`deno ${args.join(" ")} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** One import as `deno info --json` lists it: `code` for a value import, `type` for a type one. */
interface InfoDependency {
  code?: { specifier: string };
  type?: { specifier: string };
}

/**
 * Rule 1: Tarjan-free DFS over local file: modules. Type imports count: an
 * `import type` cycle is a cycle between the modules' layers all the same,
 * so each edge is a dependency's code specifier and its type specifier.
 */
async function checkCycles(entry: string): Promise<void> {
  const info = await json(["info", "--json", entry]) as {
    modules: { specifier: string; dependencies?: InfoDependency[] }[];
  };
  const graph = new Map<string, string[]>();
  for (const m of info.modules) {
    if (!m.specifier.startsWith("file:")) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => !!s && s.startsWith("file:"));
    graph.set(m.specifier, [...new Set(deps)]);
  }
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const short = (s: string) => s.slice(ROOT.href.length);
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === "open") {
        const cycle = stack.slice(stack.indexOf(dep)).concat(dep).map(short);
        problems.push(`import cycle: ${cycle.join(" -> ")}`);
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
}

/** Rule 5: folder pairs of the engine that import each other (from the entries' module graphs). */
async function checkFolderLayers(entries: string[], base: string): Promise<void> {
  const prefix = new URL(base, ROOT).href;
  const folder = (s: string) => {
    if (!s.startsWith(prefix)) return undefined;
    const rest = s.slice(prefix.length);
    return rest.includes("/") ? rest.slice(0, rest.indexOf("/")) : undefined;
  };
  const edges = new Map<string, string>(); // "a -> b" -> an example module edge
  for (const entry of entries) {
    const info = await json(["info", "--json", entry]) as {
      modules: { specifier: string; dependencies?: InfoDependency[] }[];
    };
    for (const m of info.modules) {
      const from = folder(m.specifier);
      if (from === undefined) continue;
      for (const d of m.dependencies ?? []) {
        for (const spec of [d.code?.specifier, d.type?.specifier]) {
          const to = spec ? folder(spec) : undefined;
          if (to === undefined || to === from) continue;
          const key = `${from} -> ${to}`;
          if (!edges.has(key)) {
            edges.set(
              key,
              `${m.specifier.slice(ROOT.href.length)} -> ${spec!.slice(ROOT.href.length)}`,
            );
          }
        }
      }
    }
  }
  for (const [key, example] of edges) {
    const [from, to] = key.split(" -> ");
    if (from < to && edges.has(`${to} -> ${from}`)) {
      problems.push(
        `folders ${from}/ and ${to}/ import each other (${example}; ${
          edges.get(`${to} -> ${from}`)
        })`,
      );
    }
  }
}

interface JsDoc {
  doc?: string;
  tags?: { kind: string; doc?: string; name?: string }[];
}
interface DocParam {
  kind: string;
  name?: string;
  left?: { name?: string };
}
interface DocFunction {
  params: DocParam[];
  returnType?: { repr?: string; kind?: string };
}
interface DocNode {
  name: string;
  kind: string;
  declarations: { jsDoc?: JsDoc; kind: string; def: Record<string, unknown> }[];
}

function paramName(p: DocParam): string {
  return p.name ?? p.left?.name ?? "?";
}

function checkCallable(where: string, jsDoc: JsDoc | undefined, fn: DocFunction): void {
  const tags = jsDoc?.tags ?? [];
  for (const p of fn.params) {
    const name = paramName(p);
    if (!tags.some((t) => t.kind === "param" && t.name === name)) {
      problems.push(`${where}: no @param for "${name}"`);
    }
  }
  const returns = fn.returnType?.repr ?? "";
  if (returns && returns !== "void" && !tags.some((t) => t.kind === "return")) {
    problems.push(`${where}: no @returns`);
  }
}

/** Rule 2. */
async function checkDocs(): Promise<void> {
  const doc = await json(["doc", "--json", "mod.ts"]) as {
    nodes: Record<string, { symbols: DocNode[] }>;
  };
  for (const { symbols } of Object.values(doc.nodes)) {
    for (const symbol of symbols) {
      for (const decl of symbol.declarations) {
        const examples = (decl.jsDoc?.tags ?? []).filter((t) => t.kind === "example");
        const good = examples.some((t) => {
          const text = t.doc ?? "";
          const titled = !text.trimStart().startsWith("```");
          const runs = !/```ts\s+ignore/.test(text);
          return titled && runs && /\bassert\b/.test(text);
        });
        if (!good) {
          problems.push(`${symbol.name}: no titled @example that runs and asserts`);
        }
        for (const t of examples) {
          for (const line of (t.doc ?? "").split("\n")) {
            if (line.length > EXAMPLE_WIDTH) {
              problems.push(`${symbol.name}: example line over ${EXAMPLE_WIDTH}: ${line}`);
            }
          }
        }
        if (decl.kind === "function") {
          checkCallable(symbol.name, decl.jsDoc, decl.def as unknown as DocFunction);
        }
        if (decl.kind === "class") {
          const def = decl.def as {
            constructors?: { jsDoc?: JsDoc; params: DocParam[]; accessibility?: string }[];
            methods?: { name: string; jsDoc?: JsDoc; functionDef: DocFunction }[];
          };
          for (const c of def.constructors ?? []) {
            checkCallable(`${symbol.name} constructor`, c.jsDoc, { params: c.params });
          }
          for (const m of def.methods ?? []) {
            checkCallable(`${symbol.name}.${m.name}`, m.jsDoc, m.functionDef);
          }
        }
      }
    }
  }
}

/** Rule 3. */
async function checkLengths(dir: string): Promise<void> {
  for await (const file of walk(new URL(dir, ROOT))) {
    const text = await Deno.readTextFile(file);
    const source = ts.createSourceFile(file.pathname, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const end = source.getLineAndCharacterOfPosition(node.end).line;
        const lines = end - start + 1;
        const comments = text.slice(node.getFullStart(), node.getStart());
        if (lines > MAX_LINES && !/long because/i.test(comments)) {
          const name = (node as ts.FunctionLikeDeclaration).name?.getText(source) ??
            "(anonymous)";
          const rel = fileURLToPath(file).slice(fileURLToPath(ROOT).length);
          problems.push(`${rel}:${start + 1}: ${name} is ${lines} lines (> ${MAX_LINES})`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

/** Rule 4: every import, re-export and dynamic import outside src/. */
async function checkLibraryImports(dir: string): Promise<void> {
  const library = [new URL("mod.ts", ROOT).href, new URL("src/", ROOT).href];
  for await (const file of walk(new URL(dir, ROOT))) {
    if (file.href.startsWith(library[1])) continue;
    const text = await Deno.readTextFile(file);
    const source = ts.createSourceFile(file.pathname, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      const spec = (ts.isImportDeclaration(node) || ts.isExportDeclaration(node))
        ? node.moduleSpecifier
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
        ? node.arguments[0]
        : undefined;
      if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".")) {
        const target = new URL(spec.text, file).href;
        if (target === library[0] || target.startsWith(library[1])) {
          const rel = fileURLToPath(file).slice(fileURLToPath(ROOT).length);
          const line = source.getLineAndCharacterOfPosition(spec.getStart()).line + 1;
          problems.push(`${rel}:${line}: imports "${spec.text}": use "@lunge/metrics"`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

await checkCycles("mod.ts");
await checkCycles("examples/lunge.ts");
await checkFolderLayers(["examples/lunge.ts", "examples/lunge/run/worker.ts"], "examples/lunge/");
await checkDocs();
await checkLengths("src/");
await checkLengths("examples/");
for (const dir of ["examples/", "tests/", "bench/", ".ci/"]) await checkLibraryImports(dir);
if (problems.length > 0) {
  for (const p of problems) console.error(`check_source: ${p}`);
  Deno.exit(1);
}
console.log(
  "check_source: no import cycle, no two engine folders importing each other; every export " +
    "documented with an asserting example; " +
    `no function over ${MAX_LINES} lines; the library imported by name outside src/`,
);
