import pkg from "../../package.json" with { type: "json" };

/** afk's version, from package.json (embedded by `bun build --compile`). */
export const VERSION: string = pkg.version;
