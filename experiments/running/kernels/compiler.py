"""numba's compiler for the training kernels: its nopython pipeline with copy propagation added.

A kernel's epoch loop binds arrays to names again and again: the inlined `ledger.close_epoch` takes a dozen
arrays per run and epoch, the step swaps the weights with their new values, the model is the weights or a
state array.  numba counts a reference at every such binding, with an atomic increment and decrement, unless
copy propagation has replaced the copy by its source first.  Its parallel pipeline (``parallel=True``) does
that (``numba.core.ir_utils.simplify``, twice, as its loop fusion does); its plain pipeline does not, and
without it the 1-1-1 kernel trained 2.2 times slower (issue 31: measured on one core, teacher task, N = 10⁴).

So the kernels are compiled serially (``parallel=False``: the threads of `chunks` share out their blocks),
which compiles in two thirds of the time a parallel loop takes, and with this pass they run as fast as they
did inside one.  The pass only removes names: the operations and their order, and so the results to the
bit, are the plain pipeline's (the kernels' tests hold every path equal).
"""

from __future__ import annotations

from numba.core import ir_utils
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import FunctionPass, register_pass
from numba.core.typed_passes import NopythonRewrites


@register_pass(mutates_CFG=True, analysis_only=False)
class CopyPropagation(FunctionPass):
    """Replace each copy of a variable by its source and drop the dead copies (numba's ``simplify``, twice: one
    round leaves the copies that a first round's replacements expose)."""

    _name = "optarena_copy_propagation"

    def __init__(self):
        FunctionPass.__init__(self)

    def run_pass(self, state) -> bool:
        for _ in range(2):
            ir_utils.simplify(state.func_ir, state.typemap, state.calltypes, state.metadata)
        return True


class KernelCompiler(CompilerBase):
    """numba's nopython pipeline, with `CopyPropagation` after its rewrites of the typed code."""

    def define_pipelines(self):
        pipeline = DefaultPassBuilder.define_nopython_pipeline(self.state)
        pipeline.add_pass_after(CopyPropagation, NopythonRewrites)
        pipeline.finalize()
        return [pipeline]


KERNEL = {"nogil": True, "pipeline_class": KernelCompiler}  # how a training kernel is compiled (with numba.njit)
