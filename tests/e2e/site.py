"""A customer's web site for the browser tests: a tiny HTTP server on its own port
serving a shop page that embeds the widget with its one script tag."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

PAGE = Path(__file__).with_name("shop.html")


@contextlib.contextmanager
def shop_site(caseroom_url: str, org_slug: str) -> Iterator[str]:
    """Serve the shop page; yields its address. It is reached as `localhost`, a
    different site from the caseroom server at 127.0.0.1, as a real embed is."""
    html = PAGE.read_text().replace("{widget_src}", f"{caseroom_url}/widget.js")
    body = html.replace("{org}", org_slug).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet: the test output is for the test."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
