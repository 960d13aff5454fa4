import { describeError } from "../core/errors.ts";
import type { AppContext } from "../runner/app.ts";
import { PING_TIMEOUT_MS, pingUrl } from "./notify.ts";

/**
 * Optional healthchecks.io `/start` ping when a tick starts (AFK_PING_URL), so the check can
 * measure run time. Bounded by a short timeout, never throws; a failure is a warning. The
 * runner may call it before a tick; the success or `/fail` ping is sent by afterTick.
 */
export async function beforeTick(app: AppContext, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  const base = app.host.pingUrl;
  if (!base) return;
  try {
    const res = await app.deps.fetch(pingUrl(base, "start"), {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (!res.ok) app.deps.warn(`before-tick: start ping failed: HTTP ${res.status}`);
  } catch (err) {
    app.deps.warn(`before-tick: start ping failed: ${describeError(err)}`);
  }
}
