/** ISO date, optionally with a time, and no zone designator: `2026-11-23T08:15:00`, `2026-11-23 08:15`. */
const ISO_LOCAL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
/** Ends in a zone: `Z`, `+0200`, `-08:00`, or a name such as GMT, UT, EST. */
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2}|\b[A-Za-z]{1,5})\s*$/;

/**
 * A feed date (RFC 822/1123 or ISO 8601) as ISO 8601 UTC, or null when unparsable or before 1970.
 * A date written without a zone is read as UTC, never as the host's local time, so the result does
 * not depend on where afk runs.
 */
export function isoDate(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let s = raw.trim();
  if (s === "" || s.length > 64) return null;
  const local = ISO_LOCAL.exec(s);
  if (local) s = `${local[1]}T${local[2]}Z`;
  else if (/\d:\d{2}/.test(s) && !HAS_ZONE.test(s)) s = `${s} GMT`;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return null;
  const d = new Date(t);
  const year = d.getUTCFullYear();
  return year < 1970 || year > 9999 ? null : d.toISOString();
}
