# A learner's job with Python's standard library only: both APIs through afk's proxy.
import json, os, sys, urllib.error, urllib.request

def post(url, body, headers=None):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)

base, key, ollama = os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"], os.environ["OLLAMA_HOST"]
try:
    post(base + "/chat/completions", {"model": "gpt-4o-mini", "messages": []})
except urllib.error.HTTPError as e:
    print(f"no key: {e.code}", file=sys.stderr)
paid = post(base + "/chat/completions",
            {"model": sys.argv[1], "messages": [{"role": "user", "content": "One line on WAL mode."}], "max_tokens": 30},
            {"Authorization": "Bearer " + key})
local = post(ollama + "/api/chat", {"model": "llama3.1:8b", "stream": False,
             "messages": [{"role": "user", "content": "One line on croner."}]})
print(json.dumps({"title": "Python job", "items": 2,
                  "markdown": paid["choices"][0]["message"]["content"] + "\n\n" + local["message"]["content"]}))
