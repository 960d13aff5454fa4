/** @jsxImportSource hono/jsx */
import { formatUsd } from "../../core/money.ts";
import { formatDuration, nextRunHeld } from "../format.ts";
import type { StatusSnapshot } from "../snapshot-view.ts";
import { When } from "./when.tsx";

/**
 * The verdict at the top of the page (`role="status"`, its first word the verdict): the first
 * reason on the same line, the others below it, each once, and how ticks resume.
 */
export function VerdictBanner({ s, now }: { s: StatusSnapshot; now: Date }) {
  const v = s.verdict;
  const tz = s.spec.timezone;
  const [first, ...rest] = v.reasons;
  const delivered = s.last_work?.status === "ok" || s.last_work?.status === "degraded" ? s.last_work : null;
  return (
    <section class={`verdict v-${v.verdict.replace(" ", "_")}`} role="status" aria-live="polite">
      <p>
        <strong>{v.verdict}</strong>
        {first ? ` — ${first.text}` : null}
        {!first && delivered ? (
          <>
            {" — last digest "}
            <When iso={delivered.ended_at ?? delivered.started_at} now={now} tz={tz} />
          </>
        ) : null}
      </p>
      {rest.length ? (
        <ul>
          {rest.map((r) => (
            <li>{r.text}</li>
          ))}
        </ul>
      ) : null}
      {v.resumes ? (
        <p class="resumes">
          {v.resumes.at ? (
            <>
              Resumes <When iso={v.resumes.at} now={now} tz={tz} />
              {" — "}
            </>
          ) : (
            "Resumes: "
          )}
          {v.resumes.how}
        </p>
      ) : null}
    </section>
  );
}

function Fig({ label, children, bad }: { label: string; children: unknown; bad?: boolean }) {
  return (
    <div class="fig">
      <b>{label}</b>
      <span class={bad ? "bad" : ""}>{children}</span>
    </div>
  );
}

/** Today's figures and the two times an operator asks about (last tick, next run): the first screen. */
export function TodayFigures({ s, now }: { s: StatusSnapshot; now: Date }) {
  const tz = s.spec.timezone;
  const t = s.last_tick;
  const held = nextRunHeld(s);
  return (
    <div class="figs">
      <Fig label="value today">
        {formatUsd(s.today.value_micros)}
        <small>
          {s.today.ticks} tick{s.today.ticks === 1 ? "" : "s"} on {s.today.day}
        </small>
      </Fig>
      <Fig label="spend / cap" bad={s.cap.reached}>
        {formatUsd(s.cap.spent_micros)} / {formatUsd(s.cap.cap_micros)}
        <small>{s.cap.reached ? "cap reached" : `${formatUsd(s.cap.remaining_micros)} left today`}</small>
      </Fig>
      <Fig label="last tick">
        {t ? <When iso={t.started_at} now={now} tz={tz} /> : "none yet"}
        <small>{t ? `${t.status} · ${formatDuration(t.duration_ms)} · ${t.model ?? "no model"}` : "—"}</small>
      </Fig>
      <Fig label="next run">
        {held ? "none" : s.next_run.at ? <When iso={s.next_run.at} now={now} tz={tz} /> : "none scheduled"}
        <small>{held ?? s.spec.cadence}</small>
      </Fig>
    </div>
  );
}
