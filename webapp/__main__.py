"""`python -m webapp --host H --port P [--processes N]`: the webapp as `motcua web` serves it
(motcua/web_server.py: gunicorn workers, the inbox's task collector in one of them)."""

import argparse

from motcua import db, settings, web_server

parser = argparse.ArgumentParser(prog="python -m webapp")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--processes", type=int, default=None)
args = parser.parse_args()
db.migrate(settings.load().database_url)
web_server.serve(web_server.WebServerSettings.from_environment(args.host, args.port, args.processes))
