/** @jsxImportSource hono/jsx */
import type { SinkView } from "./views.ts";

/** The status page's delivery section: each sink's last delivery, pending and failed rows. */
export function DeliverySection({ sinks }: { sinks: readonly SinkView[] }) {
  return (
    <>
      <p class="meta">
        <a href="/digests">all digests</a> · <a href="/digests.atom">Atom feed</a> (subscribe from a feed
        reader)
      </p>
      {sinks.length === 0 ? (
        <p>No sinks in the spec's deliver: list.</p>
      ) : (
        <table>
          <tr>
            <th>sink</th>
            <th>kind</th>
            <th>last delivery</th>
            <th>pending</th>
            <th>failed</th>
            <th>last error</th>
          </tr>
          {sinks.map((v) => (
            <tr>
              <td>{v.id}</td>
              <td>{v.kind}</td>
              <td>{v.last_sent_at ?? "never"}</td>
              <td>{v.pending}</td>
              <td class={v.failed > 0 ? "bad" : ""}>{v.failed}</td>
              <td>{v.last_error ?? ""}</td>
            </tr>
          ))}
        </table>
      )}
    </>
  );
}
