"""Serving the workspace: uvicorn on a socket bound to 127.0.0.1 only.

uvicorn is the reference ASGI server (HTTP/1.1 through h11, graceful
shutdown on Ctrl-C); the socket is bound here first so that `--port 0` gets
a free port whose number the Host check and the printed URL both know.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

HOST = "127.0.0.1"  # never another interface: the workspace has no accounts, the laptop's user is the user


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(sock: socket.socket, root: str | None, actor: str | None, ui: str,
          ready: Callable[[str], None]) -> None:
    """Serve until Ctrl-C (or SIGTERM); `ready` gets the URL once the server listens."""
    import uvicorn

    from workflow.workspace.app import Settings, create_app

    port = sock.getsockname()[1]
    app = create_app(Settings(root=root, actor=actor, port=port, ui=ui))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False,
                            date_header=False, proxy_headers=False, timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    ready(f"http://{HOST}:{port}/")
    server.run(sockets=[sock])
