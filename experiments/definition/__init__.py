"""What an experiment is: its spec, budget and targets, initial points, schedules and data files."""
