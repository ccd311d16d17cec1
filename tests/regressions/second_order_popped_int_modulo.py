# second order: f_grad pops an int counter from its tape and takes % of it: a pop from a list of ints is an int
# args: (-0.4850603861580645, -1.3867717058912583, [-1.4379451636317317, 1.3339450823712367, -0.8646429591163436], 0)
def f(a, b, xs, n):
    t = 0.5
    w1 = 0
    while w1:
        w1 += 1
        t = w1 % len(xs) and a
    return t
