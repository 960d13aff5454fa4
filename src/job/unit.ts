import { z } from "zod";

/** The unit a job prints as its last stdout line (the job's contract, README). */
export const JobUnitSchema = z.object({
  title: z.string().min(1).max(500),
  markdown: z.string().min(1),
  items: z.number().int().nonnegative(),
  value_usd: z.number().nonnegative().finite().optional(),
});

export interface JobUnit {
  title: string;
  markdown: string;
  /** null: the job printed Markdown, not a JSON unit, so its items are unknown. */
  items: number | null;
  valueUsd: number | null;
  /** How the unit was read: the last line as JSON, or the whole stdout as Markdown. */
  form: "json" | "markdown";
}

export type UnitVerdict = { ok: true; unit: JobUnit } | { ok: false; reason: string };

/**
 * Reads a successful job's stdout. Its last non-empty line, when it is a JSON object, must be
 * a unit `{title, markdown, items, value_usd?}` (a JSON object that is not one is an error, not
 * Markdown: the job meant JSON). Otherwise the whole stdout is the unit's Markdown, titled by
 * its first `# ` heading or `fallbackTitle`. Empty output is no unit.
 */
export function readUnit(stdout: string, fallbackTitle: string): UnitVerdict {
  const text = stdout.trim();
  if (text === "") return { ok: false, reason: "the job printed nothing on stdout" };
  const last = text.split("\n").at(-1)?.trim() ?? "";
  const json = parseObject(last);
  if (json !== null) {
    const r = JobUnitSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return {
        ok: false,
        reason: `the last stdout line is JSON but not a unit: ${where}${issue?.message ?? ""}`,
      };
    }
    const { title, markdown, items, value_usd } = r.data;
    return { ok: true, unit: { title, markdown, items, valueUsd: value_usd ?? null, form: "json" } };
  }
  const heading = /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
  return {
    ok: true,
    unit: {
      title: heading || fallbackTitle,
      markdown: `${text}\n`,
      items: null,
      valueUsd: null,
      form: "markdown",
    },
  };
}

function parseObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith("{")) return null;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The file delivered to out/: the unit's Markdown, under its title unless it starts with one. */
export function unitFile(unit: JobUnit): string {
  const md = unit.markdown.endsWith("\n") ? unit.markdown : `${unit.markdown}\n`;
  return /^#\s/.test(md) ? md : `# ${unit.title.replace(/\s+/g, " ")}\n\n${md}`;
}
