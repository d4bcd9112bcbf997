"""discover on a billing service written the way real projects are (new user, round 43)."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.discover import destination_of, discover
from wiremap.code.draft import draft_doc
from wiremap.code.index import index_tree
from wiremap.model import Integration


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_a_libpq_conninfo_names_its_destination() -> None:
    assert destination_of("host=reports.internal port=5433 dbname=reports user=ro") == "reports.internal:5433"
    assert destination_of("dbname=x host=db") == "db:5432"
    assert destination_of("host=/var/run/postgresql dbname=x") is None  # a socket folder


def test_a_pydantic_settings_field_of_another_module(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "billing/__init__.py": "",
            "billing/config.py": (
                "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
                "class VendorSettings(BaseSettings):\n"
                '    model_config = SettingsConfigDict(env_prefix="BILLING_")\n'
                '    acme_base_url: str = "https://api.acme.io/v2"\n\n\nvendor_settings = VendorSettings()\n'
            ),
            "billing/acme.py": (
                "from acme_sdk import AcmeClient\n\nfrom billing.config import vendor_settings\n\n"
                "client = AcmeClient(base_url=vendor_settings.acme_base_url)\n"
            ),
        },
    )
    (site,) = [s for s in index_tree(root, use_cache=False).sites() if s.path == "billing/acme.py"]
    assert (site.target, site.env) == ("https://api.acme.io/v2", "BILLING_ACME_BASE_URL")


_SUB = "from app.base import BaseApiClient\n\n\nclass {}(BaseApiClient):\n    pass\n"


def test_a_base_class_shared_by_an_undocumented_client_is_no_one_docs(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/base.py": (
                "import httpx\n\n\nclass BaseApiClient:\n    def __init__(self, base_url):\n"
                "        self.http = httpx.Client(base_url=base_url)\n"
            ),
            "app/ledger.py": _SUB.format("LedgerClient"),
            "app/fx.py": _SUB.format("FxRatesClient"),
        },
    )
    index = index_tree(root, use_cache=False)
    ledger = Integration(id="l", path="docs/l.md", source="App", destination="Ledger")
    found = discover(index, [(ledger, "app/ledger.py")])
    base = [c for c in found.sites if c.site.path == "app/base.py"]
    assert base and not any(c.documented for c in base)  # FX was hidden under the Ledger doc


def test_drafts_of_one_run_never_share_a_title(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "billing/vendors.py": (
                "from twilio.rest import Client\nfrom slack_sdk import WebClient\n\n"
                "sms = Client('sid', 'token')\nslack = WebClient(token='x')\n"
            ),
            "billing/cloud.py": (
                "from google.cloud import storage, pubsub_v1\n\n"
                "bucket = storage.Client()\npub = pubsub_v1.PublisherClient()\n"
            ),
        },
    )
    index = index_tree(root, use_cache=False)
    taken: set[tuple[str, str]] = set()
    titles = [draft_doc(g, index, taken)[1].split("\n", 1)[0] for g in discover(index, []).groups]
    assert len(titles) == len(set(titles)) and len(titles) >= 3, titles
    assert "# Integration: Billing → Twilio" in titles and "# Integration: Billing → Slack" in titles
