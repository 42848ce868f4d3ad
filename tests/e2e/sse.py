"""Read server-sent events from a streaming ``requests`` response (tests only)."""
import json
import queue
import threading


class SseReader:
    """Collects events of an open SSE response in a background thread."""

    def __init__(self, response):
        self.response = response
        self.events = queue.Queue()
        self.comments = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        event = {"event": "message", "data": []}
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                if raw is None:
                    continue
                if raw == "":
                    if event["data"]:
                        self.events.put({"event": event["event"], "data": "\n".join(event["data"])})
                    event = {"event": "message", "data": []}
                elif raw.startswith(":"):
                    self.comments += 1
                else:
                    name, _, value = raw.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "event":
                        event["event"] = value
                    elif name == "data":
                        event["data"].append(value)
        except Exception as exc:  # noqa: BLE001 - the stream ends with the test
            self.events.put({"event": "closed", "data": repr(exc)})
            return
        self.events.put({"event": "closed", "data": ""})

    def next(self, timeout=10):
        """The next event (dict with event and data); raises queue.Empty on timeout."""
        return self.events.get(timeout=timeout)

    def next_message(self, timeout=10):
        """The next ``message`` event's JSON payload."""
        while True:
            event = self.next(timeout)
            if event["event"] == "message":
                return json.loads(event["data"])
            if event["event"] == "closed":
                raise AssertionError("stream closed: " + event["data"])

    def close(self):
        self.response.close()
