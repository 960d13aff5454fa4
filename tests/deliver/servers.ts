import { createServer, type Server, type Socket } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  user: string | undefined;
  from: string | undefined;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on loopback (port 0) that requires AUTH PLAIN/LOGIN as `afk`/`s3cret-pw`.
 * `replies` scripts the answer to each DATA in turn: a code ≥ 400 rejects it with that code; past
 * the script every message is accepted.
 */
export async function startSmtp(replies: number[] = []) {
  const received: ReceivedMail[] = [];
  const rejected: number[] = [];
  const script = [...replies];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === "afk" && auth.password === "s3cret-pw") return cb(null, { user: auth.username });
      const err = Object.assign(new Error("Invalid username or password"), { responseCode: 535 });
      return cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const code = script.shift();
        if (code !== undefined && code >= 400) {
          rejected.push(code);
          return cb(
            Object.assign(new Error(code >= 500 ? "mailbox unavailable" : "try again later"), {
              responseCode: code,
            }),
          );
        }
        received.push({
          user: session.user as string | undefined,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://afk:s3cret-pw@127.0.0.1:${port}`,
    port,
    received,
    rejected,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP server that accepts every connection and never says a word (no SMTP greeting). */
export async function startSilent() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    accepted: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedPost {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A real HTTP receiver on loopback for ntfy and webhooks: records every request; `statuses`
 * scripts the answer to each request in turn (200 past the script). A status given as
 * `[429, "7"]` carries that Retry-After.
 */
export function startReceiver(statuses: (number | [number, string])[] = []) {
  const received: ReceivedPost[] = [];
  const script = [...statuses];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      received.push({
        path: new URL(req.url).pathname,
        headers: req.headers.toJSON(),
        body: await req.text(),
      });
      const next = script.shift() ?? 200;
      const [status, retryAfter] = Array.isArray(next) ? next : [next, undefined];
      return new Response(status < 300 ? "ok" : "nope", {
        status,
        headers: retryAfter ? { "Retry-After": retryAfter } : {},
      });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, received, stop: () => server.stop(true) };
}
