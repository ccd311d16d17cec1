# scatter_buffer_of_a_merged_array: an adjoint whose parts come through a value merged in a loop (c or a * ones): its zeros buffer took the merged value's shape before the loop, where it is unbound (UnboundLocalError)
# args: (array([1.0946681578790234, 0.03608660096180829]), array([[0.5851099287472958, 0.3174203425072545], [-0.635112452567598, 0.1673126673337551]]), -0.4759311514326658, array([[-0.1569410288583118], [0.45730347325805465]]))
import numpy as np

def f(x, W, a, c):
    for t in range(2):
        if a <= 0.5:
            break
        for u in range(3):
            x = x - np.sin((a * np.ones((2, 1)) if (1.5 + np.tanh(a)) ** 2.5 > 0 else c)[u % 2])
    A6 = x
    return np.sum(A6)
