# checkpointing: a value both arms of a branch in the loop assign was taken for state carried between iterations and snapshotted before the loop, where it did not exist yet (UnboundLocalError)
# args: (0.9885217163733935, 0.128408396694364, [0.06002002703211418, 1.2049558735277348], 4)
import math

def f(a, b, xs, n):
    t = a
    for i in range(len(xs)):
        t -= (b + xs[0] if math.cos(t) < 0.25 else b)
    return t * a
