type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Line operations turning `a` into `b`, from a longest-common-subsequence table (specs are small). */
function operations(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] as string, a: i++, b: j++ });
    } else if (i < n && (j === m || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))) {
      ops.push({ kind: "-", line: a[i] as string, a: i++, b: j });
    } else {
      ops.push({ kind: "+", line: b[j] as string, a: i, b: j++ });
    }
  }
  return ops;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start : start},${count}`;
}

/**
 * A unified diff (`diff -u` shape, `context` lines around each change) of `before` → `after`;
 * empty when they are equal.
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  const ops = operations(splitLines(before), splitLines(after));
  const changed = ops.flatMap((op, k) => (op.kind === " " ? [] : [k]));
  if (changed.length === 0) return "";
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k] as number;
    let last = first;
    while (k + 1 < changed.length && (changed[k + 1] as number) - last <= 2 * context)
      last = changed[++k] as number;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    const hunk = ops.slice(from, to + 1);
    const aCount = hunk.filter((o) => o.kind !== "+").length;
    const bCount = hunk.filter((o) => o.kind !== "-").length;
    const head = hunk[0] as Op;
    const aStart = aCount === 0 ? head.a : head.a + 1;
    const bStart = bCount === 0 ? head.b : head.b + 1;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
  }
  return out.join("\n");
}
