import type { Migration } from "../migrate.ts";

/** Tables owned by the status ring. Append only: never edit a migration that has shipped. */
export const statusMigrations: Migration[] = [];
