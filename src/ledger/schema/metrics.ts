/**
 * status-003: what `/metrics` counts from a tick's close, kept by triggers as each tick closes
 * instead of being read back from every tick's detail JSON on each scrape.
 *
 * - `metrics_tick_seconds`: the tick-duration histogram, one row per bucket (not cumulative:
 *   the reader accumulates). Crashed ticks are left out: their end is when a later start found
 *   them, not when they stopped.
 * - `metrics_fallbacks`: chain hand-overs (detail.fallbacks) per (from, to) link.
 * - `metrics_source_failures`: ticks in which a source failed (detail.failed_sources) per source.
 * Counted once, when a row closes (or is inserted closed); seeded here from the rows already kept.
 */

/** Upper bounds (seconds) of the tick-duration buckets; the last is +Inf. */
export const TICK_SECONDS_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
] as const;

// julianday in milliseconds, rounded: the plain sqlite3 client of older hosts has no unixepoch subsec
const duration = (r: string) =>
  `max(0, round((julianday(${r}.ended_at) - julianday(${r}.started_at)) * 86400000.0) / 1000.0)`;
const detail = (r: string) => `CASE WHEN json_valid(${r}.detail) THEN ${r}.detail END`;

/** The statements counting one closed row `r` ('NEW' in a trigger). */
function countClosed(r: string): string {
  return `
  UPDATE metrics_tick_seconds SET ticks = ticks + 1, seconds = seconds + ${duration(r)}
   WHERE ${r}.status <> 'crashed' AND ${r}.ended_at IS NOT NULL
     AND le = (SELECT min(le) FROM metrics_tick_seconds WHERE le >= ${duration(r)});
  INSERT INTO metrics_fallbacks (from_link, to_link, n)
  SELECT json_extract(f.value, '$.from'), json_extract(f.value, '$.to'), 1
    FROM json_each(${detail(r)}, '$.fallbacks') f
   WHERE json_extract(f.value, '$.from') IS NOT NULL AND json_extract(f.value, '$.to') IS NOT NULL
  ON CONFLICT (from_link, to_link) DO UPDATE SET n = n + 1;
  INSERT INTO metrics_source_failures (source_id, n)
  SELECT json_extract(f.value, '$.id'), 1
    FROM json_each(${detail(r)}, '$.failed_sources') f
   WHERE json_extract(f.value, '$.id') IS NOT NULL
  ON CONFLICT (source_id) DO UPDATE SET n = n + 1;`;
}

export const METRICS_SQL = `
CREATE TABLE metrics_tick_seconds (
  le       REAL PRIMARY KEY,                 -- bucket upper bound in seconds; 9e999 is +Inf
  ticks    INTEGER NOT NULL DEFAULT 0,       -- ticks whose duration falls in this bucket only
  seconds  REAL NOT NULL DEFAULT 0           -- their durations added up
);
INSERT INTO metrics_tick_seconds (le) VALUES ${[...TICK_SECONDS_BUCKETS, "9e999"].map((b) => `(${b})`).join(", ")};
CREATE TABLE metrics_fallbacks (
  from_link  TEXT NOT NULL,
  to_link    TEXT NOT NULL,
  n          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (from_link, to_link)
);
CREATE TABLE metrics_source_failures (
  source_id  TEXT PRIMARY KEY,
  n          INTEGER NOT NULL DEFAULT 0
);

WITH d AS (SELECT ${duration("t")} AS s FROM ticks t
            WHERE t.status NOT IN ('running', 'crashed') AND t.ended_at IS NOT NULL),
     b AS (SELECT (SELECT min(le) FROM metrics_tick_seconds WHERE le >= d.s) AS le, d.s FROM d)
UPDATE metrics_tick_seconds SET ticks = agg.n, seconds = agg.total
  FROM (SELECT le, count(*) AS n, sum(s) AS total FROM b GROUP BY le) AS agg
 WHERE metrics_tick_seconds.le = agg.le;
INSERT INTO metrics_fallbacks (from_link, to_link, n)
SELECT json_extract(f.value, '$.from') AS a, json_extract(f.value, '$.to') AS b, count(*)
  FROM ticks t, json_each(${detail("t")}, '$.fallbacks') f
 WHERE t.status <> 'running' AND a IS NOT NULL AND b IS NOT NULL GROUP BY a, b;
INSERT INTO metrics_source_failures (source_id, n)
SELECT json_extract(f.value, '$.id') AS s, count(*)
  FROM ticks t, json_each(${detail("t")}, '$.failed_sources') f
 WHERE t.status <> 'running' AND s IS NOT NULL GROUP BY s;

CREATE TRIGGER metrics_tick_closed AFTER UPDATE OF status ON ticks
  WHEN OLD.status = 'running' AND NEW.status <> 'running'
BEGIN${countClosed("NEW")}
END;
CREATE TRIGGER metrics_tick_inserted_closed AFTER INSERT ON ticks WHEN NEW.status <> 'running'
BEGIN${countClosed("NEW")}
END;
`;
