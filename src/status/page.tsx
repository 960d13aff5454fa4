/** @jsxImportSource hono/jsx */
import { createHash } from "node:crypto";
import { raw } from "hono/html";
import { formatUsd } from "../core/money.ts";
import { DeliverySection } from "../deliver/section.tsx";
import type { TickRow } from "../ledger/ticks.ts";
import { SpendValueChart } from "./chart.tsx";
import { formatDuration } from "./format.ts";
import { SafeMarkdown } from "./markdown.tsx";
import type { DayTotals, SourceHealthView } from "./queries.ts";
import type { StatusSnapshot } from "./snapshot.ts";

/** The page's only stylesheet; its hash is the one style the CSP allows. No script at all. */
export const PAGE_CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:16px;color:#1b1b1b;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:12px} .cards{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:150px}
.card b{display:block;font-size:11px;color:#666;text-transform:uppercase}
.bad{color:#b71c1c;font-weight:600} .good{color:#1b5e20}
table{border-collapse:collapse;width:100%;background:#fff} td,th{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}
.s-ok{color:#1b5e20} .s-degraded{color:#e65100} .s-failed,.s-crashed,.s-timeout,.s-killed,.s-halted_cap,.s-refused_kill{color:#b71c1c}
code{font-size:12px;word-break:break-all} .digest{background:#fff;border:1px solid #ddd;padding:8px 16px;border-radius:6px}
`;

export const PAGE_CSS_HASH = `sha256-${createHash("sha256").update(PAGE_CSS, "utf8").digest("base64")}`;

export interface PageData {
  snapshot: StatusSnapshot;
  days: readonly DayTotals[];
  ticks: readonly TickRow[];
  sources: readonly SourceHealthView[] | null;
  digest: { path: string; text: string | null } | null;
}

function Card({ label, children, bad }: { label: string; children: unknown; bad?: boolean }) {
  return (
    <div class="card">
      <b>{label}</b>
      <span class={bad ? "bad" : ""}>{children}</span>
    </div>
  );
}

function duration(t: TickRow): string {
  return formatDuration(
    t.ended_at ? new Date(t.ended_at).getTime() - new Date(t.started_at).getTime() : null,
  );
}

function Summary({ s }: { s: StatusSnapshot }) {
  return (
    <div class="cards">
      <Card label={`today ${s.today.day}`}>
        {s.today.ticks} tick{s.today.ticks === 1 ? "" : "s"} · value {formatUsd(s.today.value_micros)}
      </Card>
      <Card label="spend / cap" bad={s.cap.reached}>
        {formatUsd(s.cap.spent_micros)} / {formatUsd(s.cap.cap_micros)}
        {s.cap.reached ? " — cap reached" : ""}
      </Card>
      <Card label="kill flag" bad={s.kill.present}>
        {s.kill.present ? "PRESENT" : "absent"}
      </Card>
      <Card label="alert" bad={s.alert.active}>
        {s.alert.active ? `RAISED: ${s.alert.empty_ticks} ticks without value` : "none"}
      </Card>
      <Card label="next run">{s.next_run.at ?? "none scheduled"}</Card>
      <Card label="runner" bad={s.runner !== null && (!s.runner.alive || !s.runner.last_due_slot.ok)}>
        {s.runner
          ? `${s.runner.alive ? "alive" : "stopped"}${s.runner.last_due_slot.ok ? "" : ` · ${s.runner.last_due_slot.reason}`}`
          : "not in this process"}
      </Card>
      <Card label="unattended days">{s.clock ? String(s.clock.unattended_days) : "clock not started"}</Card>
    </div>
  );
}

function LastTick({ s }: { s: StatusSnapshot }) {
  const t = s.last_tick;
  if (!t) return <p>No tick yet.</p>;
  return (
    <ul>
      <li>
        <span class={`s-${t.status}`}>{t.status}</span> · {t.trigger} · started {t.started_at} ·{" "}
        {formatDuration(t.duration_ms)} · model {t.model ?? "none"} · value ${t.value_usd.toFixed(2)}
      </li>
      {t.reason ? <li>reason: {t.reason}</li> : null}
      {t.fallbacks.map((f) => (
        <li>
          fallback {f.from} → {f.to}: {f.reason}
        </li>
      ))}
      {t.failed_sources.map((f) => (
        <li>
          source {f.id} failed: {f.code}: {f.error}
        </li>
      ))}
      <li>
        trace <code>{t.trace_path ?? "(none)"}</code> · <code>afk trace {t.id}</code>
      </li>
    </ul>
  );
}

function Ticks({ ticks }: { ticks: readonly TickRow[] }) {
  if (ticks.length === 0) return <p>No ticks yet.</p>;
  return (
    <table>
      <tr>
        <th>started</th>
        <th>status</th>
        <th>trigger</th>
        <th>took</th>
        <th>model</th>
        <th>value</th>
        <th>reason</th>
        <th>trace</th>
      </tr>
      {ticks.map((t) => (
        <tr>
          <td>{t.started_at}</td>
          <td class={`s-${t.status}`}>{t.status}</td>
          <td>{t.trigger}</td>
          <td>{duration(t)}</td>
          <td>{t.model ?? ""}</td>
          <td>{formatUsd(t.value_micros)}</td>
          <td>{t.reason ?? ""}</td>
          <td>
            <code>{t.trace_path ?? ""}</code>
            <br />
            <code>{t.id}</code>
          </td>
        </tr>
      ))}
    </table>
  );
}

function Sources({ sources }: { sources: readonly SourceHealthView[] | null }) {
  if (sources === null || sources.length === 0) return <p>No source health data yet.</p>;
  return (
    <table>
      <tr>
        <th>source</th>
        <th>last outcome</th>
        <th>failures in a row</th>
        <th>last success</th>
        <th>last error</th>
      </tr>
      {sources.map((h) => (
        <tr>
          <td>{h.source_id}</td>
          <td class={h.last_outcome === "failed" ? "bad" : "good"}>{h.last_outcome ?? "never fetched"}</td>
          <td>{h.consecutive_failures}</td>
          <td>{h.last_success_at ?? "never"}</td>
          <td>{h.last_error ? `${h.last_code ?? ""} ${h.last_error}` : ""}</td>
        </tr>
      ))}
    </table>
  );
}

/** The whole page: same facts as /status.json, every string escaped by hono/jsx. */
export function StatusPage({ data }: { data: PageData }) {
  const s = data.snapshot;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="60" />
        <title>{`afk · ${s.spec.name}`}</title>
        <style>{raw(PAGE_CSS)}</style>
      </head>
      <body>
        <h1>afk · {s.spec.name}</h1>
        <div class="meta">
          afk {s.version} · spec {s.spec.hash} ({s.spec.origin}) · {s.spec.cadence} {s.spec.timezone} ·
          generated {s.generated_at} · <a href="/status.json">status.json</a> · <a href="/metrics">metrics</a>
        </div>
        <Summary s={s} />
        <h2>Last tick</h2>
        <LastTick s={s} />
        <h2>Last 14 days: value vs spend</h2>
        <SpendValueChart days={data.days} />
        <h2>Recent ticks</h2>
        <Ticks ticks={data.ticks} />
        <h2>Source health</h2>
        <Sources sources={data.sources} />
        <h2>Delivery</h2>
        <DeliverySection sinks={s.deliver.sinks} />
        <h2>Latest digest</h2>
        {data.digest ? (
          <>
            <p class="meta">
              <code>{data.digest.path}</code>
            </p>
            {data.digest.text === null ? (
              <p>The file is no longer there.</p>
            ) : (
              <SafeMarkdown text={data.digest.text} />
            )}
          </>
        ) : (
          <p>No digest delivered yet.</p>
        )}
      </body>
    </html>
  );
}
