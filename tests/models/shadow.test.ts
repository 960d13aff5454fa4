import { describe, expect, test } from "bun:test";
import { costOf, shadowPrices } from "../../src/models/calls.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import { REPO_SPEC_PATH } from "../../src/spec/resolve.ts";
import { SpecSchema } from "../../src/spec/schema.ts";

const base = loadSpecFile(REPO_SPEC_PATH).spec;

describe("shadow prices", () => {
  test("the default spec prices free calls at its `shadow` model: 1M in + 1M out = $0.75", () => {
    const p = shadowPrices(base);
    expect(p).toMatchObject({ linkId: "shadow", model: "gpt-4o-mini" });
    expect(costOf(p, 1_000_000, 1_000_000)).toBe(750_000);
  });

  test("a priced paid link in the chain wins over `shadow`", () => {
    const spec = SpecSchema.parse({
      ...base,
      models: [
        ...base.models.slice(0, 1),
        {
          id: "paid",
          kind: "openai",
          base_url: "https://api.example.com/v1",
          model: "m",
          api_key_env: "K",
          usd_per_mtok_in: 1,
          usd_per_mtok_out: 2,
        },
      ],
    });
    expect(shadowPrices(spec)).toMatchObject({ linkId: "paid", inPerMtok: 1, outPerMtok: 2 });
  });

  test("no paid link and no `shadow` → no shadow cost rather than a made-up one", () => {
    const { shadow: _drop, ...rest } = base;
    expect(shadowPrices(SpecSchema.parse(rest))).toBeNull();
  });
});
