# On SIGTERM this job tries one more model call: afk's proxy must already have stopped answering.
import os, signal, sys, time, urllib.error, urllib.request

def last_call(*_):
    try:
        urllib.request.urlopen(os.environ["OLLAMA_HOST"] + "/api/version", timeout=5)
        result = "answered"
    except urllib.error.URLError as e:
        result = f"refused: {e.reason}"
    open("last-call.txt", "w").write(result)
    sys.exit(0)

signal.signal(signal.SIGTERM, last_call)
urllib.request.urlopen(os.environ["OLLAMA_HOST"] + "/api/version", timeout=5)
open("started.txt", "w").write("up")
time.sleep(300)
