import sys

sys.exit("motcua engine: the embedded engine's gRPC gateway is not built yet (issue 5).")
