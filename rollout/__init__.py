"""Rolling out a directive: plan files, their compiler, and the engine that follows the obligations up."""

# Plan files and their compiler (pure: no database, no Prefect).
from rollout.compile import CompiledPlan, ObligationSpec, compile_plan
from rollout.plan import load_plan, plan_diff, plan_fingerprint, plan_problems, plan_units

__all__ = [
    "CompiledPlan",
    "ObligationSpec",
    "compile_plan",
    "load_plan",
    "plan_diff",
    "plan_fingerprint",
    "plan_problems",
    "plan_units",
]
