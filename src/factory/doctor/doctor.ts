import { join } from "node:path";
import type { Deps } from "../../core/deps.ts";
import { describeError } from "../../core/errors.ts";
import type { HostConfig } from "../../core/host.ts";
import { pidfileNamesLiveServe } from "../../runner/pidfile.ts";
import type { LoadedSpec } from "../../spec/load.ts";
import { resolveSpec } from "../../spec/resolve.ts";
import { type CheckResult, fail, ok } from "./check.ts";
import { checkSinks } from "./deliver-checks.ts";
import { checkClock, checkHome, checkKillFlag, checkLedger, checkStatusAddr } from "./host-checks.ts";
import { checkLedgerOnCopy } from "./ledger-preflight.ts";
import { checkKeys, checkOllama, deliversWithoutOllama } from "./model-checks.ts";
import { findPortHolder } from "./port-holder.ts";
import { checkSchedule, type ScheduleProbe } from "./schedule-check.ts";

export interface DoctorInput {
  deps: Pick<Deps, "clock" | "fetch" | "env">;
  host: HostConfig;
  specFlag: string | undefined;
  probe: ScheduleProbe;
  /** Where the host's env file is expected, for the fixes that edit it. */
  envFile?: string;
  ollamaTimeoutMs?: number;
  /**
   * Before a deploy swaps binaries: the schedule is not checked (the deploy installs it next),
   * the status port may be held by this home's running serve, and the ledger is migrated on a
   * copy only (the running afk keeps its ledger as it is until the swap).
   */
  preflight?: boolean;
}

/** This home's serve, when its pidfile names a live one: it may hold the status port itself. */
function ownServe(home: string): number | null {
  return pidfileNamesLiveServe(home, process.pid);
}

/**
 * "Runs on the host exactly as it did locally": every check afk needs before it can be left
 * alone, each failure with the command that fixes it. Nothing here throws; a check that cannot
 * run is a failed check.
 */
export async function runDoctor(
  input: DoctorInput,
): Promise<{ loaded?: LoadedSpec; results: CheckResult[] }> {
  const { deps, host } = input;
  const envFile = input.envFile ?? join(host.home, "afk.env");
  const results: CheckResult[] = [];
  let loaded: LoadedSpec | undefined;
  try {
    loaded = resolveSpec(input.specFlag, host.home);
    results.push(
      ok(
        "spec",
        `${loaded.spec.name} · hash ${loaded.hash} (${loaded.origin}) · ${loaded.spec.sources.length} sources, ${loaded.spec.models.length} model links`,
      ),
    );
  } catch (err) {
    results.push(
      fail(
        "spec",
        describeError(err),
        "fix the field named above, then rebuild and redeploy: afk build --spec SPEC.md",
      ),
    );
  }
  const home = checkHome(host.home);
  results.push(home);
  if (home.state === "ok") {
    const ledger = input.preflight ? checkLedgerOnCopy(host.home) : checkLedger(host.home);
    results.push(ledger.result, checkClock(deps.clock.now(), ledger.facts));
  } else results.push(checkClock(deps.clock.now(), undefined));
  results.push(
    checkKillFlag(host.killFlag),
    checkStatusAddr(host, envFile, { ownServe: ownServe(host.home), holder: findPortHolder }),
  );
  if (loaded) {
    const fallback = deliversWithoutOllama(loaded.spec, deps.env);
    results.push(
      ...(await checkOllama(loaded.spec, host.ollamaHost, deps.fetch, input.ollamaTimeoutMs, fallback)),
    );
    results.push(...checkKeys(loaded.spec, deps.env, envFile));
    results.push(...(await checkSinks(loaded.spec, deps.env, envFile)));
  }
  if (!input.preflight) results.push(await checkSchedule(input.probe));
  return { ...(loaded ? { loaded } : {}), results };
}
