/**
 * The closed sets of the deliver ring's outbox, here in core because the ledger's CHECK reads
 * them. (Sink kinds and webhook formats are the spec's: `SINK_KINDS`, `WEBHOOK_FORMATS` in
 * spec/schema.ts.)
 *
 * An outbox row is `pending` (due at next_attempt_at), `sending` (claimed by a process that has
 * not recorded the result yet), `sent` (the sink accepted it: never sent again) or `failed` (a
 * permanent refusal, or max_attempts transient failures: no more automatic attempts).
 */
export const DELIVERY_STATUSES = ["pending", "sending", "sent", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How one attempt ended. `transient` is retried with backoff; `permanent` is not. */
export const ATTEMPT_OUTCOMES = ["sent", "transient", "permanent"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
