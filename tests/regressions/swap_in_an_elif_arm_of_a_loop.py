# an elif arm that swaps two carried values: pushing the merge copies into the arm made `t = 0.5 * u; u_1 = t` read the new t
# args: (1.189352343623514, -0.5965332125172669, [1.1293007679082245, 0.5303692480232869, 0.6116685437919961], 2)
def f(a, b, xs, n):
    t = 0.25 * xs[1]
    s = u = 1.5 * xs[0]
    for i in range(n, 0, -1):
        if b >= 0.25:
            pass
        elif a:
            u, t = (t, u)
            t *= 0.5
    return u * a
