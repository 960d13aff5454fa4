import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256File } from "../../src/factory/compile.ts";
import { build, closedPort, copyRepoSpec, gateFile, REPO, tempDir } from "./helpers.ts";

/**
 * scripts/deploy.sh against a real OpenSSH server on loopback: Debian's sshd started here with a
 * generated host key and user key, root login by key only, on a free port. The "host" is this
 * machine: the deploy really copies, pre-flights, swaps, installs the crontab entry and checks it.
 * A PATH set by sshd (SetEnv) puts small stand-ins for `uname -m`, `id -u` and `sudo` first, each
 * switched on by a marker file, so an unknown architecture and a host without sudo can be shown.
 * No PID-1 systemd here: auto-detection picks cron; the unit itself is checked by systemd-analyze.
 */

const sshd = ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/scp", "/usr/bin/ssh-keygen", "/usr/bin/crontab"];
const missing = sshd.filter((p) => !existsSync(p));
const asRoot = process.getuid?.() === 0;
if (missing.length || !asRoot)
  console.warn(
    `deploy.test: skipped — needs root and ${missing.join(", ") || "(all present)"} (scripts/setup.sh --test installs openssh-server, cron)`,
  );

const t = tempDir("afk-deploy-");
const T = t.dir;
const remoteDir = join(T, "host", "afk");
let server: ReturnType<typeof Bun.spawn> | null = null;
let crontabBefore: string | null = null;
let binary = "";
let buildHome = "";

async function sh(argv: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}) {
  const p = Bun.spawn(argv, {
    cwd: opts.cwd ?? T,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, stdout, stderr, out: stdout + stderr };
}

/** scripts/deploy.sh as an operator runs it from the build's folder (dist/ beside it). */
function deploy(args: string[], env: Record<string, string> = {}) {
  return sh(["bash", join(REPO, "scripts", "deploy.sh"), ...args], {
    cwd: buildHome,
    env: { AFK_SSH_OPTS: `-F ${join(T, "ssh_config")}`, AFK_REMOTE_DIR: remoteDir, ...env },
  });
}

const crontab = async () => {
  const r = await sh(["crontab", "-l"]);
  return r.code === 0 ? r.stdout : "";
};

/** This file's entries only: root's crontab may hold others' (another checkout's run, the operator's). */
const ourEntries = async () => (await crontab()).split("\n").filter((l) => l.includes(T));

function envFile(name: string, lines: string[]): string {
  const path = join(T, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const goodEnv = () =>
  envFile("good.env", [
    "SPEND_CAP_USD=1.00",
    `OLLAMA_HOST=http://127.0.0.1:${closedPort()}`,
    "AFK_STATUS_ADDR=127.0.0.1:0",
  ]);

/** Switches a stand-in on (its marker file) for one deploy. */
async function withMarker<T>(name: string, content: string, fn: () => Promise<T>): Promise<T> {
  writeFileSync(join(T, name), `${content}\n`);
  try {
    return await fn();
  } finally {
    rmSync(join(T, name), { force: true });
  }
}

const stand = (name: string, body: string) => {
  writeFileSync(join(T, "fakebin", name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(T, "fakebin", name), 0o755);
};

/**
 * Root's crontab is one per machine: runs of this file from several checkouts at once would
 * overwrite each other's entries. flock(1) holds an exclusive lock for the whole file (released
 * when its `cat` ends: at afterAll, or when this process dies).
 */
async function lockCrontab(): Promise<() => Promise<void>> {
  const holder = Bun.spawn(
    ["flock", "-x", join(tmpdir(), "afk-deploy-test-crontab.lock"), "-c", "echo locked; cat"],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
    },
  );
  const reader = (holder.stdout as ReadableStream<Uint8Array>).getReader();
  await reader.read(); // "locked"
  reader.releaseLock();
  return async () => {
    holder.stdin.end();
    await holder.exited;
  };
}
let unlock: () => Promise<void> = async () => {};

/** Entries an earlier run of this file left for a home that no longer exists (it was killed). */
function withoutStale(text: string): string {
  return text
    .split("\n")
    .filter((l) => {
      const m = /cd (\/\S*\/afk-deploy-[^/\s]+)\/host\//.exec(l);
      return !m?.[1] || existsSync(m[1]);
    })
    .join("\n");
}

beforeAll(async () => {
  if (missing.length || !asRoot) return;
  unlock = await lockCrontab();
  if ((await sh(["crontab", "-l"])).code === 0) {
    crontabBefore = withoutStale(await crontab());
    await sh(["crontab", "-"], { stdin: crontabBefore });
  }
  // The binary, built once for the whole file (a green one-test gate stands in for the seams).
  buildHome = join(T, "build");
  mkdirSync(buildHome, { recursive: true });
  const b = await build({
    home: buildHome,
    spec: copyRepoSpec(join(buildHome, "spec")),
    gate: gateFile(T, true),
  });
  expect(b.code).toBe(0);
  binary = join(buildHome, "dist", "afk-linux-x64");

  for (const k of ["host_key", "user_key"])
    expect((await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(T, k)])).code).toBe(0);
  writeFileSync(join(T, "authorized_keys"), readFileSync(join(T, "user_key.pub")));
  chmodSync(join(T, "authorized_keys"), 0o600);
  mkdirSync(join(T, "fakebin"));
  stand(
    "uname",
    `if [ "$1" = -m ] && [ -f ${T}/fake-arch ]; then cat ${T}/fake-arch; else exec /bin/uname "$@"; fi`,
  );
  stand(
    "id",
    `if [ "$1" = -u ] && [ -f ${T}/fake-uid ]; then cat ${T}/fake-uid; else exec /usr/bin/id "$@"; fi`,
  );
  stand(
    "sudo",
    `if [ -f ${T}/fake-uid ]; then echo "sudo: a password is required" >&2; exit 1; else exec /usr/bin/sudo "$@"; fi`,
  );
  const port = closedPort();
  writeFileSync(
    join(T, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(T, "host_key")}`,
      `PidFile ${join(T, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(T, "authorized_keys")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "Subsystem sftp /usr/lib/openssh/sftp-server", // scp speaks SFTP (OpenSSH 9), as on any stock host
      `SetEnv PATH=${join(T, "fakebin")}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      "LogLevel INFO",
      "",
    ].join("\n"),
  );
  const hostPub = readFileSync(join(T, "host_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  writeFileSync(join(T, "known_hosts"), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(
    join(T, "ssh_config"),
    [
      "Host afk-test",
      "  HostName 127.0.0.1",
      `  Port ${port}`,
      "  User root",
      `  IdentityFile ${join(T, "user_key")}`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${join(T, "known_hosts")}`,
      "  StrictHostKeyChecking yes",
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true }); // sshd's privilege separation directory
  server = Bun.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", join(T, "sshd_config")], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  // Ready when it says it listens (awaited on its own log, not slept for).
  const reader = (server.stderr as ReadableStream<Uint8Array>).getReader();
  let log = "";
  while (!log.includes("Server listening on 127.0.0.1")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`sshd did not start: ${log}`);
    log += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}, 600_000);

afterAll(async () => {
  server?.kill("SIGTERM");
  await server?.exited;
  if (asRoot && !missing.length) {
    // Root's crontab without this file's entries (the deploy's cron path writes the real one);
    // no crontab at all if there was none before and nothing else was added meanwhile.
    const rest = (await crontab()).split("\n").filter((l) => !l.includes(T));
    if (crontabBefore === null && rest.every((l) => !l.trim())) await sh(["crontab", "-r"]);
    else await sh(["crontab", "-"], { stdin: `${rest.join("\n").replace(/\n*$/, "")}\n` });
  }
  await unlock();
  t.cleanup();
});

describe.skipIf(missing.length > 0 || !asRoot)("scripts/deploy.sh over real ssh (sshd on loopback)", () => {
  test("bad input changes nothing on the host: a missing binary, an unknown architecture, an arm64 host without its build, no sudo, a red doctor", async () => {
    const before = await ourEntries();

    const nobin = await deploy(["afk-test", join(T, "no-such-binary")], { AFK_ENV_FILE: goodEnv() });
    expect(nobin.code).toBe(2);
    expect(nobin.stderr).toContain(`deploy: ${join(T, "no-such-binary")} not found`);

    const arch = await withMarker("fake-arch", "riscv64", () =>
      deploy(["afk-test"], { AFK_ENV_FILE: goodEnv() }),
    );
    expect(arch.code).toBe(2);
    expect(arch.stderr).toContain("no build target for the host's architecture 'riscv64'");

    // An Ampere (arm64) host picks the arm64 build; not built here, so it says how to build it.
    const ampere = await withMarker("fake-arch", "aarch64", () =>
      deploy(["afk-test"], { AFK_ENV_FILE: goodEnv() }),
    );
    expect(ampere.code).toBe(2);
    expect(ampere.stderr).toContain(
      "deploy: dist/afk-linux-arm64 not found; build it first: bun run afk build --target linux-arm64",
    );

    const nosudo = await withMarker("fake-uid", "1000", () =>
      deploy(["afk-test"], { AFK_ENV_FILE: goodEnv(), AFK_DEPLOY_SCHEDULE: "systemd" }),
    );
    expect(nosudo.code).toBe(2);
    expect(nosudo.stderr).toContain("has no passwordless sudo; nothing changed");

    // Beyond loopback with no token: doctor is red on the host with the new binary.
    const open = envFile("open.env", ["AFK_STATUS_ADDR=0.0.0.0:0", "SPEND_CAP_USD=1.00"]);
    const red = await deploy(["afk-test"], { AFK_ENV_FILE: open });
    expect(red.code).toBe(1);
    expect(red.out).toContain("FAIL  status page");
    expect(red.stderr).toContain("doctor is red with the new binary");

    for (const r of [nobin, arch, ampere, nosudo, red]) expect(r.stderr).toContain("nothing changed");
    expect(existsSync(remoteDir)).toBe(false);
    expect(await ourEntries()).toEqual(before);
  }, 120_000);

  test("on its defaults (schedule detected: cron here): copies, pre-flights, swaps, installs the entry, and is alive; Day 0 follows", async () => {
    const r = await deploy(["afk-test"], { AFK_ENV_FILE: goodEnv() });
    expect(r.stderr).not.toContain("parameter not set");
    expect(r.code).toBe(0);
    expect(r.out).toContain("schedule: cron");
    expect(r.out).toMatch(/deploy: pre-flight: afk \S+/);
    expect(r.out).toContain("is alive on");
    expect(await sha256File(join(remoteDir, "afk"))).toBe(await sha256File(binary));
    expect(existsSync(join(remoteDir, "afk.new"))).toBe(false);
    const entries = (await crontab()).split("\n").filter((l) => l.includes(`${remoteDir}/afk tick --cron`));
    expect(entries).toHaveLength(1);
    // The walk-through's last step, over the same ssh: the unattended clock starts.
    const day0 = await sh([
      "ssh",
      "-F",
      join(T, "ssh_config"),
      "afk-test",
      `cd ${remoteDir} && AFK_HOME=$PWD ./afk clock start`,
    ]);
    expect(day0.code).toBe(0);
    expect(readFileSync(join(remoteDir, "runs", "run-log.md"), "utf8")).toMatch(/^Day 0: /m);
  }, 120_000);

  test("a second run is idempotent: the operator's env file is kept, one crontab entry, the previous binary kept", async () => {
    const env = join(remoteDir, "afk.env");
    writeFileSync(env, `${readFileSync(env, "utf8")}# edited by the operator\nSPEND_CAP_USD=0.50\n`);
    const edited = readFileSync(env, "utf8");
    const r = await deploy(["afk-test"], {
      AFK_ENV_FILE: envFile("other.env", ["SPEND_CAP_USD=9", "AFK_STATUS_ADDR=127.0.0.1:0"]),
    });
    expect(r.code).toBe(0);
    expect(readFileSync(env, "utf8")).toBe(edited);
    expect(r.out).toContain("previous kept as afk.prev");
    expect(await sha256File(join(remoteDir, "afk.prev"))).toBe(await sha256File(binary));
    const entries = (await crontab()).split("\n").filter((l) => l.includes(`${remoteDir}/afk tick --cron`));
    expect(entries).toHaveLength(1);
  }, 120_000);

  test("a new binary that is not alive after the swap is rolled back, exit 1", async () => {
    // Passes the pre-flight, fails the check after the restart (its full doctor is red).
    const bad = join(T, "afk-bad");
    writeFileSync(
      bad,
      [
        "#!/bin/sh",
        'case "$1" in',
        '  --version) echo "afk 0.0.0-broken (spec none)" ;;',
        '  doctor) case " $* " in *" --preflight "*) echo "doctor: all required checks passed" ;;',
        '    *) echo "  FAIL  status page  nothing answers"; exit 1 ;; esac ;;',
        '  install) echo "installed (stand-in)" ;;',
        "  *) exit 1 ;;",
        "esac",
        "",
      ].join("\n"),
    );
    chmodSync(bad, 0o755);
    const r = await deploy(["afk-test", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not alive after the restart");
    expect(r.stderr).toMatch(/rolled back to afk \S+/);
    expect(await sha256File(join(remoteDir, "afk"))).toBe(await sha256File(binary));
    expect(readFileSync(join(remoteDir, "afk.rolled-back"), "utf8")).toContain("0.0.0-broken");
  }, 120_000);

  test("--rollback puts the previous binary back and checks it", async () => {
    // Deploy the good one again (afk.prev = good), then roll back to it.
    expect((await deploy(["afk-test"])).code).toBe(0);
    const r = await deploy(["--rollback", "afk-test"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/deploy: rolled back to afk \S+ .*\(schedule: cron\)/);
    expect(existsSync(join(remoteDir, "afk.prev"))).toBe(false);
    expect(await sha256File(join(remoteDir, "afk"))).toBe(await sha256File(binary));
    const again = await deploy(["--rollback", "afk-test"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("no previous binary");
  }, 120_000);

  test("--rollback after an upgrade that applied a migration the previous afk must not read: refused with the backup offered and nothing changed; --restore-ledger rolls back with it; an additive one rolls back as it is", async () => {
    // The upgrade: afk.prev is kept and the ledger is backed up (SQLite's consistent copy) before the swap.
    const up = await deploy(["afk-test"]);
    expect(up.code).toBe(0);
    expect(up.out).toMatch(/deploy: backup: .*ledger\.sqlite → .*ledger\.prev\.sqlite\.new · \d+ ticks/);
    const backup = join(remoteDir, "ledger.prev.sqlite");
    const ledger = join(remoteDir, "ledger.sqlite");
    expect(existsSync(backup)).toBe(true);
    expect(existsSync(`${backup}.new`)).toBe(false);
    const ticksIn = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.query<{ n: number }, []>("SELECT count(*) AS n FROM ticks").get()?.n;
      } finally {
        db.close();
      }
    };
    const migrations = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db
          .query<{ id: string; compat: string | null }, []>(
            "SELECT id, compat FROM schema_migrations ORDER BY id",
          )
          .all();
      } finally {
        db.close();
      }
    };
    const backedUp = ticksIn(backup);
    // Two ticks run by the upgraded afk over the same ssh, then what a newer afk's migration leaves.
    for (let i = 0; i < 2; i++) {
      const tick = await sh([
        "ssh",
        "-F",
        join(T, "ssh_config"),
        "afk-test",
        `cd ${remoteDir} && set -a && . ./afk.env && set +a && AFK_HOME=$PWD AFK_KILL_FLAG=$PWD/afk.kill ./afk tick`,
      ]);
      expect(tick.code).toBe(0);
    }
    // and a paid call's spend since the backup, as the lab records it by hand (the view's insert)
    const paid = new Database(ledger);
    paid.run("INSERT INTO ledger (tick_id, ts, usd_in) VALUES ('paid-since-backup', ?, 0.75)", [
      new Date().toISOString(),
    ]);
    paid.close();
    const spentToday = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db
          .query<{ micros: number }, [string]>(
            "SELECT coalesce(sum(CASE WHEN state = 'reserved' THEN reserved_micros ELSE cost_micros END), 0) AS micros FROM calls WHERE day = ?",
          )
          .get(new Date().toISOString().slice(0, 10))?.micros;
      } finally {
        db.close();
      }
    };
    expect(spentToday(ledger)).toBeGreaterThanOrEqual(750_000);
    const spentBefore = spentToday(ledger);
    expect(ticksIn(ledger)).toBe((backedUp ?? 0) + 3);
    const newer = (id: string, compat: string) => {
      const db = new Database(ledger);
      db.run("INSERT INTO schema_migrations (id, applied_at, compat) VALUES (?, ?, ?)", [
        id,
        new Date().toISOString(),
        compat,
      ]);
      db.close();
    };
    newer("core-900", "breaking");
    const before = { ledger: migrations(ledger), afk: await sha256File(join(remoteDir, "afk")) };

    const refused = await deploy(["--rollback", "afk-test"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("deploy: not rolled back: the previous binary (afk ");
    expect(refused.stderr).toContain("(migration core-900 is unknown to this one)");
    expect(refused.stderr).toContain(`the ledger backup taken before the upgrade is ${backup}`);
    expect(refused.stderr).toContain("since the backup: 3 ticks");
    expect(refused.stderr).toContain("carrying that spend and the items delivered into it");
    expect(refused.stderr).toContain("scripts/deploy.sh --rollback --restore-ledger afk-test");
    expect(refused.stderr).toContain("nothing changed");
    expect({ ledger: migrations(ledger), afk: await sha256File(join(remoteDir, "afk")) }).toEqual(before);
    expect(existsSync(join(remoteDir, "afk.prev"))).toBe(true);

    const backupBytes = await sha256File(backup);
    const restored = await deploy(["--rollback", "--restore-ledger", "afk-test"]);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain(
      "deploy: ledger restored from ledger.prev.sqlite (since the backup: 3 ticks",
    );
    expect(restored.out).toContain(`carried into ${join(remoteDir, "ledger.restoring.sqlite")}: $`);
    // the cap of the restored ledger counts today's spend as the ledger it replaced did; the backup is as taken
    expect(spentToday(ledger)).toBe(spentBefore);
    expect(await sha256File(backup)).toBe(backupBytes);
    expect(existsSync(join(remoteDir, "ledger.restoring.sqlite"))).toBe(false);
    expect(restored.out).toMatch(/deploy: rolled back to afk \S+ .*\(schedule: cron\)/);
    expect(migrations(ledger).map((m) => m.id)).not.toContain("core-900");
    expect(ticksIn(ledger)).toBe((backedUp ?? 0) + 1); // the backup's ticks and the carried spend's one row
    const aside = /kept as (\S+\.sqlite)/.exec(restored.out)?.[1] ?? "";
    expect(migrations(aside).map((m) => m.id)).toContain("core-900"); // the newer ledger is kept, not lost
    expect(existsSync(join(remoteDir, "afk.prev"))).toBe(false);

    // An upgrade whose unknown migration is recorded additive: the previous afk opens it as it is.
    expect((await deploy(["afk-test"])).code).toBe(0);
    newer("core-901", "additive");
    const kept = await deploy(["--rollback", "afk-test"]);
    expect(kept.code).toBe(0);
    expect(kept.out).not.toContain("ledger restored");
    expect(migrations(ledger)).toContainEqual({ id: "core-901", compat: "additive" });
  }, 300_000);

  test.skipIf(!existsSync("/usr/bin/sqlite3"))(
    "a new binary that migrated the ledger at its start and is not alive: the backup goes back with afk.prev, the migrated ledger kept aside, exit 1",
    async () => {
      expect((await deploy(["afk-test"])).code).toBe(0); // afk = the good binary, to become afk.prev
      const ledger = join(remoteDir, "ledger.sqlite");
      // A newer afk stand-in: no backup command (the deploy falls back to sqlite3 .backup), a green
      // pre-flight, and at its install a breaking migration, as a newer afk leaves at its first start.
      const migrating = join(T, "afk-migrating");
      writeFileSync(
        migrating,
        [
          "#!/bin/sh",
          'case "$1" in',
          '  --version) echo "afk 9.9.9-migrating (spec none)" ;;',
          '  doctor) case " $* " in *" --preflight "*) echo "doctor: all required checks passed" ;;',
          '    *) echo "  FAIL  status page  nothing answers"; exit 1 ;; esac ;;',
          `  install) /usr/bin/sqlite3 "$AFK_HOME/ledger.sqlite" "INSERT INTO schema_migrations (id, applied_at, compat) VALUES ('core-902', 'now', 'breaking')" ;;`,
          "  *) exit 1 ;;",
          "esac",
          "",
        ].join("\n"),
      );
      chmodSync(migrating, 0o755);
      const r = await deploy(["afk-test", migrating]);
      expect(r.code).toBe(1);
      expect(r.out).toContain("the new binary has no backup command");
      expect(r.stderr).toContain("is not alive after the restart");
      expect(r.stderr).toContain("the previous binary cannot open the migrated ledger");
      expect(r.stderr).toContain("(migration core-902 is unknown to this one)");
      expect(r.stderr).toContain("restored ledger.prev.sqlite");
      // a newer afk that cannot carry the spend since: said so, and the backup goes back as it is
      expect(r.stderr).toContain(
        "spend since the backup not carried (this afk has no backup --carry-into): the cap will not count it",
      );
      expect(r.stderr).toMatch(/rolled back to afk \S+/);
      expect(await sha256File(join(remoteDir, "afk"))).toBe(await sha256File(binary));
      const ids = (path: string) => {
        const db = new Database(path, { readonly: true });
        try {
          return db
            .query<{ id: string }, []>("SELECT id FROM schema_migrations")
            .all()
            .map((m) => m.id);
        } finally {
          db.close();
        }
      };
      expect(ids(ledger)).not.toContain("core-902");
      const aside = /kept as (\S+\.sqlite)/.exec(r.stderr)?.[1] ?? "";
      expect(ids(aside)).toContain("core-902");
    },
    120_000,
  );

  test("AFK_DEPLOY_SCHEDULE=none (a host run by hand): pre-flight, swap and a binary that runs; no schedule touched", async () => {
    const before = await ourEntries();
    const plain = join(T, "host", "plain");
    const r = await deploy(["afk-test"], {
      AFK_DEPLOY_SCHEDULE: "none",
      AFK_REMOTE_DIR: plain,
      AFK_ENV_FILE: goodEnv(),
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain("schedule: none");
    expect(r.out).toContain(
      `no schedule installed (AFK_DEPLOY_SCHEDULE=none): start it yourself, e.g. cd ${plain} && ./afk serve`,
    );
    expect(r.out).toContain("is alive on");
    expect(await sha256File(join(plain, "afk"))).toBe(await sha256File(binary));
    expect(await ourEntries()).toEqual(before);
  }, 120_000);
});
