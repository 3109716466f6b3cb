"""ember's OpenCL backend: its own strided buffers and generated kernels on every OpenCL device.

ember finds it through the ``ember.backends`` entry point ``opencl = "ember_opencl.plugin"``; nothing
here is meant to be imported by user code.
"""
