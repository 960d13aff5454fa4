import { formatOffset, isRepeatedWallTime, utcOffsetMinutes, zonedParts } from "../core/clock.ts";
import type { LoadedSpec } from "../spec/load.ts";

/**
 * File name of a slot's unit: `<spec name>-<YYYY-MM-DD>-<HHMM>.md` in the spec's time zone,
 * one file per slot instant. A wall time that happens twice (the repeated hour when the zone
 * falls back) also carries its UTC offset: `…-0130-0400.md`, then `…-0130-0500.md`.
 */
export function digestFileName(
  loaded: { spec: Pick<LoadedSpec["spec"], "name" | "timezone"> },
  slot: Date,
): string {
  const tz = loaded.spec.timezone;
  const { day, hhmm } = zonedParts(slot, tz);
  // Loop mode (TICK_SECONDS < 60) has several slots a minute: seconds keep their files apart.
  const ss = slot.getUTCSeconds();
  const offset = isRepeatedWallTime(slot, tz) ? formatOffset(utcOffsetMinutes(slot, tz)) : "";
  return `${loaded.spec.name}-${day}-${hhmm}${ss ? String(ss).padStart(2, "0") : ""}${offset}.md`;
}
