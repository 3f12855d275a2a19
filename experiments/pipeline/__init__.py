"""The top of an experiment: train → store → tables → variants → figures → report → manifest, for both kinds.

`population_runs` runs an experiment of populations trained to targets (and hands a held-out spec to
`held_out_runs`, which trains, tunes and scores on held-out data); both sit above everything they
orchestrate: `experiments.running` trains and stores, `experiments.analysis` reads the records,
`experiments.plots` draws, `experiments.report` writes the report.
"""
