# in_place_update_of_a_strided_view_sums_in_another_order: v1 = (...)[:, 1]; v1[i] -= c: f's product x @ v1 reads a strided view, the generated code a new contiguous array: the value differs in the last bit
# args: (array([0.49579958325378065, 0.7788922789718323, 0.741535951676875, -0.7593753610066565]), array([[0.9975215782822147, -0.585478076124634, 0.8467578237511738, -0.285753937946673], [0.5482273619618734, 0.8049599035108179, 0.9042322536627955, -0.41270996658411496], [0.4611904930017379, -0.5529666387181157, 1.147617176728361, 0.7275956488784124]]), 0.6854671817518965, [-0.9123815090428626, -0.6284002404713513, 0.5301138098722477, 0.19604268083640447], 3)
# xfail: api value_and_grad: value differs from f's
import numpy as np

def f(x, W, a, xs, k):
    z = x
    v1 = np.log(1.5 + np.ones((4, 2)))[:, 1]
    for t in range(3):
        v1[t % 4] -= 0.5
    L3 = [z @ v1]
    v4 = sum(L3)
    return v4
