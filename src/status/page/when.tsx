/** @jsxImportSource hono/jsx */
import { exactTime, relativeTime } from "../when.ts";

/** An instant as "3 min ago", with the exact time in `datetime` and the title. */
export function When({ iso, now, tz }: { iso: string; now: Date; tz: string }) {
  const at = new Date(iso);
  return (
    <time datetime={at.toISOString()} title={`${exactTime(at)} (spec zone ${tz})`}>
      {relativeTime(at, now, tz)}
    </time>
  );
}
