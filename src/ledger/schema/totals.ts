/**
 * core-005: all-time totals of the ticks and calls tables, kept by triggers in the same
 * transaction as each row's write, so a reader (`/metrics`) needs a few rows, not every tick.
 *
 * - `totals_ticks`: closed ticks per final status, their value, and the latest end time.
 *   A `running` row counts nowhere until it closes.
 * - `totals_calls`: per (link, kind) calls made, spend settled or charged (never decreases),
 *   open reservations (a gauge: a settle moves a call's amount from here to spent), shadow
 *   cost and tokens.
 * A row rewritten later (a status or value changed by hand) moves its contribution: totals stay
 * exactly what the rows add up to (tests/ledger/totals.test.ts recomputes them).
 */

const SPENT = (r: string) =>
  `(CASE WHEN ${r}.state IN ('settled','charged_full') THEN ${r}.cost_micros ELSE 0 END)`;
const RESERVED = (r: string) => `(CASE WHEN ${r}.state = 'reserved' THEN ${r}.reserved_micros ELSE 0 END)`;

/** An upsert adding one row's contribution (sign 1) or taking it away (sign -1). */
function addTick(r: "NEW" | "OLD", sign: 1 | -1): string {
  return `INSERT INTO totals_ticks (status, ticks, value_micros, last_ended_at)
  SELECT ${r}.status, ${sign}, ${sign} * ${r}.value_micros, ${sign === 1 ? `coalesce(${r}.ended_at, ${r}.started_at)` : "NULL"}
   WHERE ${r}.status <> 'running'
  ON CONFLICT (status) DO UPDATE SET ticks = ticks + excluded.ticks, value_micros = value_micros + excluded.value_micros,
     last_ended_at = nullif(max(coalesce(last_ended_at, ''), coalesce(excluded.last_ended_at, '')), '');`;
}

function addCall(r: "NEW" | "OLD", sign: 1 | -1, countCall: boolean): string {
  return `INSERT INTO totals_calls (link_id, kind, calls, spent_micros, reserved_micros, shadow_micros, tokens_in, tokens_out)
  VALUES (${r}.link_id, ${r}.kind, ${countCall ? sign : 0}, ${sign} * ${SPENT(r)}, ${sign} * ${RESERVED(r)},
          ${sign} * ${r}.shadow_micros, ${sign} * coalesce(${r}.tokens_in, 0), ${sign} * coalesce(${r}.tokens_out, 0))
  ON CONFLICT (link_id, kind) DO UPDATE SET calls = calls + excluded.calls,
     spent_micros = spent_micros + excluded.spent_micros, reserved_micros = reserved_micros + excluded.reserved_micros,
     shadow_micros = shadow_micros + excluded.shadow_micros, tokens_in = tokens_in + excluded.tokens_in,
     tokens_out = tokens_out + excluded.tokens_out;`;
}

export const TOTALS_SQL = `
CREATE TABLE totals_ticks (
  status         TEXT PRIMARY KEY,           -- a closed status
  ticks          INTEGER NOT NULL DEFAULT 0,
  value_micros   INTEGER NOT NULL DEFAULT 0,
  last_ended_at  TEXT                        -- UTC ISO of the latest tick closed with this status
);
CREATE TABLE totals_calls (
  link_id          TEXT NOT NULL,
  kind             TEXT NOT NULL,
  calls            INTEGER NOT NULL DEFAULT 0,
  spent_micros     INTEGER NOT NULL DEFAULT 0, -- settled and charged_full costs: never decreases
  reserved_micros  INTEGER NOT NULL DEFAULT 0, -- open reservations right now
  shadow_micros    INTEGER NOT NULL DEFAULT 0,
  tokens_in        INTEGER NOT NULL DEFAULT 0,
  tokens_out       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (link_id, kind)
);

INSERT INTO totals_ticks (status, ticks, value_micros, last_ended_at)
SELECT status, count(*), coalesce(sum(value_micros), 0), max(coalesce(ended_at, started_at))
  FROM ticks WHERE status <> 'running' GROUP BY status;
INSERT INTO totals_calls (link_id, kind, calls, spent_micros, reserved_micros, shadow_micros, tokens_in, tokens_out)
SELECT link_id, kind, count(*), coalesce(sum(${SPENT("calls")}), 0), coalesce(sum(${RESERVED("calls")}), 0),
       coalesce(sum(shadow_micros), 0), coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0)
  FROM calls GROUP BY link_id, kind;

CREATE TRIGGER totals_ticks_insert AFTER INSERT ON ticks WHEN NEW.status <> 'running'
BEGIN
  ${addTick("NEW", 1)}
END;
CREATE TRIGGER totals_ticks_update AFTER UPDATE OF status, value_micros ON ticks
  WHEN OLD.status IS NOT NEW.status OR OLD.value_micros IS NOT NEW.value_micros
BEGIN
  ${addTick("OLD", -1)}
  ${addTick("NEW", 1)}
END;
CREATE TRIGGER totals_ticks_delete AFTER DELETE ON ticks WHEN OLD.status <> 'running'
BEGIN
  ${addTick("OLD", -1)}
END;

CREATE TRIGGER totals_calls_insert AFTER INSERT ON calls
BEGIN
  ${addCall("NEW", 1, true)}
END;
CREATE TRIGGER totals_calls_update AFTER UPDATE OF link_id, kind, state, reserved_micros, cost_micros, shadow_micros, tokens_in, tokens_out ON calls
BEGIN
  ${addCall("OLD", -1, true)}
  ${addCall("NEW", 1, true)}
END;
CREATE TRIGGER totals_calls_delete AFTER DELETE ON calls
BEGIN
  ${addCall("OLD", -1, true)}
END;
`;
