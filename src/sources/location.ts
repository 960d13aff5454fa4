import { classifyLocation, type Location } from "../spec/location.ts";
import { FeedError } from "./types.ts";

export type { Location } from "../spec/location.ts";

/** A source url's location (`spec/location.ts`), or the refusal as a FeedError of its code. */
export function locate(raw: string, specDir: string): Location {
  const where = classifyLocation(raw, specDir);
  if ("code" in where) throw new FeedError(where.code, where.message);
  return where;
}
