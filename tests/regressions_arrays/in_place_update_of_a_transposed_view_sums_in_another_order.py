# in_place_update_of_a_transposed_view_sums_in_another_order: v1 = W.T; v1 /= W: f sums v1 in the view's (column) order, the generated code sums a new array in row order: the value differs in the last bit
# args: (array([-0.27037286634755137, -1.1046862166785028, 1.0581004199075945]), array([[-0.6682719972952285, -0.15501754430728418, 0.638300086679117], [0.49710552821700454, -0.9031648220288524, 1.0570713967674914], [1.0071946208676037, 0.5698797894552495, -0.04577415863812857]]), -0.9894631900043989, array([[-1.0386576540535746, 0.5630471795408153, -0.9901536388186759]]))
# xfail: api value_and_grad: value differs from f's
import numpy as np

def f(x, W, a, r):
    v1 = W.T
    v1 /= W
    return np.sum(v1)
