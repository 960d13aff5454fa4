import type { parseArgs as NodeParseArgs } from "node:util";
import { AfkError } from "../core/errors.ts";

/** argv after the command word: flags (`--x`, `--x v`, `--x=v`) and positionals. */
export interface Args {
  command: string | null;
  positionals: string[];
  flags: Map<string, string | true>;
}

/** One flag a command takes: a value (`--spec PATH`) or a switch (`--json`). */
export interface FlagDef {
  type: "string" | "boolean";
  short?: string;
}

/** A command's flags by name (node's `util.parseArgs` options): the only flags it accepts. */
export type FlagDefs = Readonly<Record<string, FlagDef>>;

/** `--spec PATH`, taken by every command that reads a spec. */
export const SPEC_FLAG: FlagDefs = { spec: { type: "string" } };

/** Flags every command takes before its own: `--help`/`-h` prints its usage. */
const COMMON: FlagDefs = { help: { type: "boolean", short: "h" } };

/** Flags allowed before the command word: `afk --version [--spec PATH]`, `afk --help`. */
export const GLOBAL_FLAGS: FlagDefs = {
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  ...SPEC_FLAG,
};

/** What parseArgs threw, in a person's words (node's messages tell a programmer to pass `strict: false`). */
function usageMessage(err: unknown, where: string): string {
  const code = (err as { code?: string }).code;
  const msg = err instanceof Error ? err.message : String(err);
  const flag = /'(-[^']*)'/.exec(msg)?.[1];
  const stray = /Unexpected argument '([^']*)'/.exec(msg)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `${where}: unknown flag '${flag ?? msg}'`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `${where}: unexpected argument '${stray ?? msg}'`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return `${where}: ${flag ? `${flag.split(" ")[0]} ` : ""}${/missing|ambiguous/i.test(msg) ? "needs a value" : "takes no value"}`;
    default:
      return `${where}: ${msg.split("\n")[0]}`;
  }
}

/**
 * The common shapes read without node's parser, as it would read them: only long flags `flags`
 * names, each once, a switch bare and a value as the next word (not empty, not starting with
 * `-`). Anything else (`--x=v`, `-h`, a positional, an unknown or repeated flag) is null, and
 * parseStrict hands it to node's parser, which decides and words the error.
 */
function plainFlags(argv: readonly string[], flags: FlagDefs): Map<string, string | true> | null {
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const name = a.startsWith("--") ? a.slice(2) : "";
    const def = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!def || name.includes("=") || values.has(name)) return null;
    if (def.type === "boolean") values.set(name, true);
    else {
      const v = argv[++i];
      if (v === undefined || v === "" || v.startsWith("-")) return null;
      values.set(name, v);
    }
  }
  return values;
}

/**
 * Parses argv strictly against `flags` (plus `--help`): an unknown flag, a flag missing its value or
 * more than `maxPositionals` words is a usage error (exit 2), never ignored.
 */
export function parseStrict(
  argv: readonly string[],
  flags: FlagDefs,
  maxPositionals: number,
  where: string,
): { values: Map<string, string | true>; positionals: string[] } {
  const plain = plainFlags(argv, { ...COMMON, ...flags });
  if (plain) return { values: plain, positionals: [] };
  // node:util loads only here: its import costs a cold start (`afk status`, `--version`) ~3 ms.
  const { parseArgs: nodeParseArgs } = require("node:util") as { parseArgs: typeof NodeParseArgs };
  let parsed: ReturnType<typeof NodeParseArgs>;
  try {
    parsed = nodeParseArgs({
      args: [...argv],
      options: { ...COMMON, ...flags },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new AfkError("usage", usageMessage(err, where));
  }
  const values = new Map<string, string | true>();
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === "string") values.set(k, v);
    else if (v === true) values.set(k, true);
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined && !values.has("help"))
    throw new AfkError("usage", `${where}: unexpected argument '${extra}'`);
  return { values, positionals: parsed.positionals };
}

/** Splits argv into global flags (before the command word), the command word and the rest. */
export function splitCommand(argv: readonly string[]): {
  global: string[];
  command: string | null;
  rest: string[];
} {
  const global: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith("-") || a === "-") return { global, command: a, rest: argv.slice(i + 1) };
    global.push(a);
    const def = GLOBAL_FLAGS[a.replace(/^--?/, "")];
    if (def?.type === "string" && !a.includes("=") && i + 1 < argv.length) global.push(argv[++i] as string);
  }
  return { global, command: null, rest: [] };
}

/**
 * Strict parse of `[command, ...rest]` against one command's flags: what tests and the dispatcher
 * use to build the `Args` a command runs with. `--spec` is the default flag set.
 */
export function parseArgs(argv: readonly string[], flags: FlagDefs = SPEC_FLAG, maxPositionals = 0): Args {
  const [command = null, ...rest] = argv;
  const where = command ? `afk ${command}` : "afk";
  const { values, positionals } = parseStrict(rest, flags, maxPositionals, where);
  return { command, positionals, flags: values };
}

export function flagString(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new AfkError("usage", `--${name} needs a value`);
  return v;
}

export function flagBool(args: Args, name: string): boolean {
  return args.flags.get(name) === true;
}
