import type { Migration } from "../migrate.ts";

/** Tables owned by the models ring. Append only: never edit a migration that has shipped. */
export const modelsMigrations: Migration[] = [];
