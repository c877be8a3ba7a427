"""motcua: the domain core shared by the job workers and the webapp."""

__version__ = "0.1.0"
