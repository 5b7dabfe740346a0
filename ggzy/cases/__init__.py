"""异议与投诉 — objections (异议/质疑) to the tenderer or purchaser and complaints (投诉) to the regulator.

Owns the case tables, the thread of statements and evidence, the statutory clocks of each case and the
decisions. Stops the trade only through the kernel's holds and moves it only through projects' verbs.
"""
