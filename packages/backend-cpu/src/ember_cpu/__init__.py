"""ember's CPU backend: every kernel of the backend contract on numpy, the reference for other backends.

ember finds it through the ``ember.backends`` entry point ``cpu = "ember_cpu.plugin"``; nothing here
is meant to be imported by user code.
"""
