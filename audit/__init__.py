"""The auditor's toolkit: the hash-chained event log, signed checkpoints, case dossiers and
bitemporal replay (as of an occurred time, or as known at a recorded time)."""
