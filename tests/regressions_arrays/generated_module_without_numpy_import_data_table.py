# generated_module_without_numpy_import_data_table: a data table and an unused array result: the generated module builds DATA with np but never imports numpy (NameError when it loads)
# args: (array([-0.5234917555133319, -0.333821483475195, 1.130590610092125]), array([[-0.6351478562545817, -0.17489395856516085, 1.1880854451155516], [0.8455594113016796, -0.42158861309556783, -0.9868268031839975]]), 0.26336078701377125, array([[0.9426538800522593, 0.18879260029415526, -0.7250188025232239]]))
import numpy as np
DATA = np.array([[0.09, 0.93, 0.24], [0.21, 1.32, 1.27]])

def f(x, W, a, r):
    a -= np.einsum('ij,ij->', W, DATA)
    return 0.25
