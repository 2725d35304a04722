"""HTTP and HTTPS servers on loopback for the remote tests.

A server answers from a routes table: path -> (status, headers, body), where
body is bytes or a callable writing to the socket (for endless or slow
bodies).  Nothing here listens beyond 127.0.0.x.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found\n"
        else:
            status, headers, body = route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if callable(body):
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                body(self.wfile)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            return
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that hangs up early (kubelint stops reading at an HTTP
        # error or a size cap) is expected; anything else is a real error.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


class Server:
    def __init__(self, host: str = "127.0.0.1", tls: tuple[str, str] | None = None):
        self.httpd = _QuietServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes = {}
        self.httpd.requests = []
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def routes(self) -> dict:
        return self.httpd.routes

    @property
    def requests(self) -> list:
        return self.httpd.requests

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def endless(wfile):
    chunk = b"# more\n" * 1000
    while True:
        wfile.write(chunk)


def dripping(wfile):
    """A byte at a time, forever: every read succeeds, the whole never ends."""
    wfile.write(b"apiVersion: v1\n")
    while True:
        wfile.write(b"#")
        wfile.flush()
        time.sleep(0.05)


class Silent:
    """Accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


class HeaderDrip(Silent):
    """Answers with a status line, then a header a byte at a time, forever."""

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    @staticmethod
    def _drip(conn):
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while True:
                conn.sendall(b"a")
                time.sleep(0.05)
        except OSError:
            pass


def self_signed(directory) -> tuple[str, str] | None:
    """(cert, key) for 127.0.0.1 and localhost, made with the openssl CLI; None without it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key
