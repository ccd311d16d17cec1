# own_value_rebound_through_a_constant_condition: a -= ... in a branch makes a an array-kind merge with a float arm; a = a if 0.5 >= 0.2 else ... rebinds a to its own value, which was copied with .copy() (a float has none); a name rebound to its own value is not copied (Python shares it too)
# args: (array([-0.9661565238314129, 0.33824070523375427, 0.43484706794952077, -0.18818784042795272]), array([[1.178421323670429, 1.1178281549751132, -0.09916466548051597, 0.43407849885431987], [-1.007183323266796, -0.5954663834347946, -0.18355341706518324, -0.040852463177285664], [-0.9559689347533971, -0.5678369846596623, 1.1069554548543332, 0.3534466153132819]]), 1.0351830506625486, array([[0.7747169606059725, -0.45203621587082776, 0.1171385332165463, -0.6714502302780068]]), array([[-0.004036497138634233], [0.06452926715019949], [1.0128279722184677]]), 2)
import numpy as np

def f(x, W, a, r, c, k):
    if np.min(x) > 0.2:
        a -= np.sin(np.linspace(-1.0, 1.5, 2)[-1] * 2.0 - a * np.ones(2) @ (a * np.ones(2)) / 4)
    a = a if 0.5 >= 0.2 else a / (2 + np.cos(a))
    return a
