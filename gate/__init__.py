"""The gate: everything a person does passes here — who is acting, their scope, masking, the
access log (docs/trust.md §3)."""
