import type { SinkView } from "./views.ts";

/** `afk status` lines for the sinks: one per sink, nothing when the spec has none. */
export function formatSinks(views: readonly SinkView[]): string[] {
  return views.map(
    (v) =>
      `deliver ${v.id} (${v.kind}): last delivery ${v.last_sent_at ? `${v.last_sent_at} (slot ${v.last_sent_slot ?? "?"})` : "never"} · ${v.pending} pending · ${v.failed} failed${v.last_error ? ` · last error: ${v.last_error}` : ""}`,
  );
}
