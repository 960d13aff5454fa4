import { Ollama } from "ollama";
import { describeError } from "../../core/errors.ts";
import { fetchWithDeadline } from "../../models/ollama.ts";
import type { Spec } from "../../spec/schema.ts";
import { type CheckResult, fail, ok, warn } from "./check.ts";

/** Ollama names a model without a tag `name:latest`. */
function withTag(name: string): string {
  const last = name.split("/").at(-1) ?? name;
  return last.includes(":") ? name : `${name}:latest`;
}

const START_OLLAMA =
  "start it (sudo systemctl start ollama, or: ollama serve; install: curl -fsSL https://ollama.com/install.sh | sh), " +
  "or set OLLAMA_HOST in the env file";

/**
 * What still delivers when no Ollama link can: the extractive link (no model, no network), or a
 * paid link whose key is set. Null when nothing would: then Ollama is required.
 */
export function deliversWithoutOllama(
  spec: Spec,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  const extractive = spec.models.find((l) => l.kind === "extractive");
  if (extractive) return `the chain ends in the extractive link ${extractive.id}, which needs no model`;
  const paid = spec.models.find((l) => l.kind === "openai" && env[l.api_key_env]?.trim());
  return paid ? `paid link ${paid.id} stands in` : null;
}

/**
 * Ollama answers at OLLAMA_HOST and every model the spec's ollama links name is pulled, read from
 * `/api/tags` through the same npm client (and host rules) the chain uses. A warning, not a
 * failure, when the chain still delivers without it (`fallback` says how).
 */
export async function checkOllama(
  spec: Spec,
  host: string,
  fetch: typeof globalThis.fetch,
  timeoutMs = 5_000,
  fallback: string | null = null,
): Promise<CheckResult[]> {
  const red = (name: string, detail: string, fix: string): CheckResult =>
    fallback ? warn(name, `${detail}; ticks still deliver: ${fallback}`, fix) : fail(name, detail, fix);
  const models = [...new Set(spec.models.flatMap((l) => (l.kind === "ollama" ? [l.model] : [])))];
  if (models.length === 0) return [ok("ollama", "the spec has no ollama link")];
  let pulled: Set<string>;
  try {
    const client = new Ollama({
      host,
      fetch: fetchWithDeadline(fetch, timeoutMs, new AbortController().signal),
    });
    const list = await client.list();
    pulled = new Set(list.models.map((m) => withTag(m.name)));
  } catch (err) {
    return [
      red(
        "ollama",
        `not reachable at ${host} (the spec needs ${models.join(", ")}): ${describeError(err)}`,
        `${START_OLLAMA}; then: ${models.map((m) => `ollama pull ${m}`).join(" && ")}`,
      ),
    ];
  }
  return [
    ok("ollama", `reachable at ${host} (${pulled.size} models pulled)`),
    ...models.map((m) =>
      pulled.has(withTag(m))
        ? ok(`model ${m}`, "pulled")
        : red(`model ${m}`, `not pulled at ${host}`, `ollama pull ${m}`),
    ),
  ];
}

/** Every paid link's key is in the environment. The key itself is never printed. */
export function checkKeys(
  spec: Spec,
  env: Readonly<Record<string, string | undefined>>,
  envFile: string,
): CheckResult[] {
  return spec.models.flatMap((l) => {
    if (l.kind !== "openai") return [];
    const name = `key ${l.api_key_env}`;
    return env[l.api_key_env]?.trim()
      ? [ok(name, `set for paid link ${l.id} (${l.model})`)]
      : [
          fail(
            name,
            `missing: paid link ${l.id} (${l.model}) cannot run`,
            `add ${l.api_key_env}=<key> to ${envFile}`,
          ),
        ];
  });
}
