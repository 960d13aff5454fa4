import { describe, expect, test } from "bun:test";
import { sleep, untilAborted } from "../../src/core/wait.ts";

describe("the one abortable wait", () => {
  test("an abort ends the wait at once, without rejecting", async () => {
    const stop = new AbortController();
    const waiting = sleep(60_000, stop.signal).then(() => "woke");
    stop.abort("stop");
    expect(await waiting).toBe("woke");
    expect(stop.signal.aborted).toBe(true);
  });

  test("an already aborted signal, or no time to wait, resolves without a timer", async () => {
    expect(await sleep(60_000, AbortSignal.abort())).toBeUndefined();
    expect(await sleep(0, new AbortController().signal)).toBeUndefined();
  });

  test("without an abort it waits its time", async () => {
    const signal = new AbortController().signal;
    let woke = false;
    const p = sleep(5, signal).then(() => {
      woke = true;
    });
    expect(woke).toBe(false);
    await p;
    expect(woke).toBe(true);
  });

  test("untilAborted resolves on the abort, and at once for an aborted signal", async () => {
    const stop = new AbortController();
    const p = untilAborted(stop.signal).then(() => stop.signal.reason);
    stop.abort("bye");
    expect(await p).toBe("bye");
    expect(await untilAborted(AbortSignal.abort())).toBeUndefined();
  });
});
