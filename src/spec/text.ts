/** SPEC.md's shape: YAML front matter between `---` lines, then prose. */
const FRONT = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** The front matter's YAML and the prose after it; null when the text has no front matter. */
export function splitSpec(text: string): { yaml: string; prose: string } | null {
  const m = FRONT.exec(text);
  if (!m || m[1] === undefined) return null;
  return { yaml: m[1], prose: text.slice(m[0].length).trim() };
}

/** sha256 of the whole SPEC.md text, first 12 hex chars: the hash `--version` and every row show. */
export function specHash(text: string): string {
  return sha256Hex(text).slice(0, 12);
}

/** Bun's native hasher: loading `node:crypto` costs a cold start ~3 ms. */
export function sha256Hex(...parts: string[]): string {
  const h = new Bun.CryptoHasher("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}
