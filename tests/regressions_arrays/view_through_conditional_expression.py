# view_through_conditional_expression: v3 = v1[:, -2] if c else x is a view of v1; v1[:, -2] -= 0.5 then changes v3 in NumPy; the alias check misses the view (wrong value)
# args: (array([0.014763264919667129, -0.35014433312221505, 1.1593424382109618]), array([[-1.1822231112946868, 0.19232605158221086, -0.7192755061013177], [1.136063625569633, 0.6342316072787648, 0.10015772976647369], [1.1957695595888227, -1.073107795746366, 1.1391849112521946]]), -0.9460947440990362)
# aliasing: yes
# xfail: api value_and_grad: value differs from f's
import numpy as np

def f(x, W, a):
    v1 = np.prod(0.25 * np.arange(27).reshape((3, 3, 3)), axis=1)
    v3 = v1[:, -2] if np.linalg.norm(v1) > 0.5 else x
    v1[:, -2] -= 0.5
    return np.max(v3)
