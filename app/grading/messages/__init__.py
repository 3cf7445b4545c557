"""Every student-facing message of the engine, one module per stage that speaks.

engine    the first stage and the verdicts
parse     the math parser
sampling  numeric-sampling evaluation, shapes and comparison
answers   the shape, number, array, choice, edge-set and worked-expression answers
"""
