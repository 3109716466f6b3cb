"""The backward engine: walks the graph iteratively in dependency order (no recursion)."""
from __future__ import annotations

import itertools
from heapq import heappop, heappush

from .._ops.views import copied
from .._tensor import Tensor, _row_major, wrap
from . import grad_mode
from .node import AccumulateGrad, LeafHooks, Node, _anomaly, edge

# Which gradients the engine may keep as a leaf's ``.grad`` without copying (as PyTorch "steals" them) is
# decided without reference counts: built-in nodes return new tensors or views of the gradients they
# receive, so a gradient is the engine's own unless user code has seen it. `_run` keeps the gradients
# user code has seen ("exposed", by id, held so ids stay unique): those passed to backward, those given to
# or returned by hooks and custom Functions' backward, one object sent to two inputs, and those a leaf
# has adopted, so no two ``.grad`` share memory. Exposure covers a view's memory through its base.


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate gradients of `tensors` into the ``.grad`` of leaves (or of `inputs` only)."""
    fn = None
    if inputs is None and isinstance(tensors, Tensor):
        fn = tensors._grad_fn if tensors._base is None else tensors.grad_fn
    if fn is not None:
        # t.backward() of a scalar, or t.backward(g) with g shaped like t: the checks of _roots all hold.
        seed = grad_tensors
        if seed is None and not tensors._data.shape and tensors._dtype.is_floating_point:
            seed = _ones_like(tensors)
        if isinstance(seed, Tensor) and seed._data.shape == tensors._data.shape:
            _run([(fn, tensors._output_nr)], [seed],
                 create_graph if retain_graph is None else retain_graph, create_graph, None, accumulate=True,
                 exposed=() if seed is not grad_tensors else (seed,))
            return
    if grad_tensors is not None and not isinstance(grad_tensors, (tuple, list)):
        grad_tensors = (grad_tensors,)
    tensors = _as_tuple(tensors)
    roots, grads = _roots(tensors, grad_tensors, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _checked_inputs(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        captured = _run(roots, grads, retain_graph, create_graph, inputs, accumulate=False)
        for i, t in enumerate(inputs):
            g, captured[i] = captured[i], None
            if g is not None and not t.retains_grad:  # retain_grad's hook has filled .grad already
                _accumulate(t, g, create_graph, None)  # a captured gradient is copied
                _run_post_accumulate_hooks(t)
                ref = getattr(t, "_accumulator", None)
                _run_accumulate_node_hooks(ref() if ref is not None else None, g)
        return
    _run(roots, grads, retain_graph, create_graph, None, accumulate=True,
         exposed=[g for g in grad_tensors or () if isinstance(g, Tensor)])


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         is_grads_batched=False, materialize_grads=False):
    """Return the gradients of `outputs` with respect to `inputs` without touching ``.grad``."""
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _checked_inputs(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    roots, grads = _roots(outputs, None if grad_outputs is None else _as_tuple(grad_outputs), "grad")
    if retain_graph is None:
        retain_graph = create_graph
    captured = _run(roots, grads, retain_graph, create_graph, inputs, accumulate=False, for_grad=True)
    result = []
    for index, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {index} appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from .._ops import creation
                g = creation.zeros_like(t)
        result.append(g)
    return tuple(result) if not single or len(result) != 1 else (result[0],)


def _ones_like(t: Tensor) -> Tensor:
    """The implicit gradient of a scalar output: ones, on its device and in its dtype."""
    return Tensor._make(t._device.kernels.full(t._data.shape, 1, t._dtype), t._dtype, t._device)


def _as_tuple(x) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _checked_inputs(inputs) -> tuple:
    """`inputs` of grad()/backward() as a tuple, refusing a non-tensor with PyTorch's RuntimeError."""
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
    return inputs


def _roots(tensors, grad_tensors, caller):
    """The root edges and their starting gradients (ones for scalar outputs)."""
    if grad_tensors is not None and len(grad_tensors) != len(tensors):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs: got {len(grad_tensors)} "
                           f"gradients for {len(tensors)} tensors")
    roots, grads = [], []
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):  # PyTorch's assertion, in its class
            raise AssertionError(f"{caller}(): expected output to be a Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        g = None if grad_tensors is None else grad_tensors[i]
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t._dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{t._dtype!r}")
            g = _ones_like(t)
        elif not isinstance(g, Tensor):
            raise TypeError(f"{caller}(): gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g._data.shape != t._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                               f"has a shape of {t.shape}.")
        root = edge(t)
        if root[0] is None:  # a view made without a graph requires grad, but no gradient reaches anything
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append(root)
        grads.append(g)
    return roots, grads


def _run(roots, grads, retain_graph, create_graph, inputs, accumulate, exposed=(), for_grad=False):
    """Execute the graph behind `roots`; return the gradients captured for `inputs` (if any). `exposed`:
    the gradients among `grads` that the user holds (see the top of this module); `for_grad`: a grad() call,
    whose leaves are captured (backward(inputs=) accumulates them).

    Nodes run newest first (by `Node._seq`, as PyTorch's ready queue orders them by sequence number): a
    node is newer than every node its edges lead to, so when it runs, every node that can send it a
    gradient has run. No dependency count is needed."""
    seen = {id(g): g for g in exposed} if exposed else {}
    capture: dict = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            capture.setdefault(edge(t), []).append(i)
    run = _Run(seen, capture, _needed(roots, capture) if inputs is not None else None, accumulate, create_graph,
               len(inputs) if inputs is not None else 0, roots, for_grad)
    pending: dict = {}  # the gradients received by each node waiting in `heap`
    heap: list = []  # (-seq, node) of the nodes waiting: the newest on top
    # a one-output node newer than every waiting one, reached by its first gradient: it runs next, without
    # passing through `pending` and `heap` (as the one root of backward() does)
    handed = handed_grad = None
    if len(roots) == 1 and roots[0][0]._num_outputs == 1 and not capture:
        handed, handed_grad = roots[0][0], grads[0]
    else:
        for (node, nr), g in zip(roots, grads):
            slots = pending.get(node)
            if slots is None:
                slots = pending[node] = [None] * node._num_outputs
                heappush(heap, (-node._seq, node))
            slots[nr] = g if slots[nr] is None else slots[nr] + g
    state = grad_mode.state
    previous = state.enabled
    state.enabled = create_graph
    _running.append(run)
    # the loop's methods and globals bound once (each is looked up several times per node otherwise)
    pop_pending, get_pending, anomaly, step = pending.pop, pending.get, _anomaly, run.step
    plain_path = not capture  # plain nodes (no hooks, no user code, one output) run inline below
    try:
        while True:
            if handed is not None:
                node, handed = handed, None
                if node._plain and plain_path:
                    # the hot loop: a plain node's gradients that fit their inputs already, as `_call` would
                    input_grads = node.backward(handed_grad)
                    if input_grads.__class__ is not tuple:
                        input_grads = (input_grads,)
                    meta = node._input_meta
                    n = len(input_grads)
                    edges = node.next_functions
                    if n != len(meta) or anomaly.check_nan:
                        input_grads = _fitted(node, input_grads, [handed_grad])
                        _expose_repeated(seen, input_grads)
                    elif n == 1 or (n == 2 and edges[1][0] is None):
                        # one edge to follow (unary ops; binary ops by a constant): its gradient checked and
                        # passed on without a loop (a gradient along no edge is dropped unseen)
                        g, m = input_grads[0], meta[0]
                        if g is not None and m is not None and (g._data.shape != m[0] or g._dtype is not m[1]):
                            g = _fit(g, m, node, 0)
                        if not retain_graph and node._saved:
                            node._saved = None
                        next_node = edges[0][0]
                        if g is not None and next_node is not None and next_node._num_outputs == 1 and (
                                not heap or -heap[0][0] < next_node._seq):  # (so it is not waiting in `heap`)
                            handed, handed_grad = next_node, g  # the edge loop's first case below
                            continue
                        input_grads = (g,)
                    else:
                        for g, m in zip(input_grads, meta):
                            if g is not None and m is not None and (g._data.shape != m[0] or g._dtype is not m[1]):
                                input_grads = _fitted(node, input_grads, [handed_grad])
                                break
                        if n == 2:  # _expose_repeated's common cases, inlined
                            g = input_grads[0]
                            if g is input_grads[1] and g is not None:
                                seen[id(g)] = g
                        elif n == 3:
                            g, g1, g2 = input_grads
                            if (g is not None and (g is g1 or g is g2)) or (g1 is not None and g1 is g2):
                                _expose_repeated(seen, input_grads)
                        else:
                            _expose_repeated(seen, input_grads)
                elif node.__class__ is AccumulateGrad and plain_path and accumulate and node._pre_hooks is None and \
                        node._hooks is None and not node.variable._hooks and node.variable._requires_grad:
                    _accumulate(node.variable, handed_grad, create_graph, seen)  # `step`'s leaf case, inline
                    continue
                else:
                    input_grads = step(node, [handed_grad])
                    if input_grads is None:
                        continue
            elif heap:
                node = heappop(heap)[1]
                node_grads = pop_pending(node)
                if plain_path and node._num_outputs == 1 and node_grads[0] is not None:
                    handed, handed_grad = node, node_grads[0]  # the first branch runs it (plain or not)
                    continue
                input_grads = step(node, node_grads)
                if input_grads is None:
                    continue
            else:
                break
            if not retain_graph and node._saved:
                node._saved = None
            for (next_node, nr), g in zip(node.next_functions, input_grads):
                if next_node is None:
                    continue
                slots = get_pending(next_node)
                if slots is None:  # its first gradient (or None: it still runs, as every node reached)
                    if next_node is handed:  # a second edge to the node that runs next (x * x)
                        if g is not None:
                            handed_grad = handed_grad + g
                        continue
                    seq = next_node._seq
                    if g is not None and next_node._num_outputs == 1 and (not heap or -heap[0][0] < seq) and (
                            handed is None or handed._seq < seq):
                        if handed is not None:  # no longer the newest: it waits its turn
                            pending[handed] = [handed_grad]
                            heappush(heap, (-handed._seq, handed))
                        handed, handed_grad = next_node, g
                        continue
                    slots = pending[next_node] = [None] * next_node._num_outputs
                    heappush(heap, (-seq, next_node))
                if g is not None:
                    previous_grad = slots[nr]
                    slots[nr] = g if previous_grad is None else previous_grad + g
    finally:
        state.enabled = previous
        _running.pop()
    return run.captured


# The backward passes running, innermost last: whether the innermost accumulates into leaves' .grad
# (backward() without inputs=, not grad(): a reentrant checkpoint's backward needs it, `accumulating`), its
# id and which nodes it runs (`register_multi_grad_hook` needs them).
_running: list = []
_next_task_id = itertools.count().__next__


def accumulating() -> bool:
    """Whether the innermost running backward pass accumulates into .grad (True outside any pass)."""
    return not _running or _running[-1].accumulate


def current_graph_task_id() -> int:
    """The id of the innermost running backward pass, -1 outside any (PyTorch's graph task id)."""
    return _running[-1].task_id if _running else -1


def will_execute(node: Node) -> bool:
    """Whether the innermost running backward pass runs `node` (reached from its roots and, for grad() or
    backward(inputs=), leading to an input)."""
    if not _running:
        raise RuntimeError("_will_engine_execute_node should only be called during the backward pass")
    return _running[-1].runs(node)


class _Run:
    """One backward pass's state and its general step: a node with hooks, user code or several outputs, a
    leaf's AccumulateGrad, and the nodes of a grad()/inputs= call (captured, or not needed)."""

    def __init__(self, seen: dict, capture: dict, needed, accumulate: bool, create_graph: bool,
                 n_inputs: int, roots, for_grad: bool) -> None:
        self.seen, self.capture, self.needed = seen, capture, needed
        self.accumulate, self.create_graph = accumulate, create_graph
        self.captured: list = [None] * n_inputs
        self.roots, self.for_grad = roots, for_grad
        self.task_id = _next_task_id()
        self.reached: set | None = None  # the nodes reached from `roots`, found when first asked

    def runs(self, node: Node) -> bool:
        """Whether this pass runs `node`."""
        if self.needed is not None:
            if self.for_grad and node.__class__ is AccumulateGrad and (node, 0) in self.capture:
                raise RuntimeError("A leaf node was passed to _will_engine_execute_node but we are currently running "
                                   "autograd.grad(). This is currently not supported.")
            return node in self.needed
        if self.reached is None:
            reached = self.reached = set()
            stack = [fn for fn, _ in self.roots]
            while stack:
                fn = stack.pop()
                if fn is not None and fn not in reached:
                    reached.add(fn)
                    stack.extend(next_node for next_node, _ in fn.next_functions)
        return node in self.reached

    def step(self, node: Node, node_grads: list):
        """Run `node` on `node_grads`; its inputs' gradients, or None when its edges are not to be followed
        (a leaf's node, or a node no captured input is reached from)."""
        seen, capture = self.seen, self.capture
        if capture and node not in self.needed:  # (as PyTorch, its hooks do not run either)
            if len(self.roots) == 1 and node is self.roots[0][0]:
                _run_root_tensor_hooks(node, node_grads, seen)
            return None
        if node._pre_hooks and not (self.for_grad and node.__class__ is AccumulateGrad):  # (grad() captures it)
            _expose(seen, node_grads)
            _run_tensor_pre_hooks(node, node_grads)
            _expose(seen, node_grads)
        if node.__class__ is AccumulateGrad:
            g = node_grads[0]
            if g is not None and (self.accumulate or (node, 0) in capture):
                variable = node.variable
                if variable._hooks:
                    g = _run_leaf_hooks(variable._hooks, g, seen)
                if capture:
                    _capture(node, [g], capture, self.captured)
                if self.accumulate and variable._requires_grad:  # a leaf since made not to require grad: none
                    _accumulate(variable, g, self.create_graph, seen)
                    _run_post_accumulate_hooks(variable)
                    _run_accumulate_node_hooks(node, g)
            return None
        if capture:
            _capture(node, node_grads, capture, self.captured)
            if self.for_grad and not any(n in self.needed for n, _ in node.next_functions if n is not None):
                return None  # grad() captured it, and it leads to no other input: as PyTorch's, it does not run
        if node._user_code or node._hooks:
            _expose(seen, node_grads)
            input_grads = _call(node, node_grads)
            _expose(seen, node_grads)
            _expose(seen, input_grads)
            return input_grads
        input_grads = _call(node, node_grads)
        if len(input_grads) == 2:  # _expose_repeated's common case, inlined
            g = input_grads[0]
            if g is input_grads[1] and g is not None:
                seen[id(g)] = g
        elif len(input_grads) > 2:
            _expose_repeated(seen, input_grads)
        return input_grads


def _expose(seen: dict, grads) -> None:
    """Record that user code has seen `grads` (None entries skipped)."""
    for g in grads:
        if g is not None:
            seen[id(g)] = g


def _expose_repeated(seen: dict, grads) -> None:
    """One gradient object sent to several inputs is not the engine's alone: expose it."""
    for i, g in enumerate(grads):
        if g is not None:
            for other in grads[i + 1:]:
                if other is g:
                    seen[id(g)] = g


def _capture(node: Node, node_grads: list, capture: dict, captured: list) -> None:
    for nr, g in enumerate(node_grads):
        slots = capture.get((node, nr))
        if slots is not None and g is not None:
            for i in slots:
                captured[i] = g if captured[i] is None else captured[i] + g


def _needed(roots, capture) -> set:
    """The nodes from which a captured edge can be reached: only these run for grad()/inputs=."""
    targets = {node for node, _ in capture}
    needed: set = set()
    done: set = set()
    stack = [(node, False) for node, _ in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            if node in targets or any(n in needed for n, _ in node.next_functions if n is not None):
                needed.add(node)
            done.add(node)
            continue
        if node in done:
            continue
        stack.append((node, True))
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in done:
                stack.append((next_node, False))
    return needed


def _run_root_tensor_hooks(node: Node, node_grads: list, seen: dict) -> None:
    """The tensor hooks (retain_grad's too) of the one root of a grad()/inputs= pass that leads to no input:
    PyTorch's engine starts at that node itself and calls the tensor hooks of every node it evaluates, even
    one it then skips (not its node hooks, nor its backward; a leaf's gradient is not accumulated)."""
    if node.__class__ is AccumulateGrad:
        if node.variable._hooks and node_grads[0] is not None:
            _run_leaf_hooks(node.variable._hooks, node_grads[0], seen)
    elif node._pre_hooks:
        _expose(seen, node_grads)
        _run_output_hooks(node, node_grads)


def _run_tensor_pre_hooks(node: Node, node_grads: list) -> None:
    _run_output_hooks(node, node_grads)
    for hook in list((node._pre_hooks or {}).get(None, ())):
        out = _hook_result(hook, hook(tuple(node_grads)), len(node_grads))
        if out is not None:
            node_grads[:] = list(out)


def _run_output_hooks(node: Node, node_grads: list) -> None:
    """The hooks registered on `node`'s outputs (their tensors' ``register_hook`` and retain_grad), each
    of which may replace its output's gradient."""
    pre_hooks = node._pre_hooks or {}
    for nr, hooks in pre_hooks.items():
        if nr is None:
            continue
        for hook in list(hooks):
            if node_grads[nr] is None:
                break
            out = hook(node_grads[nr])
            if out is not None:
                node_grads[nr] = out


def _hook_result(hook, out, expected: int):
    """What a node's (pre-)hook returned, checked as PyTorch checks it: None, or a tuple of `expected` values."""
    if out is None:
        return None
    if not isinstance(out, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
    if len(out) != expected:
        raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has returned an incorrect number of values "
                           f"(got {len(out)}, but expected {expected})")
    return out


def _run_accumulate_node_hooks(node, g: Tensor) -> None:
    """The hooks registered on a leaf's AccumulateGrad node (if any), given no gradient inputs and `g`."""
    if node is not None and node._hooks:
        for hook in list(node._hooks):
            _hook_result(hook, hook((), (g,)), 0)


def _call(node: Node, node_grads: list):
    """Run one node's backward, then fit each gradient to its input's shape and dtype."""
    out = node.backward(node_grads[0]) if node._num_outputs == 1 else node.backward(*node_grads)
    return _fitted(node, out if out.__class__ is tuple else (out,), node_grads)


def _fitted(node: Node, grads: tuple, node_grads: list):
    """`grads` from `node`'s backward checked for their count and each fitted to its input's shape and
    dtype, then passed through the node's hooks and anomaly mode's NaN check."""
    meta = node._input_meta
    if len(grads) != len(meta):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected "
                           f"{len(meta)}, got {len(grads)})")
    fitted: list | tuple = grads
    for i, (g, m) in enumerate(zip(grads, meta)):
        if g is not None and m is not None and (g._data.shape != m[0] or g._dtype is not m[1]):
            if fitted is grads:
                fitted = list(grads)
            fitted[i] = _fit(g, m, node, i)  # type: ignore[index]  # a list once copied above
    if node._hooks:
        for hook in node._hooks:
            replaced = _hook_result(hook, hook(tuple(fitted), tuple(node_grads)), len(fitted))
            if replaced is not None:
                if any(g is None and new is not None for g, new in zip(fitted, replaced)):
                    raise RuntimeError("can't replace a None gradient with a non-None value")
                fitted = list(replaced)
    if _anomaly.check_nan:
        _check_nan(node, fitted)
    return fitted


def _fit(g: Tensor, meta: tuple, node: Node, index: int) -> Tensor:
    """`g` summed to its input's shape (undoing broadcasting) and cast to its dtype."""
    shape, dtype = meta
    if g._data.shape != shape:
        g = _sum_to(g, shape, node, index)
    if g._dtype is not dtype:
        g = g.to(dtype)
    return g


def _sum_to(g: Tensor, shape: tuple, node: Node, index: int) -> Tensor:
    """Sum a broadcast gradient back to its input's shape: the one place broadcasting is undone. A gradient
    that does not broadcast to it (a scatter's src larger than its index) is PyTorch's error."""
    from .._ops.sum_to import broadcasts_to, sum_to

    if not broadcasts_to(shape, g._data.shape):
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {index} - got "
                           f"{list(g._data.shape)} but expected shape compatible with {list(shape)}")
    g = sum_to(g, shape)
    if g._data.shape != shape:
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient - got {g.shape} but "
                           f"expected shape compatible with {list(shape)}")
    return g


def _run_leaf_hooks(hooks: list, g: Tensor, seen: dict) -> Tensor:
    """The gradient of a leaf after its tensor hooks (which may replace it), for ``.grad`` and grad() alike;
    what the hooks see and return is exposed in `seen`."""
    seen[id(g)] = g
    for hook in list(hooks):
        out = hook(g)
        if out is not None:
            g = seen[id(out)] = out
    return g


def _run_post_accumulate_hooks(variable: Tensor) -> None:
    """A leaf's post-accumulate-grad hooks (if any), each given the tensor once ``.grad`` is up to date."""
    hooks = variable._hooks
    if hooks.__class__ is not LeafHooks:
        return
    for hook in list(hooks.post):
        out = hook(variable)
        if out is not None:
            if not isinstance(out, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(out).__name__}'")
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _accumulate(variable: Tensor, g: Tensor, create_graph: bool, seen: dict | None) -> None:
    """Add `g` into ``variable.grad``. A first gradient that is the engine's own (not in `seen`, nor its
    base; see the top of this module) becomes ``.grad`` itself, exposed from then on; any other is copied,
    and always with create_graph, where the new ``.grad`` is a differentiable copy (PyTorch's CopyBackwards)."""
    if variable._grad_fn is not None:  # made the output of an op in place since the graph was recorded
        raise RuntimeError("leaf variable has been moved into the graph interior")
    if variable._data.shape != g._data.shape:
        g = g.expand(variable.shape) if g.numel() == 1 else g
    current = variable._grad
    if current is None:
        base = g._base
        if (seen is not None and not create_graph and g._grad_fn is None and id(g) not in seen
                and (base is None or id(base) not in seen) and _row_major_like(variable, g)):
            if base is not None:  # its memory is the base's: exposed. PyTorch keeps ``g.detach()``: not a view
                seen[id(base)], seen[id(g)] = base, g
                g = g.detach()
            variable._grad = seen[id(g)] = g
        elif not create_graph and g.__class__ is Tensor and g._dtype is variable._dtype and g._device is \
                variable._device and g._data.shape == variable._data.shape and _row_major(g._device, variable._data):
            # the common copy (a gradient the user holds, or sent to two leaves: a + b): its buffer copied row-major
            variable._grad = wrap(copied(g, None), g._dtype, g._device)
        else:
            # PyTorch's layout contract: .grad has the leaf's strides when its memory is dense, else row-major
            from .._ops.creation import empty_like
            variable._grad = empty_like(variable).copy_(g if create_graph else g.detach())
    elif create_graph:
        variable._grad = current + g
    else:  # in place, as PyTorch's AccumulateGrad without grad mode: a .grad that requires grad keeps it
        if current.__class__ is not Tensor and current._is_zerotensor():  # a first gradient kept as it was (sgn's)
            from .._tensor import IMMUTABLE_ZEROS
            raise RuntimeError(IMMUTABLE_ZEROS)
        if current._data.shape != g._data.shape:
            _check_accumulates(current._data.shape, g._data.shape)
        kernels = current._device.kernels
        kernels.add(current._data, g._data, out=current._data)
        if current._version is not None:
            current._version[0] += 1


def _check_accumulates(shape: tuple, other: tuple) -> None:
    """PyTorch's error for adding a gradient of shape `other` into a ``.grad`` of `shape` it does not broadcast
    to (the leaf was reshaped in place since its ``.grad`` was made)."""
    from .._ops.dispatch import broadcast_all
    target = broadcast_all(None, (shape, other))  # (PyTorch's error for shapes that do not broadcast)
    if target != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(target)}")


def _row_major_like(variable: Tensor, g: Tensor) -> bool:
    """Whether `variable` and `g` (of one shape) are both row-major: then `g` can become ``variable.grad`` as it is.
    As PyTorch's layout contract, the strides of size-1 dims do not count, unless one of g's is 0 (a broadcast)."""
    device, data = g._device, g._data
    return _row_major(device, data) and _row_major(device, variable._data) and (
        1 not in data.shape or 0 not in device.kernels.strides(data))


def _check_nan(node: Node, grads) -> None:
    for i, g in enumerate(grads):
        if g is not None and g._dtype.is_floating_point and bool((g != g).any()):
            trace = "".join(node._trace or ())
            if trace:
                import warnings
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                              f"error:\n{trace}", stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
