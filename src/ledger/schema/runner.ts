import type { Migration } from "../migrate.ts";

/** Tables owned by the runner ring. Append only: never edit a migration that has shipped. */
export const runnerMigrations: Migration[] = [];
