# method_of_data_table_rejected: a method of a module-level data table (DATA.mean(axis=0)) is rejected as attribute access
# args: (array([[0.31, -0.52, 0.77], [0.12, 0.45, -0.36]]),)
import numpy as np

DATA = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def f(W):
    return np.sum(W * DATA.mean(axis=0))
