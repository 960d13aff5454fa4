import type { Deps } from "../core/deps.ts";
import type { HostConfig } from "../core/host.ts";
import { usdToMicros } from "../core/money.ts";
import { join } from "../core/path-light.ts";
import { makeRedactor, secretEnvNames } from "../core/redact.ts";
import type { LoadedSpec } from "../spec/load.ts";

/**
 * What a command reads from its context before it touches the ledger: the host, the validated spec,
 * the cap, and `deps` whose print/warn redact. `afk status` builds only this on its cold path (no
 * migrations, no crash recovery: see status's command); createAppContext adds the ledger.
 */
export interface AppBase {
  deps: Deps;
  host: HostConfig;
  loaded: LoadedSpec;
  version: string;
  /** The day's cap in micro-USD: SPEND_CAP_USD when set, else the spec's. */
  capMicros: number;
  ledgerPath: string;
}

/** The context's parts, and the secret values (those the spec names in the environment, and the status token). */
export function appBase(
  deps: Deps,
  host: HostConfig,
  loaded: LoadedSpec,
  version: string,
): { base: AppBase; secrets: (string | undefined)[] } {
  // One redactor from the secret values in the environment the spec names, at every sink.
  const secrets = [...secretEnvNames(loaded.spec).map((n) => deps.env[n]), host.statusToken];
  const redact = makeRedactor(secrets);
  deps.adoptRedactor?.(redact);
  const d: Deps = {
    ...deps,
    redact,
    print: (l) => deps.print(redact(l)),
    warn: (l) => deps.warn(redact(l)),
  };
  return {
    base: {
      deps: d,
      host,
      loaded,
      version,
      capMicros: usdToMicros(host.capUsd ?? loaded.spec.budget.daily_cap_usd),
      ledgerPath: join(host.home, "ledger.sqlite"),
    },
    secrets,
  };
}
