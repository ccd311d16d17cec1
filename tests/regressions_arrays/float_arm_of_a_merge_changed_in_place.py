# float_arm_of_a_merge_changed_in_place: v1 = np.minimum(a, a) if a > 0.1 else a * 2.0 - a / 4; v1 *= a: the merge of an array-kind arm and a float arm was copied for the in-place update with .copy(), which a float has not; a merge made by the statement is its own value now (its sharing is followed through the merge)
# args: (array([-0.3896600810270689, 0.09614480229382641]), array([[0.7715193701522178, 0.6516978302460664], [-0.4976892882675038, 0.3417034102678416]]), 0.05317009749202153, array([[0.4755926494930271, 0.04467346523761009]]), [0.8402509288753157, 1.09939115536535])
import numpy as np

def f(x, W, a, r, xs):
    v1 = np.minimum(a, a) if a > 0.1 else a * 2.0 - a / 4
    v1 *= a
    return v1
