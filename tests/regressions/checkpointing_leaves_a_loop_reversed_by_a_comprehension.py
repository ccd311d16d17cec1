# checkpointed: a loop over a list's items whose reverse is a comprehension over its tape was checkpointed (and reversed by a loop) only with --checkpoint, so the gradient's zeros had another sign than the tape's (-0.0 from -s_bar * t at s_bar = 0, 0.0 + -0.0 in the loop)
# args: (0.8531108273113386, 1.20665822789832, [1.2453871005737749, -1.1383045002793082, 1.3590352185560084, 0.8470587532215386], 1)
import math

def f(a, b, xs, n):
    s = 3.0
    u = s
    v3 = a
    v4 = 0
    for x in xs:
        v4 = v4 + math.exp(v3 - x)
    return math.tanh(u * v4)
