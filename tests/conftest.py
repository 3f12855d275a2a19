# The fixture-regeneration scripts need torch; they are run by hand, never collected.
collect_ignore = ["fixtures"]
