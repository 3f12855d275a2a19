"""The compiled training kernels: the 1-1-1 network's (`fused`), any layered network's (`fused_layered`), and the
per-run ledger both write (`ledger`)."""
