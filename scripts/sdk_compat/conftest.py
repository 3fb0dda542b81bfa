"""Huawei's official Python SDK (3.1.219) driven against `lightdeck sim`.

Run through scripts/sdk-compat.sh, which starts the sim and passes its JSON line (url and
per-account credentials) in the file named by LIGHTDECK_SIM_INFO. Every assertion states what
the real Huawei Cloud answers as far as the SDK's models and the project's fact sheet record
it; a failure here means cloudsim and the official client disagree.

The tests are split by service (test_iam, test_rms, test_ecs, test_ecs_jobs, test_bss,
test_auth); this file holds the session fixtures, compat.py the helpers.
"""

import json
import os

import pytest
from huaweicloudsdkbss.v2 import BssClient
from huaweicloudsdkconfig.v1 import ConfigClient
from huaweicloudsdkiam.v3 import IamClient

from compat import SimClock, build, ecs_for, flexus_entry, global_creds, list_resources

# Modules run in this order whatever order they are named or given in: later ones change
# what earlier ones count (ECS renames a server of account A and stops and starts servers;
# BSS renews and unsubscribes instances of account B).
MODULE_ORDER = ["test_iam", "test_rms", "test_ecs", "test_ecs_jobs", "test_bss", "test_auth"]


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(MODULE_ORDER)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rpartition(".")[2], len(rank)))


@pytest.fixture(scope="session")
def sim():
    path = os.environ.get("LIGHTDECK_SIM_INFO")
    assert path, "LIGHTDECK_SIM_INFO is not set; run through scripts/sdk-compat.sh"
    with open(path, encoding="utf-8") as f:
        info = json.loads(f.readline())
    assert len(info["accounts"]) == 2
    return info


@pytest.fixture(scope="session")
def clock(sim):
    return SimClock(sim["url"])


@pytest.fixture(scope="session")
def acct_a(sim):
    return sim["accounts"][0]


@pytest.fixture(scope="session")
def acct_b(sim):
    return sim["accounts"][1]


@pytest.fixture(scope="session")
def config_a(sim, acct_a):
    return build(ConfigClient, global_creds(acct_a), sim["url"])


@pytest.fixture(scope="session")
def config_b(sim, acct_b):
    return build(ConfigClient, global_creds(acct_b), sim["url"])


@pytest.fixture(scope="session")
def bss_b(sim, acct_b):
    return build(BssClient, global_creds(acct_b), sim["url"])


@pytest.fixture(scope="session")
def inventory(config_a, config_b):
    """Flexus instances per account, as RMS reports them at the start of the run."""
    a, _ = list_resources(config_a)
    b, _ = list_resources(config_b)
    return {"a": [flexus_entry(r) for r in a], "b": [flexus_entry(r) for r in b]}


@pytest.fixture(scope="session")
def group_a(inventory):
    """The (region, instances) of account A with the most instances: ECS tests run there."""
    by_region = {}
    for entry in inventory["a"]:
        by_region.setdefault(entry["region"], []).append(entry)
    assert by_region, "account A has no Flexus instances"
    region = max(sorted(by_region), key=lambda r: len(by_region[r]))
    return region, by_region[region]


@pytest.fixture(scope="session")
def ecs_a(sim, acct_a, group_a):
    return ecs_for(sim, acct_a, group_a[0])


@pytest.fixture
def batch_ids(group_a):
    """Up to two servers of one project, so batch calls really carry a batch."""
    return [e["server_id"] for e in group_a[1][:2]]


@pytest.fixture(scope="session")
def instances_b(inventory):
    assert len(inventory["b"]) >= 3, "BSS tests need three instances in account B"
    return inventory["b"]


@pytest.fixture(scope="session")
def iam_a(sim, acct_a):
    return build(IamClient, global_creds(acct_a), sim["url"])
