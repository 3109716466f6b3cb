"""ember.func: composable function transforms, as ``torch.func``: ``grad``, ``vjp``, ``jvp``, ``jacrev``,
``jacfwd``, ``hessian``, ``linearize`` and ``vmap``, with ``functional_call`` to use modules as functions.
Built on ember's reverse-mode autograd (forward products by the double-vjp trick) and on running a vmapped
function once per sample: PyTorch's values, not its speed."""
from .batch_norm import replace_all_batch_norm_modules_
from .functional_call import functional_call, stack_module_state
from .grad import grad, grad_and_value
from .jacobians import hessian, jacfwd, jacrev
from .jvp import jvp, linearize
from .vjp import vjp
from .vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "linearize",
           "replace_all_batch_norm_modules_", "stack_module_state", "vjp", "vmap"]
