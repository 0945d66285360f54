"""What outbound needs to know about the desk; built by app/ from configuration."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping
from zoneinfo import ZoneInfo

from workflow.sms import SmsRules


@dataclass(frozen=True)
class DeskInfo:
    name: str
    organisation: str
    address: str
    timezone: ZoneInfo
    language: str = "id"
    secret: str = ""                  # HMAC key of reply tokens; never logged
    base_url: str = ""                # [web] base_url: reporter mails link to the ticket's page
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)   # lang -> value -> label
    service_names: Mapping[str, str] = field(default_factory=dict)
    category_names: Mapping[str, str] = field(default_factory=dict)
    priority_names: Mapping[str, str] = field(default_factory=dict)
    # addresses never mailed besides desk.address: aliases of the desk's own mailbox and
    # machine addresses (shell patterns, case-insensitive), so no mail loop can start
    never_mail: tuple[str, ...] = ()
    # [sms]: whether notices also go by SMS, and to agents at which priorities (workflow/sms.py)
    sms: SmsRules = field(default_factory=SmsRules)

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1]
