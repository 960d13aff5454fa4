/** Replaced by `afk build` (bun build --define) with the JSON text of the spec's local files. */
declare const AFK_EMBEDDED_FILES: string | undefined;

/**
 * The local files (sample feeds) baked into this binary, by path relative to AFK_HOME. Checked by
 * hand (an object of strings): every command that reads the embedded spec passes here, and a cold
 * start should not build a schema for it.
 */
export function embeddedFiles(raw: string | undefined = readDefine()): Record<string, string> {
  if (raw === undefined) return {};
  const files: unknown = JSON.parse(raw);
  if (
    typeof files !== "object" ||
    files === null ||
    Array.isArray(files) ||
    !Object.values(files).every((v) => typeof v === "string")
  )
    throw new Error("AFK_EMBEDDED_FILES: expected an object of file texts by path");
  return files as Record<string, string>;
}

function readDefine(): string | undefined {
  return typeof AFK_EMBEDDED_FILES === "string" ? AFK_EMBEDDED_FILES : undefined;
}
