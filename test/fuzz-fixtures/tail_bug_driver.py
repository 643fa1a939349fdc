#!/usr/bin/env python3
"""A deliberately buggy exec driver for the fuzz tests: examples/python/lstm_driver.py with a
vectorization tail bug. When num_units % 4 == 1 and num_units > 4 (one unit left after the 4-wide
blocks), the last unit is never written back: its cell state stays the old one and its output is 0.
The fixed suite has no such size; an edge-favouring fuzz campaign finds it within a few dozen models.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("lstm_driver", os.path.join(HERE, "..", "..", "examples", "python", "lstm_driver.py"))
driver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(driver)

correct_step = driver.lstm_step


def tail_bug_step(t, B, I, N, O, act, cell_clip, proj_clip):
    out_h, out_c = correct_step(t, B, I, N, O, act, cell_clip, proj_clip)
    if N % 4 == 1 and N > 4:
        for b in range(B):
            out_c[b * N + N - 1] = t[19][b * N + N - 1]
            if t[16] is None:  # without projection the output is the (unwritten) hidden state
                out_h[b * O + O - 1] = 0.0
    return out_h, out_c


driver.lstm_step = tail_bug_step

if __name__ == "__main__":
    driver.serve()
