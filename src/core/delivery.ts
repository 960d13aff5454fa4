/**
 * The closed sets of the deliver ring's outbox, here in core because the ledger's CHECK reads
 * them. (Webhook formats are the spec's: `WEBHOOK_FORMATS` in spec/schema.ts; the sink kinds are
 * here, not there, so the ledger's migrations do not load zod and the spec schema with them.)
 *
 * An outbox row is `pending` (due at next_attempt_at), `sending` (claimed by a process that has
 * not recorded the result yet), `sent` (the sink accepted it: never sent again) or `failed` (a
 * permanent refusal, or max_attempts transient failures: no more automatic attempts).
 */
/** The sinks a spec's `deliver:` may name (spec/schema.ts builds its union from them). */
export const SINK_KINDS = ["email", "ntfy", "webhook"] as const;

export const DELIVERY_STATUSES = ["pending", "sending", "sent", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How one attempt ended. `transient` is retried with backoff; `permanent` is not. */
export const ATTEMPT_OUTCOMES = ["sent", "transient", "permanent"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
