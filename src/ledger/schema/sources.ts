import type { Migration } from "../migrate.ts";

/** Tables owned by the sources ring. Append only: never edit a migration that has shipped. */
export const sourcesMigrations: Migration[] = [];
