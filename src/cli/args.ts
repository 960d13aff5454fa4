import { AfkError } from "../core/errors.ts";

/** argv after the command word: flags (`--x`, `--x v`, `--x=v`) and positionals. */
export interface Args {
  command: string | null;
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value; every other `--flag` is a boolean. */
const VALUED = new Set([
  "spec",
  "since",
  "target",
  "days",
  "cadence",
  "matrix-file",
  "home",
  "base",
  "env-file",
]);

export function parseArgs(argv: readonly string[]): Args {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) flags.set(name, a.slice(eq + 1));
      else if (VALUED.has(name)) {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("--")) throw new AfkError("usage", `--${name} needs a value`);
        flags.set(name, v);
        i++;
      } else flags.set(name, true);
    } else if (a === "-h") flags.set("help", true);
    else if (a === "-v") flags.set("version", true);
    else positionals.push(a);
  }
  const [command = null, ...rest] = positionals;
  return { command, positionals: rest, flags };
}

export function flagString(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new AfkError("usage", `--${name} needs a value`);
  return v;
}

export function flagBool(args: Args, name: string): boolean {
  return args.flags.get(name) === true;
}
