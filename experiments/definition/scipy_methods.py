"""scipy.optimize's methods that optarena runs as baselines: the names a spec may use, with what each is.

The baselines themselves run in `experiments.running.scipy_baselines`; a spec
needs only their names, so loading one loads neither scipy.optimize nor the
compiled network.
"""

SCIPY_METHODS = {  # optarena's name: (scipy.optimize.minimize's method, what it is)
    "scipy-bfgs": (
        "BFGS",
        "Broyden–Fletcher–Goldfarb–Shanno quasi-Newton with line search (Nocedal & Wright, Alg. 6.1)",
    ),
    "scipy-lbfgsb": ("L-BFGS-B", "limited-memory BFGS (Byrd, Lu, Nocedal & Zhu 1995)"),
    "scipy-cg": ("CG", "nonlinear conjugate gradient, Polak–Ribière (Nocedal & Wright, §5.2)"),
    "scipy-nelder-mead": ("Nelder-Mead", "derivative-free simplex search (Nelder & Mead 1965)"),
}
