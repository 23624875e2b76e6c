"""The Prefect flow on an ephemeral Prefect (about 12 s, so one test): files stored, run recorded, artifacts
published."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from settings import get_settings
from storage import UnitOfWork, make_engine
from storage.service_models import ServiceRunRow, StoredFileRow

from compliance_scenario import at


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_weekly_flow_writes_the_reports_and_publishes_artifacts(followed, db_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRIENKHAI_DATABASE_URL", db_url)
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    get_settings.cache_clear()
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_HOME, temporary_settings

    from flows.weekly import weekly_compliance

    with temporary_settings(updates={PREFECT_HOME: tmp_path / "prefect", PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        names = weekly_compliance(now=at(2017, 6, 30, 15))

        async def artifacts() -> dict[str, object]:
            async with get_client() as client:
                found = await client.read_artifacts(artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=["weekly-compliance", "weekly-compliance-table"])))
            return {a.key: a.data for a in found}

        published = asyncio.run(artifacts())
    with UnitOfWork(make_engine(db_url)) as uow:
        stored = {(row.folder, row.name): row.size for row in uow.session.scalars(select(StoredFileRow))}
        run = uow.session.scalars(select(ServiceRunRow)).one()
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "html", "png", "xlsx"]
    assert {folder for folder, _ in stored} == {"reports/2017-06-30"} and all(stored.values())
    assert (run.job, run.outcome, run.counts) == ("weekly", "completed", {"directives": 1, "files": 4})
    assert "Kế hoạch số 47-KH/TU" in str(published["weekly-compliance"])
    table = json.loads(published["weekly-compliance-table"])  # type: ignore[arg-type]
    dong_ha = next(row for row in table if row["Đơn vị"] == "Thành ủy Đông Hà")
    assert (dong_ha["Tỷ lệ đúng hạn"], dong_ha["So với tuần trước (điểm %)"]) == ("40,0%", "−26,7")
