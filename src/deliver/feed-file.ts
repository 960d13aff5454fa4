import { deliverAtomically } from "../harness/deliver.ts";
import type { AppContext } from "../runner/app.ts";
import { renderAtom } from "./atom.ts";
import { feedKey } from "./feed-key.ts";

export { feedKey };

export const FEED_FILE = "digests.atom";

/** Rewrites out/digests.atom (atomically: a reader never sees half a feed); returns its text. */
export function writeFeedFile(app: AppContext): string {
  const text = renderAtom({
    db: app.db(),
    home: app.host.home,
    specName: app.loaded.spec.name,
    version: app.version,
    entries: app.loaded.spec.feed.entries,
  });
  deliverAtomically(app.host.home, FEED_FILE, text);
  return text;
}
