import { join } from "node:path";
import { dayIn } from "../core/clock.ts";
import { describeError } from "../core/errors.ts";
import { untilAborted } from "../core/wait.ts";
import type { AppContext } from "../runner/app.ts";
import type { RunnerPorts } from "../runner/ports.ts";
import { fileSink, rootSpan, tracePath } from "../trace/tracer.ts";
import { feedKey } from "./feed-key.ts";
import { dueRows, nextDue } from "./outbox.ts";

export interface DeliveryWorker {
  /** A tick closed: look at the feed and the outbox now. */
  kick(): void;
  /** Ends the loop after the pass in flight. */
  stop(): Promise<void>;
}

/**
 * serve's delivery side, between ticks: keeps out/digests.atom current, and sends outbox rows as
 * their backoff runs out (the tick's own after-tick pass sends new digests at once). It sleeps
 * until the earliest retry falls due or a tick closes; every failure is a warning, and it goes
 * on until stopped.
 */
export function startDeliveryWorker(
  app: AppContext,
  ports: Pick<RunnerPorts, "waitUntil" | "isAlive">,
): DeliveryWorker {
  const stopper = new AbortController();
  let wake: AbortController = new AbortController();
  const refreshFeed = feedRefresher(app);
  const warn = (err: unknown) => app.deps.warn(`deliver: ${describeError(err)}`);

  const loop = async () => {
    while (!stopper.signal.aborted) {
      const woken = wake.signal;
      try {
        await refreshFeed();
        await retryDue(app, ports);
      } catch (err) {
        warn(err);
      }
      if (stopper.signal.aborted) break;
      await sleepUntilDue(app, ports, AbortSignal.any([stopper.signal, woken]));
    }
    // A tick that closed while serve was stopping still reaches the feed file.
    try {
      await refreshFeed();
    } catch (err) {
      warn(err);
    }
  };
  const done = loop();

  return {
    kick() {
      const w = wake;
      wake = new AbortController();
      w.abort();
    },
    async stop() {
      stopper.abort();
      await done;
    },
  };
}

/** Rewrites out/digests.atom when what it shows has changed since the last write. */
function feedRefresher(app: AppContext): () => Promise<void> {
  // An empty ledger has no feed to write: out/ stays as it is until a digest lands.
  let lastFeed = "0/";
  return async () => {
    const key = feedKey(app);
    if (key === lastFeed) return;
    // The feed's rendering (hono's JSX, the digest's Markdown) loads when there is a feed to write.
    const { writeFeedFile } = await import("./feed-file.ts");
    writeFeedFile(app);
    lastFeed = key;
  };
}

/** Sends the outbox rows whose backoff has run out, under one `deliver_retry` span of today's trace. */
async function retryDue(app: AppContext, ports: Pick<RunnerPorts, "isAlive">): Promise<void> {
  const { deps, loaded } = app;
  const now = deps.clock.now();
  if (loaded.spec.deliver.length === 0 || dueRows(app.db(), now).length === 0) return;
  const day = dayIn(now, loaded.spec.timezone);
  const span = rootSpan(
    `deliver-${now.getTime()}`,
    fileSink(join(app.host.home, tracePath(day)), deps.redact),
    deps.clock,
    "deliver_retry",
  );
  // The sinks (SMTP, HTTP) load when a row is due, not when serve starts.
  const { deliverNow } = await import("./now.ts");
  const reports = await deliverNow(app, { span, isAlive: ports.isAlive });
  span.set({ attempts: reports.length }).end("ok");
}

/** Until the earliest retry falls due, or `signal` aborts (a tick closed, or stop). */
async function sleepUntilDue(
  app: AppContext,
  ports: Pick<RunnerPorts, "waitUntil">,
  signal: AbortSignal,
): Promise<void> {
  const due = app.loaded.spec.deliver.length > 0 ? nextDue(app.db()) : null;
  if (due) await ports.waitUntil(due, signal);
  else await untilAborted(signal);
}
