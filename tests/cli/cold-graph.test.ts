import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/soak/child.ts";

/**
 * What a command's chunk evaluates before it runs, as `bun build --compile --splitting` bundles it:
 * the chunk and every chunk it imports statically (dynamic `import()`s load later, when needed).
 * A cold `afk status` or `--version` that loads node:fs, yaml or zod, or an idle serve that holds the
 * tick pipeline, the page or zod, is what issue 18's figures measure: this keeps a new import from
 * bringing them back unnoticed.
 */
const built = await Bun.build({
  entrypoints: [join(REPO_ROOT, "src", "main.ts")],
  target: "bun",
  format: "esm",
  splitting: true,
  naming: { entry: "[name].[ext]", chunk: "[name]-[hash].[ext]" },
});
const chunks = new Map(
  await Promise.all(built.outputs.map(async (o) => [o.path.replace(/^\.\//, ""), await o.text()] as const)),
);

function staticGraph(entry: string): { sources: Set<string>; builtins: Set<string> } {
  const sources = new Set<string>();
  const builtins = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = chunks.get(name) ?? "";
    for (const m of text.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)) sources.add(m[1] as string);
    for (const m of text.matchAll(/^import\s[\s\S]*?from\s+"([^"]+)";?$|^import\s+"([^"]+)";?$/gm)) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith("./")) visit(spec.slice(2));
      else builtins.add(spec);
    }
  };
  visit(entry);
  return { sources, builtins };
}

const chunkOf = (prefix: string) => {
  const name = [...chunks.keys()].find((k) => k.startsWith(`${prefix}-`) || k === `${prefix}.js`);
  if (!name) throw new Error(`no chunk for ${prefix} among ${[...chunks.keys()].join(", ")}`);
  return name;
};
/**
 * The tick pipeline's entry modules: the harness's tick, the sources' fetch, the model chain and
 * clients, the job's run and its proxy (a dead job's process group is reaped at start: job/group*).
 */
const PIPELINE =
  /^src\/(harness\/tick\.ts|sources\/index\.ts|models\/(chain|ollama|openai|link-callers)\.ts|job\/(tick|proxy|upstream)\.ts)/;

const packages = (sources: Set<string>) =>
  new Set([...sources].flatMap((s) => (s.startsWith("node_modules/") ? [s.split("/")[1] as string] : [])));

describe("what the cold commands load before they run", () => {
  test("the entry (afk help, and every command before its own chunk): no node:fs, no package", () => {
    const g = staticGraph("main.js");
    expect([...g.builtins].filter((b) => b === "fs" || b === "node:fs")).toEqual([]);
    expect([...packages(g.sources)]).toEqual([]);
  });

  test.each(["status", "version-line"])(
    "%s: no node:fs, node:path, node:os, yaml, zod, the schema's SQL or the tick pipeline",
    (name) => {
      const g = staticGraph(chunkOf(name));
      // node:path and node:os cost a compiled cold start 0.25–0.5 ms each: core/path-light.ts stands in
      expect([...g.builtins].filter((b) => /^(node:)?(fs|path|os)$/.test(b))).toEqual([]);
      expect([...packages(g.sources)].filter((p) => p !== "croner")).toEqual([]);
      expect([...g.sources].filter((s) => PIPELINE.test(s))).toEqual([]);
      // the schema's SQL, composed at load (~0.6 ms): the read-only open needs only the ids
      expect([...g.sources].filter((s) => /^src\/ledger\/(schema\/|migrations\.ts)/.test(s))).toEqual([]);
    },
  );

  test("serve idle: no zod, yaml, croner, feedsmith, ollama, nodemailer, hono, node:crypto or the tick pipeline", () => {
    const g = staticGraph(chunkOf("serve"));
    // croner is bundled into the slot maths' chunk but only `require`d for patterns utc-cron.ts cannot answer
    expect(
      [...g.sources].filter(
        (s) => s.startsWith("node_modules/") && s !== "node_modules/croner/dist/croner.cjs",
      ),
    ).toEqual([]);
    expect([...g.builtins].filter((b) => /^(node:)?crypto$/.test(b))).toEqual([]);
    expect([...g.sources].filter((s) => PIPELINE.test(s))).toEqual([]);
  });
});
