# two_copies_taken_for_one_array: A1 = W.copy(); A2 = W.copy(); A2[...] = ...: the two copies were one value, so the store was rejected as changing an alias
# args: (array([-0.8293437982855435, -0.9837920406360617]), array([[-0.36588149899907435, -0.7528310908164672], [0.1179639817983181, -0.8614234006355361]]), -0.940846725144935)
import numpy as np

def f(x, W, a):
    A1 = W.copy()
    A2 = W.copy()
    A2[-2, :] = np.arange(1) * 0.25
    return np.mean(A1)
