"""A stand-in OPA server for tests, on loopback only.

The OPA server binary cannot be installed from the package registries this
project can use, so the `--opa-url` path is tested against this small HTTP
server.  It implements the part of OPA's REST API that kubelint uses (the
policy API: PUT /v1/policies/<id>; the data API: PUT /v1/data/<path> and
POST /v1/data/<path> with {"input": ...} answering {"result": ...}) and
evaluates with regopy, so it checks the client path, not OPA itself.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OpaStub:
    def __init__(self):
        self.policies: dict[str, str] = {}
        self.data: dict = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, code: int, doc=None):
                body = b"" if doc is None else json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                stub.requests.append(("GET", self.path))
                self._send(200, {})

            def do_PUT(self):
                stub.requests.append(("PUT", self.path))
                body = self._body()
                if self.path.startswith("/v1/policies/"):
                    with stub.lock:
                        stub.policies[self.path[len("/v1/policies/"):]] = body.decode()
                    self._send(200, {})
                elif self.path.startswith("/v1/data/"):
                    keys = [k for k in self.path[len("/v1/data/"):].split("/") if k]
                    with stub.lock:
                        node = stub.data
                        for k in keys[:-1]:
                            node = node.setdefault(k, {})
                        node[keys[-1]] = json.loads(body)
                    self._send(204)
                else:
                    self._send(404, {"code": "not_found", "message": self.path})

            def do_POST(self):
                stub.requests.append(("POST", self.path))
                if not self.path.startswith("/v1/data/"):
                    self._send(404, {"code": "not_found", "message": self.path})
                    return
                doc = json.loads(self._body() or b"{}")
                ref = ".".join(k for k in self.path[len("/v1/data/"):].split("?")[0].split("/") if k)
                self._send(200, stub.evaluate(ref, doc.get("input")))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def evaluate(self, ref: str, value) -> dict:
        from regopy import Input, Interpreter
        from regopy.rego_shared import rego_output_string, rego_query

        from kubelint.policy.engines import loads_lenient

        with self.lock:
            interpreter = Interpreter()
            for name, source in self.policies.items():
                interpreter.add_module(name, source)
            interpreter.add_data(self.data)
        interpreter.set_input(Input(value))
        text = rego_output_string(rego_query(interpreter._impl, f"x := data.{ref}"))
        if not text.startswith("{"):
            return {}
        bindings = loads_lenient(text).get("bindings") or {}
        return {"result": bindings["x"]} if "x" in bindings else {}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
