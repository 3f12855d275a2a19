"""The packages' imports point one way: from the command line down to the network and the optimizers.

Read from the source (every ``import``, the ones inside functions too): no module imports one of a higher
layer, and no modules import each other in a circle.
"""

import ast
import itertools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("network", "optimizers", "experiments")
LAYERS = [  # lowest first; a module belongs to the layer of the longest prefix it starts with
    ("network", "optimizers"),
    ("experiments.errors",),
    ("experiments.definition",),
    ("experiments.records",),
    ("experiments.running",),
    ("experiments.analysis",),
    ("experiments.plots",),
    ("experiments.report",),
    ("experiments.pipeline",),
    ("experiments",),  # the command line, explain, and the package's own names
]


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of the three packages it imports (a name imported from a package counts as the
    package, unless it is one of its modules)."""
    known = modules()

    def module_of(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in known.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {module_of(target) for target in imported if target.split(".")[0] in PACKAGES} - {name, None}
    return graph


def layer(module: str) -> int:
    matches = [
        (len(p), i) for i, prefixes in enumerate(LAYERS) for p in prefixes if module.startswith(p + ".") or module == p
    ]
    return max(matches)[1]


def test_each_module_is_in_the_layer_of_its_package():
    modules = ("network.tasks", "experiments.records", "experiments.running.kernels.fused", "experiments.cli")
    assert [layer(m) for m in modules] == [0, 3, 4, 9]


def test_no_module_imports_a_higher_layer():
    upward = [f"{a} → {b}" for a, targets in import_graph().items() for b in targets if layer(b) > layer(a)]
    assert upward == []


def test_running_knows_nothing_of_analysis_figures_or_the_report_and_analysis_nothing_of_figures():
    graph = import_graph()
    forbidden = {"experiments.running": ("analysis", "plots", "report"), "experiments.analysis": ("plots", "report")}
    crossing = [
        f"{a} → {b}"
        for a, targets in graph.items()
        for low, higher in forbidden.items()
        if a.startswith(low)
        for b in targets
        if any(b.startswith(f"experiments.{h}") for h in higher)
    ]
    assert crossing == []


def test_figures_train_nothing_themselves_and_use_only_the_infrastructure_of_running():
    infrastructure = {"experiments.running.storage", "experiments.running.workers", "experiments.running.interrupts"}
    training = [f"{a} → {b}" for a, targets in import_graph().items() if a.startswith(("experiments.plots",
                "experiments.report")) for b in targets if b.startswith("experiments.running") and b not in
                infrastructure]  # fmt: skip
    assert training == []  # what they draw comes with the results (`Results.replayed`)


def test_the_import_graph_has_no_cycle():
    graph, index, low, stack, cycles, counter = import_graph(), {}, {}, [], [], itertools.count()

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = next(counter)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_command_line_reaches_both_kinds_of_experiment_through_the_pipeline_alone():
    """It imports the pipeline inside its commands (the graph reads those imports too), and neither engine nor the
    held-out spec: which kind a spec or a folder holds is decided in `experiments.pipeline`, once."""
    imported = import_graph()["experiments.cli"]
    assert "experiments.pipeline" in imported
    kinds = {"experiments.pipeline.population_runs", "experiments.pipeline.held_out_runs"}
    assert not imported & (kinds | {"experiments.definition.held_out_spec"})


def test_no_function_outside_compiled_kernels_takes_more_than_eight_parameters():
    """Long signatures became records (`TrainingSetup`); a numba kernel, which takes arrays and numbers only,
    is exempt.  A kernel is a function decorated by a call (``@numba.njit(...)``, ``@_compiled()``, ``@compile_rule``)
    or handed to one (``numba.njit(...)(kernel)``), or one that stands for compiled code (``@overload(function)``
    and the function it overloads)."""
    long = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        compiled_later = {
            argument.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and (isinstance(node.func, ast.Call) or (isinstance(node.func, ast.Name) and node.func.id == "overload"))
            for argument in node.args
            if isinstance(argument, ast.Name)
        }
        for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
            decorators = " ".join(ast.unparse(decorator) for decorator in function.decorator_list)
            compiling = ("njit", "_compiled", "compile_rule", "overload")
            if function.name in compiled_later or any(k in decorators for k in compiling):
                continue
            arguments = function.args
            count = len(arguments.posonlyargs + arguments.args + arguments.kwonlyargs)
            count += (arguments.vararg is not None) + (arguments.kwarg is not None)
            count -= bool(arguments.args) and arguments.args[0].arg in ("self", "cls")
            if count > 8:
                long.append(f"{name}.{function.name}: {count}")
    assert long == []
