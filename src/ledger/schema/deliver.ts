import { ATTEMPT_OUTCOMES, DELIVERY_STATUSES, SINK_KINDS } from "../../core/delivery.ts";
import { sqlIn } from "../../core/status.ts";
import type { Migration } from "../migrate.ts";

/** Tables owned by the deliver ring. Append only: never edit a migration that has shipped. */
export const deliverMigrations: Migration[] = [
  {
    id: "deliver-001",
    // older afk: a new table it never touches (rows left pending wait for a newer afk)
    compat: "additive",
    sql: `
-- The outbox: one row per (slot, sink). Enqueued in the transaction that closes the delivering
-- tick; never deleted, so a slot a sink has accepted is never sent to it again.
CREATE TABLE deliver_outbox (
  slot             TEXT NOT NULL,                -- the cadence slot (UTC ISO)
  sink_id          TEXT NOT NULL,                -- the spec's deliver[].id
  kind             TEXT NOT NULL CHECK (kind IN (${sqlIn(SINK_KINDS)})),
  tick_id          TEXT NOT NULL,                -- the tick whose digest this row carries
  out_path         TEXT NOT NULL,                -- out/<file>: what is sent (read at send time)
  delivery_id      TEXT NOT NULL,                -- derived from slot and sink: Message-ID, Idempotency-Key
  status           TEXT NOT NULL CHECK (status IN (${sqlIn(DELIVERY_STATUSES)})),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
  created_at       TEXT NOT NULL,                -- UTC ISO
  next_attempt_at  TEXT NOT NULL,                -- a pending row is due from here
  claimed_by_pid   INTEGER,                      -- the process sending it (status 'sending')
  claimed_until    TEXT,                         -- after this a 'sending' row is taken back
  last_attempt_at  TEXT,
  last_outcome     TEXT CHECK (last_outcome IN (${sqlIn(ATTEMPT_OUTCOMES)})),
  last_error       TEXT,                         -- redacted: never a token, password or secret URL
  sent_at          TEXT,
  alerted_at       TEXT,                         -- when the watchdog named this failed row
  PRIMARY KEY (slot, sink_id)
);
CREATE INDEX deliver_outbox_due ON deliver_outbox(status, next_attempt_at);
CREATE INDEX deliver_outbox_sink ON deliver_outbox(sink_id, status);
`,
  },
  {
    id: "deliver-002",
    // older afk: two more indexes on a table it writes as before
    compat: "additive",
    // deliver/views.ts reads each sink's counts and last send off these (the outbox is never pruned)
    sql: `
CREATE INDEX deliver_outbox_sink_sent ON deliver_outbox(sink_id, status, sent_at);
CREATE INDEX deliver_outbox_sink_error ON deliver_outbox(sink_id, last_attempt_at) WHERE last_error IS NOT NULL;
`,
  },
];
