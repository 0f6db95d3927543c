"""The officers' CLI (click): root group in :mod:`.main`, one module per group of verbs."""
