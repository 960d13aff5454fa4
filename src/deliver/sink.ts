import type { SinkKind } from "../spec/schema.ts";
import type { DigestMessage } from "./digest.tsx";
import type { SendOutcome } from "./send-retry.ts";

/** What a sink is told besides the digest: the id its reader deduplicates on, and the clock's now. */
export interface SendContext {
  deliveryId: string;
  now: Date;
  specName: string;
}

/** One configured destination, credentials resolved from the environment once. */
export interface Sink {
  id: string;
  kind: SinkKind;
  timeoutMs: number;
  /** Never throws: every ending is an outcome whose error text is already redacted. */
  send(msg: DigestMessage, ctx: SendContext): Promise<SendOutcome>;
  /** Strips this sink's secrets from any text. */
  redact(text: string): string;
}
