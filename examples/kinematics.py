"""A two-link planar arm: where its hand is (a vector function), and how far it is from a target."""

import math

L1 = 1.0  # the upper arm's length
L2 = 0.7  # the forearm's length


def hand(theta1, theta2):
    """The hand's position (x, y) for the shoulder and elbow angles."""
    x = L1 * math.cos(theta1) + L2 * math.cos(theta1 + theta2)
    y = L1 * math.sin(theta1) + L2 * math.sin(theta1 + theta2)
    return x, y


def reach(theta1, theta2, tx, ty):
    """Half the squared distance from the hand to the target (tx, ty): Newton's method minimizes it."""
    dx = L1 * math.cos(theta1) + L2 * math.cos(theta1 + theta2) - tx
    dy = L1 * math.sin(theta1) + L2 * math.sin(theta1 + theta2) - ty
    return 0.5 * (dx * dx + dy * dy)
