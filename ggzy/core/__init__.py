"""The kernel: configuration, storage, time, identity of actors, the event log, policy. Imports no domain."""
