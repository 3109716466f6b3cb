"""ember.autograd: the graph, the backward engine, grad modes, custom Functions and checks."""
from __future__ import annotations

from . import forward_ad, functional, grad_mode, graph, profiler
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .node import Node
from .variable import Variable

__all__ = ["Function", "FunctionCtx", "GradcheckError", "Node", "Variable", "backward", "detect_anomaly",
           "enable_grad", "forward_ad", "functional", "grad", "grad_mode", "gradcheck", "graph", "gradgradcheck",
           "inference_mode", "is_anomaly_enabled", "is_grad_enabled", "no_grad", "once_differentiable", "profiler",
           "set_detect_anomaly", "set_grad_enabled"]
