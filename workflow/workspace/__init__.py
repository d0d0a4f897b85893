"""`pubflow workspace`: translators and reviewers in the browser, on the same operations as the CLI.

A Starlette application (`app.create_app`) served by uvicorn on 127.0.0.1
(`server.serve`).  Every page reads through the operations (`desk`), every
write goes through the public API in `workflow` (the per-release lock, the
revision and segment checks included).  `security` holds what keeps a local
web app safe on a laptop: the Host check against DNS rebinding, a CSRF token
on every write, one logged line and a 500 for a crash.
"""
