import type { Spec } from "../spec/schema.ts";

/** A server version Ollama clients accept (the API the proxy speaks). */
const OLLAMA_VERSION = "0.12.6";

/**
 * The proxy's answers that call no model: Ollama's root, `/api/version` and `/api/tags`, and
 * OpenAI's `/v1/models`, listing the spec's model links. Null for any other route.
 */
export function infoResponse(route: string, spec: Pick<Spec, "name" | "models">): Response | null {
  const models = spec.models.filter((l) => l.kind !== "extractive");
  switch (route) {
    case "GET /":
    case "HEAD /":
      return new Response("Ollama is running", { headers: { "content-type": "text/plain; charset=utf-8" } });
    case "GET /api/version":
      return Response.json({ version: OLLAMA_VERSION });
    case "GET /api/tags":
      return Response.json({
        models: models.map((l) => ({
          name: l.model,
          model: l.model,
          modified_at: spec.name,
          size: 0,
          digest: "",
          details: {},
        })),
      });
    case "GET /v1/models":
      return Response.json({
        object: "list",
        data: models.map((l) => ({ id: l.model, object: "model", created: 0, owned_by: l.id })),
      });
    default:
      return null;
  }
}
