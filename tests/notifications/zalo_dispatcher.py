"""A dispatcher process for the Zalo quota test: one pass over the outbox at the given instant, by Zalo (a local
server answering as Zalo's API) and SMTP; prints how many messages it sent by each channel."""

from __future__ import annotations

import sys
from datetime import datetime

from notifications.channels import SmtpChannel
from notifications.dispatch import dispatch
from notifications.zalo import ZaloChannel, ZaloRoute, ZaloTokens
from schedules import WorkingCalendar
from storage import make_engine


def main(url: str, zalo_base: str, smtp_port: int, quota: int, now: str) -> None:
    tokens = ZaloTokens("A2", "R1")
    channel = ZaloChannel("123", "bi-mat", tokens, oauth_url=f"{zalo_base}/v4/oa/access_token",
                          zns_url=f"{zalo_base}/message/template", oa_url=f"{zalo_base}/v3.0/oa/message/cs")
    route = ZaloRoute(channel, {"nhac_han": "nhac-han"}, daily_quota=quota)
    result = dispatch(make_engine(url), datetime.fromisoformat(now),
                      channel=SmtpChannel("127.0.0.1", smtp_port, sender="vp@quangtri.dcs.vn"),
                      calendar=WorkingCalendar(), zalo=route)
    print(f"sent={result.sent} retried={result.retried} failed={result.failed}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
