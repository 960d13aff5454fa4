import { rng } from "./rng.ts";

function item(r: () => number, max: number): string {
  const n = () => Math.floor(r() * (max + 1));
  switch (Math.floor(r() * 5)) {
    case 0:
      return "*";
    case 1:
      return `*/${1 + Math.floor(r() * 20)}`;
    case 2:
      return String(n());
    case 3: {
      const a = n();
      return `${a}-${a + Math.floor(r() * (max - a + 1))}`;
    }
    default: {
      const a = n();
      return `${a}-${a + Math.floor(r() * (max - a + 1))}/${1 + Math.floor(r() * 7)}`;
    }
  }
}

/** Plain daily patterns (minutes and hours, `* * *`): the common ones, then `count` generated from `seed`. */
export function dailyPatterns(count: number, seed = 18): string[] {
  const r = rng(seed);
  const list = (max: number) => Array.from({ length: 1 + Math.floor(r() * 3) }, () => item(r, max)).join(",");
  const fixed = [
    "0 7 * * *",
    "* * * * *",
    "*/15 * * * *",
    "30 6,18 * * *",
    "0 0 * * *",
    "59 23 * * *",
    "5 */2 * * *",
  ];
  return [...fixed, ...Array.from({ length: count }, () => `${list(59)} ${list(23)} * * *`)];
}

/** One day-level field in lo..hi: `*` often (croner's OR needs both restricted), else a list. */
function dayField(r: () => number, lo: number, hi: number): string {
  if (r() < 0.4) return "*";
  const n = () => lo + Math.floor(r() * (hi - lo + 1));
  const step = () => 1 + Math.floor(r() * (hi - lo));
  const one = () => {
    const a = n();
    const b = a + Math.floor(r() * (hi - a + 1));
    switch (Math.floor(r() * 4)) {
      case 0:
        return `*/${step()}`;
      case 1:
        return String(a);
      case 2:
        return `${a}-${b}`;
      default:
        return `${a}-${b}/${step()}`;
    }
  };
  return Array.from({ length: 1 + Math.floor(r() * 3) }, one).join(",");
}

/** Numeric patterns with day, month and weekday fields: the common ones, then `count` generated from `seed`. */
export function dayPatterns(count: number, seed = 19): string[] {
  const r = rng(seed);
  const fixed = [
    "0 0 1 1 *",
    "0 7 * * 1",
    "0 7 * * 1-5",
    "0 7 * * 7",
    "0 7 * * 5-7",
    "0 7 1 * *",
    "30 6 1,15 * 1",
    "0 0 29 2 *",
    "0 0 31 * *",
    "0 9 * 1-3 */2",
    "*/30 8-17 */10 */3 *",
  ];
  const minutes = () => `${Math.floor(r() * 60)} ${Math.floor(r() * 24)}`;
  return [
    ...fixed,
    ...Array.from(
      { length: count },
      () => `${minutes()} ${dayField(r, 1, 31)} ${dayField(r, 1, 12)} ${dayField(r, 0, 7)}`,
    ),
  ];
}
