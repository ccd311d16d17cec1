# second_order_index_of_a_quotient: (a / x)[0] where f's other array ops are dead: f_along, read back as scalar code, rejected the index
# args: (array([-0.09326648101254968, 0.7003724620979171]), -0.25686220117705855)
# second order: yes
import numpy as np


def f(x, a):
    return (a / x)[0]
    v1 = np.reshape(np.ones(6), (3, 2))[0][1]
