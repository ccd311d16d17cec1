# a fused loop whose iterations give no adjoint term: its body held only a comment (IndentationError)
# args: (0.5038251788070691, -1.4793442402716603, [0.9164452205397976, 0.42880062116760365, 0.819235166955467, 0.5507116813725048], 3)
def f(a, b, xs, n):
    s = a
    for i, x in enumerate(xs):
        s -= i
    return s
