import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { corpusDigests } from "./parse-digest.ts";
import { PIPELINE_DIGEST_FILE, pipelineRecord } from "./pipeline-digest.ts";

describe("bytes to normalised feed over the shared corpora", () => {
  test("every corpus file comes out byte for byte as recorded (pipeline-digest.json)", () => {
    const recorded = JSON.parse(readFileSync(PIPELINE_DIGEST_FILE, "utf8")) as Record<string, string>;
    expect(corpusDigests(pipelineRecord)).toEqual(recorded);
  }, 120_000);
});
