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
