/** A point of a memory series: x is when (a sample's index, a tick count), y the reading (MB, fds). */
export interface Point {
  x: number;
  y: number;
}

/** Least-squares slope of y over x; 0 for fewer than two distinct x. */
export function slope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Standard error of the least-squares slope: how far the slope of a series this noisy can read
 * from zero with no trend at all. 0 for fewer than three points.
 */
export function slopeError(points: readonly Point[]): number {
  const n = points.length;
  if (n < 3) return 0;
  const b = slope(points);
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let rss = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    rss += (p.y - my - b * (p.x - mx)) ** 2;
  }
  return sxx === 0 ? 0 : Math.sqrt(rss / (n - 2) / sxx);
}

/**
 * The trend of a series a garbage collector saws up and down: the points (in x order) cut into
 * consecutive windows of `window` points, each window's lowest reading (the level right after a
 * collection) placed at the window's middle, and the least-squares slope through those minima,
 * per unit of x. A leak lifts every minimum; garbage that is collected again lifts none, so a
 * spike, or where between two collections a two-point reading happens to fall, does not count.
 */
export function minimaSlope(points: readonly Point[], window: number): { slope: number; minima: Point[] } {
  const size = Math.max(1, Math.floor(window));
  const minima: Point[] = [];
  for (let i = 0; i < points.length; i += size) {
    const w = points.slice(i, i + size);
    const low = Math.min(...w.map((p) => p.y));
    minima.push({ x: ((w[0]?.x ?? 0) + (w.at(-1)?.x ?? 0)) / 2, y: low });
  }
  return { slope: slope(minima), minima };
}

/**
 * The growth method the bench and the soak share: `minimaSlope` over the series after its first
 * window. That window is warm-up (the heap and the JIT reaching their working size, caches
 * filling), which a process does once; a leak lifts every later window's low as well.
 * A series shorter than two windows keeps every point.
 */
export function steadyMinimaSlope(
  points: readonly Point[],
  window: number,
): { slope: number; minima: Point[] } {
  const size = Math.max(1, Math.floor(window));
  const steady = points.length >= 2 * size ? points.slice(size) : points;
  return minimaSlope(steady, size);
}
