# generated_module_without_numpy_import: a = np.dot(x, x) unused, a constant returned: the generated module calls np without importing it
# args: (array([-0.3965043046948042, -0.20301339763139778]), array([[0.28927484756419725, 0.2756814003048914], [0.10325970174327134, -0.013744501878445628], [0.18276981001748327, -0.7248917914781057]]), 1.0635131527855777)
import numpy as np

def f(x, W, a):
    a = np.dot(x, x)
    return 0.5
