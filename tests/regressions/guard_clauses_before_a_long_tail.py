# guard clauses before a long tail: the tail moves into the one branch that falls through, uncopied
# args: (0.3, 0.5, [0.25, 0.5], 2)
import math


def f(a, b, xs, n):
    if a > 10:
        return a * 1.5
    if a > 11:
        return a * 2.5
    if a > 12:
        return a * 3.5
    if a > 13:
        return a * 4.5
    if a > 14:
        return a * 5.5
    b = b * 0.5 + math.sin(a + 0) * xs[0 % len(xs)]
    b = b * 0.5 + math.sin(a + 1) * xs[1 % len(xs)]
    b = b * 0.5 + math.sin(a + 2) * xs[2 % len(xs)]
    b = b * 0.5 + math.sin(a + 3) * xs[3 % len(xs)]
    b = b * 0.5 + math.sin(a + 4) * xs[4 % len(xs)]
    b = b * 0.5 + math.sin(a + 5) * xs[5 % len(xs)]
    b = b * 0.5 + math.sin(a + 6) * xs[6 % len(xs)]
    b = b * 0.5 + math.sin(a + 7) * xs[7 % len(xs)]
    b = b * 0.5 + math.sin(a + 8) * xs[8 % len(xs)]
    b = b * 0.5 + math.sin(a + 9) * xs[9 % len(xs)]
    b = b * 0.5 + math.sin(a + 10) * xs[10 % len(xs)]
    b = b * 0.5 + math.sin(a + 11) * xs[11 % len(xs)]
    b = b * 0.5 + math.sin(a + 12) * xs[12 % len(xs)]
    b = b * 0.5 + math.sin(a + 13) * xs[13 % len(xs)]
    b = b * 0.5 + math.sin(a + 14) * xs[14 % len(xs)]
    b = b * 0.5 + math.sin(a + 15) * xs[15 % len(xs)]
    b = b * 0.5 + math.sin(a + 16) * xs[16 % len(xs)]
    b = b * 0.5 + math.sin(a + 17) * xs[17 % len(xs)]
    b = b * 0.5 + math.sin(a + 18) * xs[18 % len(xs)]
    b = b * 0.5 + math.sin(a + 19) * xs[19 % len(xs)]
    b = b * 0.5 + math.sin(a + 20) * xs[20 % len(xs)]
    b = b * 0.5 + math.sin(a + 21) * xs[21 % len(xs)]
    b = b * 0.5 + math.sin(a + 22) * xs[22 % len(xs)]
    b = b * 0.5 + math.sin(a + 23) * xs[23 % len(xs)]
    b = b * 0.5 + math.sin(a + 24) * xs[24 % len(xs)]
    b = b * 0.5 + math.sin(a + 25) * xs[25 % len(xs)]
    b = b * 0.5 + math.sin(a + 26) * xs[26 % len(xs)]
    b = b * 0.5 + math.sin(a + 27) * xs[27 % len(xs)]
    b = b * 0.5 + math.sin(a + 28) * xs[28 % len(xs)]
    b = b * 0.5 + math.sin(a + 29) * xs[29 % len(xs)]
    return b
