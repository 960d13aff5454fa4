import type { Migration } from "./migrate.ts";
import { coreMigrations } from "./schema/core.ts";
import { deliverMigrations } from "./schema/deliver.ts";
import { modelsMigrations } from "./schema/models.ts";
import { runnerMigrations } from "./schema/runner.ts";
import { sourcesMigrations } from "./schema/sources.ts";
import { statusMigrations } from "./schema/status.ts";

/** Every ring's migrations; core first because the others reference its tables. */
export const allMigrations: readonly Migration[] = [
  ...coreMigrations,
  ...modelsMigrations,
  ...sourcesMigrations,
  ...runnerMigrations,
  ...statusMigrations,
  ...deliverMigrations,
];
