/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import { formatUsd } from "../core/money.ts";
import { DeliverySection } from "../deliver/section.tsx";
import type { TickRow } from "../ledger/ticks.ts";
import { SpendValueChart } from "./chart.tsx";
import { SafeMarkdown } from "./markdown.tsx";
import { PAGE_CSS } from "./page/css.ts";
import { HEARTBEAT_TICKS, Heartbeat } from "./page/heartbeat.tsx";
import { RecentTicks, Sources } from "./page/tables.tsx";
import { TodayFigures, VerdictBanner } from "./page/verdict.tsx";
import { When } from "./page/when.tsx";
import type { DayTotals, SourceHealthView } from "./queries.ts";
import type { StatusSnapshot } from "./snapshot-view.ts";

export { PAGE_CSS, PAGE_CSS_HASH } from "./page/css.ts";

/** Rows of the recent-ticks table (the heartbeat strip shows more). */
const TABLE_TICKS = 10;

export interface PageData {
  snapshot: StatusSnapshot;
  days: readonly DayTotals[];
  /** Newest first, up to the heartbeat strip's length. */
  ticks: readonly TickRow[];
  sources: readonly SourceHealthView[] | null;
  digest: { path: string; text: string | null } | null;
}

function Fortnight({ days }: { days: readonly DayTotals[] }) {
  const value = days.reduce((n, d) => n + d.valueMicros, 0);
  const spend = days.reduce((n, d) => n + d.spendMicros, 0);
  return (
    <>
      <p class="meta">
        14 days: value {formatUsd(value)} · spend {formatUsd(spend)}
        {spend > 0 ? ` · ${(value / spend).toFixed(1)} × value per dollar` : " · free (no paid spend)"}
      </p>
      <div class="chart narrow">
        <SpendValueChart days={days} />
      </div>
      <div class="chart wide">
        <SpendValueChart days={days} width={720} labelEvery={1} />
      </div>
    </>
  );
}

function beatsTitle(n: number): string {
  return n === 1 ? "Last tick" : `Last ${n || ""} ticks`.replace("  ", " ");
}

function Footer({ s, now }: { s: StatusSnapshot; now: Date }) {
  const tz = s.spec.timezone;
  return (
    <>
      <h2>This afk</h2>
      <ul class="facts meta">
        <li>
          unattended:{" "}
          {s.clock
            ? `${s.clock.unattended_days} day${s.clock.unattended_days === 1 ? "" : "s"} in a row with no manual tick`
            : "not counted yet — afk clock start begins counting days that ran with no manual tick"}
        </li>
        <li>
          stop it: <code>afk kill</code> on the host, or <code>POST /kill</code> with{" "}
          <code>Authorization: Bearer $AFK_STATUS_TOKEN</code> (creates the kill flag{" "}
          <code>{s.kill.flag}</code>; <code>afk arm</code> removes it)
        </li>
        <li>
          afk {s.version} · spec {s.spec.name} {s.spec.hash} ({s.spec.origin}) · {s.spec.cadence} · {tz}
        </li>
        <li>
          generated <When iso={s.generated_at} now={now} tz={tz} /> · <a href="/status.json">status.json</a> ·{" "}
          <a href="/metrics">metrics</a>
        </li>
      </ul>
    </>
  );
}

/** The whole page: the verdict, today's figures, then detail; every string escaped by hono/jsx. */
export function StatusPage({ data }: { data: PageData }) {
  const s = data.snapshot;
  const now = new Date(s.generated_at);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="60" />
        <title>{`${s.verdict.verdict} · afk · ${s.spec.name}`}</title>
        <style>{raw(PAGE_CSS)}</style>
      </head>
      <body>
        <h1>afk · {s.spec.name}</h1>
        <VerdictBanner s={s} now={now} />
        <TodayFigures s={s} now={now} />
        <h2>{beatsTitle(Math.min(data.ticks.length, HEARTBEAT_TICKS))}</h2>
        <Heartbeat ticks={data.ticks} s={s} now={now} />
        <h2>Last 14 days: value vs spend</h2>
        <Fortnight days={data.days} />
        <h2>Recent ticks</h2>
        <RecentTicks ticks={data.ticks.slice(0, TABLE_TICKS)} s={s} now={now} />
        <h2>Sources</h2>
        <div class="box">
          <Sources sources={data.sources} s={s} now={now} />
        </div>
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
        <Footer s={s} now={now} />
      </body>
    </html>
  );
}
