"""The work counts of bench/stages.h, for the Python side (end-to-end rates, peers, the report).
B items, T frames, C bins, F filters, K taps; T' = T - K + 1."""


def objective_flop(T, C, F, K, B=1):
    """One evaluation of f and its gradient: conv forward and input-gradient, Gram forward
    (one triangle) and backward, losses."""
    rows = T - K + 1
    conv = 2.0 * B * rows * F * K * C
    return 2 * conv + B * rows * F * (F + 1.0) + 2.0 * B * rows * F * F + 3.0 * B * F * F + 4.0 * B * rows * F
