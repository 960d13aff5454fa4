/**
 * The id of every migration this afk knows, in the order `allMigrations` (migrations.ts) applies
 * them — without building their SQL. The cold read-only open (`afk status`) asks only whether each
 * is applied; importing the schema modules, which compose every table, trigger and view at load,
 * costs a compiled cold start ~0.6 ms. tests/ledger/migration-ids.test.ts holds the two lists
 * equal: a new migration is added here too, or that test names it.
 */
export const MIGRATION_IDS: readonly string[] = [
  "core-001",
  "core-002",
  "core-003",
  "core-004",
  "core-005",
  "core-006",
  "core-007",
  "core-008",
  "models-001",
  "models-002",
  "sources-001",
  "runner-001",
  "status-001",
  "status-002",
  "status-003",
  "deliver-001",
  "deliver-002",
];
