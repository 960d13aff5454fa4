import { afterEach, describe, expect, test } from "bun:test";
import { renderChecks } from "../../src/factory/doctor/check.ts";
import { checkSinks } from "../../src/factory/doctor/deliver-checks.ts";
import { deliverHome } from "./home.ts";
import { startReceiver, startSilent, startSmtp } from "./servers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const email = (id: string, env: string, extra = "") =>
  `{ id: ${id}, kind: email, to: ["me@example.org"], from: "afk <afk@example.org>", smtp_url_env: ${env}${extra} }`;

describe("afk doctor checks each sink without sending", () => {
  test("SMTP: connect, EHLO and AUTH against a real server; bad credentials and a silent server fail, naming no secret", async () => {
    const smtp = await startSmtp();
    const silent = await startSilent();
    const rx = startReceiver();
    const env = {
      GOOD_SMTP: smtp.url,
      BAD_SMTP: smtp.url.replace("s3cret-pw", "wr0ng-pass"),
      MUTE_SMTP: `smtp://afk:mute-pass@127.0.0.1:${silent.port}`,
      HOOK_TOKEN: "tk_doctor_123456",
      TEAM_HOOK_URL: `${rx.url}/services/T0TEAMSECRET`,
    };
    const h = deliverHome(
      [
        email("good", "GOOD_SMTP"),
        email("bad", "BAD_SMTP"),
        email("mute", "MUTE_SMTP", ", timeout_s: 0.3"),
        `{ id: hook, kind: webhook, url: "${rx.url}/hooks/s3cretpath", token_env: HOOK_TOKEN }`,
        `{ id: gone, kind: ntfy, url: "https://no-such-host.invalid/topic" }`,
        "{ id: team, kind: webhook, url_env: TEAM_HOOK_URL, format: slack }",
      ],
      env,
    );
    cleanups.push(smtp.stop, silent.stop, rx.stop, h.cleanup);
    const results = await checkSinks(h.app().loaded.spec, env, "/etc/afk.env");
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(by["deliver good"]).toMatchObject({ state: "ok" });
    expect(by["deliver good"]?.detail).toContain("connected, EHLO and AUTH accepted");
    expect(by["deliver bad"]).toMatchObject({ state: "fail" });
    expect(by["deliver bad"]?.detail).toContain("535");
    expect(by["deliver mute"]).toMatchObject({ state: "fail" });
    expect(by["deliver mute"]?.detail).toContain("ETIMEDOUT");
    expect(by["deliver hook"]).toMatchObject({ state: "ok" });
    expect(by["deliver hook"]?.detail).toBe(`webhook: ${rx.url} resolves to 127.0.0.1 (nothing sent)`);
    expect(by["deliver team"]?.detail).toBe(`webhook: ${rx.url} resolves to 127.0.0.1 (nothing sent)`);
    expect(by["deliver gone"]).toMatchObject({ state: "fail" });
    expect(by["deliver gone"]?.detail).toContain("https://no-such-host.invalid does not resolve");
    // Nothing was sent: no mail, no POST.
    expect(smtp.received).toEqual([]);
    expect(rx.received).toEqual([]);
    const text = renderChecks(results).join("\n");
    for (const secret of [
      "s3cret-pw",
      "wr0ng-pass",
      "mute-pass",
      "tk_doctor_123456",
      "s3cretpath",
      "T0TEAMSECRET",
    ])
      expect(text).not.toContain(secret);
  });

  test("a variable the spec names that is not set fails with the line to add", async () => {
    const h = deliverHome([email("inbox", "AFK_SMTP_URL")], { AFK_SMTP_URL: "smtp://a:b@127.0.0.1:1" });
    cleanups.push(h.cleanup);
    const results = await checkSinks(h.app().loaded.spec, {}, "/etc/afk.env");
    expect(results).toEqual([
      {
        name: "deliver inbox",
        state: "fail",
        detail: "smtp_url_env: environment variable AFK_SMTP_URL is not set",
        fix: "add AFK_SMTP_URL=<value> to /etc/afk.env",
      },
    ]);
  });
});
