import sys

sys.exit("motcua workers: the job workers are not built yet (issue 8).")
