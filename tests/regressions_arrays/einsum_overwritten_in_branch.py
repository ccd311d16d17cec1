# einsum_overwritten_in_branch: np.einsum('i,j->ij', ...) overwritten in an else branch: ValueError (too many subscripts) in the adjoint of einsum
# args: (array([0.06868708109966355, 0.4360807368653513, 0.6649502435867695, 0.5445302220211188]), array([[-0.6494461779409831, 0.5799827806221302, 0.6391356140797945, -0.6869814513857844], [-0.9134709501484312, -0.9268669471081337, 0.5926025374244627, -0.08651433106519937], [-1.004852339103818, 1.1087282350894434, 1.0645355986436587, -0.5810794640806937]]), 0.4491720631694615, array([[0.010734426287061626], [0.5066441023345417], [0.04512248434024144]]))
# xfail: api value_and_grad raises ValueError: einstein sum subscripts string contains too many subscripts for operand _
import numpy as np

def f(x, W, a, c):
    v1 = np.einsum('i,j->ij', np.ones(3), a * np.ones(1))
    if a < 0:
        pass
    else:
        v1 = c
    return np.max(v1)
