import { describeError } from "../core/errors.ts";
import type { ClosedStatus } from "../core/status.ts";

/** A ping or notice never holds a tick up longer than this. */
export const PING_TIMEOUT_MS = 5_000;
export const ALERT_TIMEOUT_MS = 10_000;

export type SendResult = { ok: true; status: number } | { ok: false; error: string };

async function send(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<SendResult> {
  try {
    const res = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? { ok: true, status: res.status } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

/** An ntfy-compatible notice: plain-text body, a `Title` header (ASCII: header values are bytes). */
export function postNotice(
  fetchFn: typeof fetch,
  url: string,
  notice: { title: string; body: string; tags: string; priority: "default" | "high" },
  timeoutMs = ALERT_TIMEOUT_MS,
): Promise<SendResult> {
  return send(
    fetchFn,
    url,
    {
      method: "POST",
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        Title: notice.title.replace(/[^\x20-\x7e]/g, "?"),
        Tags: notice.tags,
        Priority: notice.priority,
      },
      body: notice.body,
    },
    timeoutMs,
  );
}

/** healthchecks.io convention: the URL itself on success, `<url>/fail` on failure. */
export function pingKind(status: ClosedStatus): "success" | "fail" {
  switch (status) {
    case "ok":
    case "degraded":
    case "quiet":
    case "skipped_done":
    case "skipped_overlap":
      return "success";
    case "failed":
    case "halted_cap":
    case "refused_kill":
    case "killed":
    case "timeout":
    case "crashed":
      return "fail";
    default: {
      const never: never = status;
      return never;
    }
  }
}

export function pingUrl(base: string, kind: "success" | "fail" | "start"): string {
  if (kind === "success") return base;
  return `${base.replace(/\/+$/, "")}/${kind}`;
}

/** Dead-man ping; the body says what the tick ended in (no secrets: status and reason only). */
export function ping(
  fetchFn: typeof fetch,
  base: string,
  status: ClosedStatus,
  body: string,
  timeoutMs = PING_TIMEOUT_MS,
): Promise<SendResult> {
  return send(
    fetchFn,
    pingUrl(base, pingKind(status)),
    { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body },
    timeoutMs,
  );
}
