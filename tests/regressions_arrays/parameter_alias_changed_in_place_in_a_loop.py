# parameter_alias_changed_in_place_in_a_loop: v4 = r, then r[0:1:2, 0] *= c in a loop: f changes its parameter r and v4 sees it; s2sad neither rejects the alias nor follows it (wrong value)
# args: (array([-0.9833955905857673, 0.8889392953571719]), array([[-0.3340963214837674, -0.4420110602792693], [-0.6307717719680019, -0.04820360006417697]]), 0.14148332565620175, array([[-0.6241294166968153, -1.1466383055363991]]), [0.994397922806477, 1.1689641723180115], 2)
# aliasing: yes
# xfail: api value_and_grad: value differs from f's
import numpy as np

def f(x, W, a, r, xs, k):
    v4 = r
    for t in range(k):
        r[0:1:2, 0] *= np.tanh(np.ones(1))
    return np.mean(v4)
