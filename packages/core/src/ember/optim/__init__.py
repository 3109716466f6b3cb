"""`ember.optim`: optimizers that update parameters from their gradients, and their learning-rate schedules."""

from ember.optim import lr_scheduler
from ember.optim.adadelta import Adadelta
from ember.optim.adagrad import Adagrad
from ember.optim.adam import Adam
from ember.optim.adamw import AdamW
from ember.optim.lbfgs import LBFGS
from ember.optim.optimizer import Optimizer
from ember.optim.rmsprop import RMSprop
from ember.optim.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "LBFGS", "Optimizer", "RMSprop", "lr_scheduler"]
