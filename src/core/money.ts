/** Money is integer micro-dollars everywhere inside afk; floats only at the edges (spec, view, display). */
export type Micros = number;

export const MICROS_PER_USD = 1_000_000;

/** Spec and env values arrive as USD decimals; round once, here. */
export function usdToMicros(usd: number): Micros {
  return Math.round(usd * MICROS_PER_USD);
}

export function microsToUsd(micros: Micros): number {
  return micros / MICROS_PER_USD;
}

/** `$1.234567` trimmed to cents where exact: `$2.50`, `$0.000150`. */
export function formatUsd(micros: Micros): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const dollars = Math.floor(abs / MICROS_PER_USD);
  const frac = String(abs % MICROS_PER_USD).padStart(6, "0");
  const trimmed = frac.endsWith("0000") ? frac.slice(0, 2) : frac;
  return `${sign}$${dollars}.${trimmed}`;
}

/** Cost of tokens at a price per million tokens, rounded up so a cap is never undercounted. */
export function tokenCost(tokens: number, usdPerMtok: number): Micros {
  // usd_per_mtok × tokens / 1e6 USD = usd_per_mtok × tokens micro-USD
  return Math.ceil(tokens * usdPerMtok);
}
