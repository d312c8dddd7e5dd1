"""Issue 14, point 14: schemathesis, with every check, over the whole API as /openapi.json
describes it, against the app on a real SQLite store and a real (loopback) SMTP server.

A few examples per operation keep the run fast. One setting is configured, not switched off:
the links with a token carry an HMAC-signed secret no generator can produce, and the forms
are validated beyond what JSON Schema says (a motion id must exist for ``kind=motion``), so for
those operations "schema-valid" data may be refused with their documented 400 page.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import schemathesis
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from bot.email.sender import Mailer
from bot.web.app import create_app
from state.repository import Repository
from tests.web.fixtures import Collector, free_port, make_settings, second

_DIR = tempfile.mkdtemp(prefix="kw-schemathesis-")
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
_REPO = Repository.from_url(f"sqlite:///{_DIR}/schemathesis.db")
_REPO.upgrade()
second(_REPO)
_PORT = free_port()
_SMTP = Controller(Collector(), hostname="127.0.0.1", port=_PORT)
_SMTP.start()
atexit.register(_SMTP.stop)
_SETTINGS = make_settings(public_url="http://kamerwacht.test", smtp_port=_PORT)
APP = create_app(_SETTINGS, _REPO, mailer=Mailer.from_settings(_SETTINGS))

_POSITIVE_MAY_BE_400 = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path-regex": r"^/(bevestigen|afmelden|abonnement|abonneren)",
                "checks": {"positive_data_acceptance": {"expected-statuses": _POSITIVE_MAY_BE_400}},
            }
        ]
    }
)

schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)
def test_api_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
