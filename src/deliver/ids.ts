/**
 * The id of one (slot, sink) delivery, the same in every process and every attempt: the email's
 * Message-ID and the HTTP Idempotency-Key derive from it. A crash between a sink accepting a
 * digest and the outbox recording it re-sends under the same id (at-least-once, deduplicable).
 */
export function deliveryId(specName: string, slot: string, sinkId: string): string {
  // Bun's hasher, not node:crypto: the serve's idle graph imports this file, and node:crypto costs it ~2 MB
  const h = new Bun.CryptoHasher("sha256")
    .update(`${specName}\n${slot}\n${sinkId}`)
    .digest("hex")
    .slice(0, 32);
  return `afk-${h}`;
}

/** `<afk-…@domain>` with the domain of the From address (RFC 5322 msg-id). */
export function messageId(id: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? "afk.invalid";
  return `<${id}@${domain}>`;
}
