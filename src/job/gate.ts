import { timingSafeEqual } from "node:crypto";
import { errorResponse } from "./wire.ts";

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The path a request asks for once the tick's token is checked: Ollama clients carry it as the
 * `/t/TOKEN` prefix of OLLAMA_HOST, OpenAI clients as `Authorization: Bearer`. A request without
 * the token gets each API's own 401.
 */
export function gate(req: Request, token: string): { ok: true; path: string } | { ok: false; res: Response } {
  let path = new URL(req.url).pathname;
  let authed = false;
  if (path.startsWith("/t/")) {
    const given = path.slice(3).split("/")[0] ?? "";
    authed = sameToken(given, token);
    path = path.slice(3 + given.length) || "/";
  } else {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    authed = bearer !== undefined && sameToken(bearer, token);
  }
  if (authed) return { ok: true, path };
  const res = path.startsWith("/v1/")
    ? errorResponse(
        "openai",
        401,
        "Incorrect API key provided: this proxy takes the tick's OPENAI_API_KEY.",
        "invalid_api_key",
      )
    : errorResponse("ollama_chat", 401, "unauthorized: use the OLLAMA_HOST afk gave this job", null);
  return { ok: false, res };
}
