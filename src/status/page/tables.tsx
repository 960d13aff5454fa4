/** @jsxImportSource hono/jsx */
import { formatUsd } from "../../core/money.ts";
import type { TickRow } from "../../ledger/ticks.ts";
import { explainSource } from "../explain.ts";
import { formatDuration } from "../format.ts";
import type { SourceHealthView } from "../queries.ts";
import type { StatusSnapshot } from "../snapshot-view.ts";
import { tickWords } from "../tick-words.ts";
import { relativeTime } from "../when.ts";
import { When } from "./when.tsx";

function took(t: TickRow): string {
  return formatDuration(
    t.ended_at ? new Date(t.ended_at).getTime() - new Date(t.started_at).getTime() : null,
  );
}

/** Recent ticks; below 640 px each row is a stacked card (CSS `.rows`). */
export function RecentTicks({ ticks, s, now }: { ticks: readonly TickRow[]; s: StatusSnapshot; now: Date }) {
  const tz = s.spec.timezone;
  const when = (iso: string) => relativeTime(new Date(iso), now, tz);
  if (ticks.length === 0) return <p>No ticks yet.</p>;
  return (
    <table class="rows">
      <thead>
        <tr>
          <th>started</th>
          <th>status</th>
          <th>value</th>
          <th>took</th>
          <th>model</th>
          <th>what happened</th>
          <th>trace</th>
        </tr>
      </thead>
      <tbody>
        {ticks.map((t) => (
          <tr>
            <td class="i" data-label="started">
              <When iso={t.started_at} now={now} tz={tz} /> ({t.trigger})
            </td>
            <td data-label="status" class={`i s-${t.status}`}>
              {t.status}
            </td>
            <td class="i" data-label="value">
              {formatUsd(t.value_micros)}
            </td>
            <td class="i" data-label="took">
              {took(t)}
            </td>
            <td class="i" data-label="model">
              {t.model ?? ""}
            </td>
            <td data-label="what">{tickWords(t, s.spec, when)}</td>
            <td data-label="trace">
              <code title={t.trace_path ?? "no trace"}>afk trace {t.id}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Per-source health from the sources ring, errors in operator words. */
export function Sources({
  sources,
  s,
  now,
}: {
  sources: readonly SourceHealthView[] | null;
  s: StatusSnapshot;
  now: Date;
}) {
  const tz = s.spec.timezone;
  if (sources === null || sources.length === 0) return <p>No source health data yet.</p>;
  return (
    <table class="rows">
      <thead>
        <tr>
          <th>source</th>
          <th>last fetch</th>
          <th>failures in a row</th>
          <th>last success</th>
          <th>last error</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((h) => {
          const view = s.spec.sources.find((x) => x.id === h.source_id);
          return (
            <tr>
              <td data-label="source">
                {h.source_id}
                {view?.optional ? " (optional)" : ""}
              </td>
              <td data-label="last fetch" class={h.last_outcome === "failed" ? "bad" : "s-ok"}>
                {h.last_outcome ?? "never fetched"}
                {h.last_attempt_at ? (
                  <>
                    {" "}
                    <When iso={h.last_attempt_at} now={now} tz={tz} />
                  </>
                ) : null}
              </td>
              <td data-label="in a row">{h.consecutive_failures}</td>
              <td data-label="last success">
                {h.last_success_at ? <When iso={h.last_success_at} now={now} tz={tz} /> : "never"}
              </td>
              <td data-label="last error">
                {h.last_error
                  ? explainSource({ id: h.source_id, code: h.last_code ?? "", error: h.last_error }, view)
                  : ""}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
