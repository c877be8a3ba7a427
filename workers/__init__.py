"""Job workers (pyzeebe): one module per family of job types."""
