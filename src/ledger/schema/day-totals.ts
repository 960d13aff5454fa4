/**
 * core-008: per-day totals of the ticks and calls tables, kept by triggers in the same
 * transaction as each row's write, so "today" (`afk status`, `/status.json`, the page's
 * fortnight, the run log's Day N) is a lookup per asked day range, not an aggregate of the rows.
 *
 * - `totals_day_ticks`: per (day, status) the rows and their value — every row, `running` too,
 *   because a day's totals count every tick of that day.
 * - `totals_day_calls`: per day the spend as the `call_spend` view defines it (a reserved call at
 *   its reservation, any other at its cost) and the shadow cost.
 * A row inserted, rewritten (its day, status, value; its day, state, amounts) or deleted moves its
 * contribution, so the totals stay exactly what the rows add up to (tests/ledger/day-totals.test.ts
 * recomputes them). A (day, status) whose rows all moved away keeps its row at zero: readers skip
 * `ticks = 0`, and a trigger never spends a statement deleting it.
 */

/** The `call_spend` view's formula (core-004), on one row of a trigger. */
const SPEND = (r: string) =>
  `(CASE WHEN ${r}.state = 'reserved' THEN ${r}.reserved_micros ELSE ${r}.cost_micros END)`;

/** An upsert adding one row's contribution (sign 1) or taking it away (sign -1). */
function addTick(r: "NEW" | "OLD", sign: 1 | -1): string {
  return `INSERT INTO totals_day_ticks (day, status, ticks, value_micros)
  VALUES (${r}.day, ${r}.status, ${sign}, ${sign} * ${r}.value_micros)
  ON CONFLICT (day, status) DO UPDATE SET ticks = ticks + excluded.ticks, value_micros = value_micros + excluded.value_micros;`;
}

function addCall(r: "NEW" | "OLD", sign: 1 | -1): string {
  return `INSERT INTO totals_day_calls (day, spend_micros, shadow_micros)
  VALUES (${r}.day, ${sign} * ${SPEND(r)}, ${sign} * ${r}.shadow_micros)
  ON CONFLICT (day) DO UPDATE SET spend_micros = spend_micros + excluded.spend_micros,
     shadow_micros = shadow_micros + excluded.shadow_micros;`;
}

export const DAY_TOTALS_SQL = `
CREATE TABLE totals_day_ticks (
  day           TEXT NOT NULL,              -- YYYY-MM-DD in the spec's time zone, as on the row
  status        TEXT NOT NULL,
  ticks         INTEGER NOT NULL DEFAULT 0,
  value_micros  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, status)
) WITHOUT ROWID;
CREATE TABLE totals_day_calls (
  day            TEXT PRIMARY KEY,
  spend_micros   INTEGER NOT NULL DEFAULT 0,  -- settled and charged costs plus open reservations
  shadow_micros  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO totals_day_ticks (day, status, ticks, value_micros)
SELECT day, status, count(*), coalesce(sum(value_micros), 0) FROM ticks GROUP BY day, status;
INSERT INTO totals_day_calls (day, spend_micros, shadow_micros)
SELECT day, coalesce(sum(spend_micros), 0), coalesce(sum(shadow_micros), 0) FROM call_spend GROUP BY day;

CREATE TRIGGER totals_day_ticks_insert AFTER INSERT ON ticks
BEGIN
  ${addTick("NEW", 1)}
END;
CREATE TRIGGER totals_day_ticks_update AFTER UPDATE OF day, status, value_micros ON ticks
  WHEN OLD.day IS NOT NEW.day OR OLD.status IS NOT NEW.status OR OLD.value_micros IS NOT NEW.value_micros
BEGIN
  ${addTick("OLD", -1)}
  ${addTick("NEW", 1)}
END;
CREATE TRIGGER totals_day_ticks_delete AFTER DELETE ON ticks
BEGIN
  ${addTick("OLD", -1)}
END;

CREATE TRIGGER totals_day_calls_insert AFTER INSERT ON calls
BEGIN
  ${addCall("NEW", 1)}
END;
CREATE TRIGGER totals_day_calls_update AFTER UPDATE OF day, state, reserved_micros, cost_micros, shadow_micros ON calls
  WHEN OLD.day IS NOT NEW.day OR ${SPEND("OLD")} IS NOT ${SPEND("NEW")} OR OLD.shadow_micros IS NOT NEW.shadow_micros
BEGIN
  ${addCall("OLD", -1)}
  ${addCall("NEW", 1)}
END;
CREATE TRIGGER totals_day_calls_delete AFTER DELETE ON calls
BEGIN
  ${addCall("OLD", -1)}
END;
`;
