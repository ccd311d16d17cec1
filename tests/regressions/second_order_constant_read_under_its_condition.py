# second order: a constant set under if not a: (t = 3) decided a branch in the forward sweep; read back in the reverse sweep it was a merge, so the branch was not decided and read a value never set
# args: (-0.2569997285419459, -0.6197822767987327, [-1.274290735510584, -0.3836127591527181, -0.20689994581283278, 0.5601637608249477], 1)
def f(a, b, xs, n):
    t = 3
    u = a
    if a:
        return 0.5
    while a:
        t = u = t
    if t:
        if a:
            return 1
    for i, x in enumerate(xs):
        t += a
    return t * u
