# second order: a value set under if a: inside if a:, read in a short-circuit (a or z1) under if a: of f_grad, where a is true
# args: (1.0703362209416518, -0.18207380033914589, [-0.20569512733402806, -0.48735085678767154, -1.1125173368278696, 0.07537807899170848], 1)
def f(a, b, xs, n):
    t = u = 1.5
    if a:
        pass
    elif n:
        return u
    s = a
    if a:
        pass
    elif len(xs):
        pass
    elif s:
        pass
    else:
        t = s
    return t
