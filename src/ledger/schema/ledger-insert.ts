/**
 * The lab's "insert spend by hand" (`INSERT INTO ledger (usd_in) VALUES (999)`): an insert into
 * the view becomes one closed tick row and one settled call carrying that cost, so the cap sees
 * it. The call's `outcome` is the only part that changed since core-002 (models-002).
 */
export function ledgerInsertTrigger(outcome: string): string {
  return `
CREATE TRIGGER ledger_insert INSTEAD OF INSERT ON ledger
BEGIN
  INSERT INTO ticks (id, slot, trigger, status, day, started_at, ended_at, pid, version, spec_hash, spec_origin,
                     value_micros, reason)
  VALUES (
    coalesce(NEW.tick_id, 'manual-' || lower(hex(randomblob(6)))),
    coalesce(NEW.slot, NEW.ts, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    coalesce(NEW.trigger, 'manual'),
    coalesce(NEW.status, 'failed'),
    coalesce(NEW.day, substr(coalesce(NEW.ts, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), 1, 10)),
    coalesce(NEW.ts, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    coalesce(NEW.ts, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    0, coalesce(NEW.version, 'manual'), coalesce(NEW.spec_hash, 'manual'), 'manual',
    CAST(round(coalesce(NEW.value_usd, 0) * 1000000) AS INTEGER),
    coalesce(NEW.reason, 'inserted by hand into the ledger view'));
  INSERT INTO calls (tick_id, day, link_id, kind, model, state, cost_micros, started_at, ended_at, outcome)
  SELECT t.id, t.day, 'manual', 'manual', NULL, 'settled', CAST(round(NEW.usd_in * 1000000) AS INTEGER),
         t.started_at, t.started_at, '${outcome}'
    FROM ticks t WHERE t.rowid = last_insert_rowid() AND coalesce(NEW.usd_in, 0) > 0;
END;
`;
}
