"""How an experiment runs: the engine and its units, the population runner, the network evaluators, the fused
kernel, scipy's baselines, the cluster and the results on disk."""
