"""`python -m webapp --host H --port P`: serve the webapp with waitress, with the inbox's task
collector running in the background."""

import argparse

from waitress import serve

from webapp import create_app

parser = argparse.ArgumentParser(prog="motcua web")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8000)
args = parser.parse_args()
app = create_app()
collector = app.extensions["motcua.collector"]
collector.start()  # user tasks from the engine into the inbox (webapp/inbox/collector.py)
try:
    serve(app, host=args.host, port=args.port, threads=8, ident="motcua")
finally:
    collector.stop()
