# second order: a loop's tape held (int counter, flag) and a branch's (float, flag) records: popped, the counter was untyped and its % refused; records whose positions differ in integer-ness now go to tapes of their own
# args: (0.19851447921635706, 0.933672219480247, [1.4261399305008429, -1.4288277794023128, 0.994980226337541, -0.42936877381600036], 4)
import math

def f(a, b, xs, n):
    ys = [0.0, a, b]
    s = u = 0.5
    w1 = 0
    while True:
        w1 += 1
        if w1 > 3:
            break
        s = max(math.atan2(u, ys[w1 % len(ys)] ** 2), u)
    return s + xs[0]
