"""`python -m workers`: every job worker, against ZEEBE_ADDRESS."""

import asyncio
import logging
import os

from workers.runner import run

logging.basicConfig(level=os.environ.get("MOTCUA_LOG_LEVEL", "INFO"),
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
asyncio.run(run())
