import { setDefaultTimeout } from "bun:test";

/**
 * Tests spawn real processes and servers: give a loaded machine room. (bunfig's `[test] timeout`
 * is not read by bun test; only `--timeout` or this call change its 5 s default.)
 */
setDefaultTimeout(60_000);
