"""The rollout engine: issuing a compiled plan, the reconciler, actions, amendments, the escalation ladder and
roll-ups; the state lives in the database. The plan language itself is in `plans`."""
