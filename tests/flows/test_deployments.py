"""The deployments as Prefect loads them: module-path entrypoints that import from any folder, no module of
flows/ shadowing a package, and prefect.yaml saying what `trienkhai deploy` declares."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def test_no_flow_module_shares_a_name_with_a_top_level_package() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "flows").glob("*.py")}
    assert packages and not (modules & packages)


def test_entrypoints_load_as_prefect_loads_them_from_another_folder(tmp_path: Path) -> None:
    from flows.deploy import deployments

    entrypoints = [d.entrypoint for d in deployments()]
    assert entrypoints == ["flows.advancing.advance_rollouts", "flows.sending.dispatch_notifications",
                           "flows.weekly.weekly_compliance"]
    # Prefect's engine process: `python -m prefect.engine` imports the entrypoint; the same loader, run by path
    # entrypoints too, from a folder that is not the repository.
    script = ("from prefect.flows import load_flow_from_entrypoint as load\n"
              f"for e in {entrypoints + [f'{ROOT}/flows/sending.py:dispatch_notifications']!r}: print(load(e).name)")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["advance-rollouts", "dispatch-notifications", "weekly-compliance",
                                   "dispatch-notifications"]


def test_prefect_yaml_declares_what_trienkhai_deploy_declares() -> None:
    from flows.deploy import POOL, deployments

    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    for spec, deployment in zip(declared, deployments(), strict=True):
        created = deployment.schedules[0]
        schedule = created.schedule
        (wanted,) = spec["schedules"]
        assert (spec["name"], spec["entrypoint"], spec["work_pool"]["name"]) == (
            deployment.name, deployment.entrypoint, POOL)
        assert spec["concurrency_limit"]["limit"] == deployment.concurrency_limit
        assert spec["work_pool"]["job_variables"] == deployment.job_variables
        assert wanted["slug"] == created.slug and wanted["timezone"] == schedule.timezone
        if "cron" in wanted:
            assert wanted["cron"] == schedule.cron
        else:
            assert timedelta(seconds=wanted["interval"]) == schedule.interval
