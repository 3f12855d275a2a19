"""What an experiment found: the results as tables, the metrics and tests, their renderings, and the report."""
