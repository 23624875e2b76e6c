"""The plan language: plan files, their schema, the compiler, pilot selection and quotas.

Pure: imports the hierarchy and the calendar, never the database, Prefect or templates. The compiler turns a
plan file and a hierarchy into one frozen `CompiledPlan` that the engine issues.
"""

from plans.compiled import CompiledPlan, ObligationSpec
from plans.compiler import compile_plan
from plans.document import load_plan, plan_diff, plan_fingerprint, plan_problems, plan_units

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
