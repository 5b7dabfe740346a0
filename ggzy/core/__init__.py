"""The kernel: configuration, storage, time, identity of actors, the event log, policy.

Owns: the event log and its Merkle tree, settings, the clock, ids, lifecycles, timers, policy, crypto helpers.
May not: import any domain, ggzy.rules or the web (a contract in pyproject.toml checks it).
"""
