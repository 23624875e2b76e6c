"""A unit office at work, for the backup tests: hands in reports with their documents one transaction at a time,
then holds and resumes the rollout, until it is stopped; prints how many transactions it committed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from errors import TrienkhaiError
from rollout import actions
from rollout.intake import hand_in
from settings import get_settings
from storage import UnitOfWork, open_database
from storage.documents import DocumentIn
from storage.models import ObligationRow

NUMBER = "47-KH/TU"


def main() -> None:
    settings = get_settings()
    engine = open_database(settings.effective_database_url)
    with UnitOfWork(engine) as uow:
        owed = uow.session.scalars(select(ObligationRow.id).where(ObligationRow.status == "open")
                                   .order_by(ObligationRow.id)).all()
    now, committed = datetime(2017, 6, 10, 2, tzinfo=UTC), 0
    for i in itertools.count():
        now += timedelta(seconds=1)
        with UnitOfWork(engine, writer=True) as uow:
            try:
                if i < len(owed):
                    row = uow.session.get_one(ObligationRow, owed[i])
                    png = b"\x89PNG\r\n\x1a\n" + f"Báo cáo số {i} của đơn vị.".encode() * 40
                    document = DocumentIn(f"{i}-BC/CB", "9/6/2017", "Nguyễn Văn A, Bí thư", f"bao-cao-{i}.png", png)
                    hand_in(uow.session, row, data={}, document=document, now=now, actor="test:writer",
                            files_dir=settings.effective_files_dir)
                else:
                    action = "hold" if i % 2 else "resume"
                    actions.set_state(uow.session, NUMBER, action, reason=f"lần {i}", now=now, actor="test:writer")
                uow.commit()
                committed += 1
            except TrienkhaiError:
                continue
        print(committed, flush=True)


if __name__ == "__main__":
    main()
