import { createServer, type Socket } from "node:net";

/**
 * An SMTP server on loopback that answers every command at once (EHLO with AUTH PLAIN/LOGIN,
 * AUTH, MAIL, RCPT, DATA, QUIT), so a bench measures the client's cost. smtp-server (the tests'
 * server) holds its greeting 100 ms to catch early talkers, which is that server's policy, not
 * afk's cost.
 */
export async function startSmtpResponder(): Promise<{
  port: number;
  messages: () => number;
  stop: () => Promise<void>;
}> {
  let messages = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    let inData = false;
    let buf = "";
    s.write("220 bench ESMTP\r\n");
    s.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          buf = buf.slice(end + 5);
          inData = false;
          messages++;
          s.write("250 OK queued\r\n");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") s.write("250-bench\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        else if (verb === "AUTH") s.write("235 Authentication successful\r\n");
        else if (verb === "DATA") {
          inData = true;
          s.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "QUIT") s.end("221 Bye\r\n");
        else s.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    messages: () => messages,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
