# conditional_expression_of_reduction: v2 = x if a > 0.5 else v1, v1 a sum with axis=-2: AxisError in the adjoint of the sum on the branch not taken
# args: (array([-0.5744449914537152, 0.5764990530887711]), array([[-0.28510401319567086, 0.6780790210184847], [-1.0214763638173934, 0.3590024649928692]]), 0.6190627729682334, array([[-1.0491847258313778], [-1.1182329726474514]]))
import numpy as np

def f(x, W, a, c):
    v1 = np.sum(a * np.ones((1, 2)), axis=-2)
    v2 = x if a > 0.5 else v1
    return np.sum(v2)
