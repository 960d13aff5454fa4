import type { FetchBudget } from "./byte-budget.ts";
import type { HealthRecord, StoredValidators } from "./health.ts";

/** What every source of one fetch step shares. */
export interface SharedFetch {
  /** The tick's fetch budget: bodies in flight together. */
  budget: FetchBudget;
  /** Each source's outcome, written to `source_health` once all have ended. */
  health: HealthRecord[];
  /** The validators stored when the step began (empty when the ledger could not be read). */
  validators: StoredValidators;
}
