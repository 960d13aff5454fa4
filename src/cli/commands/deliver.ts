import { deliverNow } from "../../deliver/now.ts";
import { rearmFailed } from "../../deliver/outbox.ts";
import { sinkViews } from "../../deliver/views.ts";
import { flagBool, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

/** `afk deliver`: send what the outbox holds now, once, by hand; exit 0 when nothing is left pending. */
export const deliverCommand: Command = {
  name: "deliver",
  summary:
    "send the digests still pending to the spec's sinks now, once (--retry-failed re-arms failed ones)",
  usage: "afk deliver [--spec PATH] [--retry-failed]   (exit 0 nothing left pending, 1 some still pending)",
  flags: { ...SPEC_FLAG, "retry-failed": { type: "boolean" } },
  async run(args, deps) {
    const app = buildContext(args, deps, { sendsDigests: true });
    try {
      const db = app.db();
      if (flagBool(args, "retry-failed")) {
        const n = rearmFailed(db, deps.clock.now());
        deps.print(`deliver: ${n} failed row${n === 1 ? "" : "s"} re-armed`);
      }
      const reports = await deliverNow(app, { all: true });
      for (const r of reports)
        deps.print(
          `deliver ${r.sink} slot ${r.slot}: ${r.status} (attempt ${r.attempts})${r.error ? ` — ${r.error}` : ""}`,
        );
      const views = sinkViews(db, app.loaded.spec.deliver);
      const pending = views.reduce((n, v) => n + v.pending, 0);
      if (app.loaded.spec.deliver.length === 0) deps.print("deliver: the spec has no deliver: sinks");
      for (const v of views)
        deps.print(
          `sink ${v.id} (${v.kind}): ${v.pending} pending, ${v.failed} failed, ${v.sent} sent · last delivery ${v.last_sent_at ?? "never"}`,
        );
      return pending === 0 ? 0 : 1;
    } finally {
      app.close();
    }
  },
};
