"""Gateway authentication as the SDK sees it: wrong secret keys and skewed X-Sdk-Date."""

import datetime as dt

import pytest
from huaweicloudsdkbss.v2 import BssClient, ListPayPerUseCustomerResourcesRequest, QueryResourcesReq
from huaweicloudsdkconfig.v1 import ConfigClient, ListAllResourcesRequest
from huaweicloudsdkecs.v2 import ListServersDetailsRequest

from compat import FLEXUS_TYPE, Wire, build, ecs_for, expect_client_error, global_creds


def wrong_sk(sk):
    return sk[:-1] + ("A" if sk[-1] != "A" else "B")


def call_with(service, sim, account, region, **kwargs):
    wire = Wire()
    if service == "ecs":
        client = ecs_for(sim, account, region, wire=wire, **kwargs)
        call = lambda: client.list_servers_details(ListServersDetailsRequest(limit=1))
    elif service == "rms":
        client = build(ConfigClient, global_creds(account, kwargs.get("sk")), sim["url"], wire, kwargs.get("preset_headers"))
        call = lambda: client.list_all_resources(ListAllResourcesRequest(type=FLEXUS_TYPE, limit=1))
    else:
        client = build(BssClient, global_creds(account, kwargs.get("sk")), sim["url"], wire, kwargs.get("preset_headers"))
        call = lambda: client.list_pay_per_use_customer_resources(
            ListPayPerUseCustomerResourcesRequest(body=QueryResourcesReq(only_main_resource=1, limit=1))
        )
    return call, wire


def assert_apig_401(call, wire):
    err = expect_client_error(call, 401)
    assert err.error_code == "APIG.0301", (err.error_code, err.error_msg)
    body = wire.last_json()
    assert body["error_code"] == "APIG.0301" and body["error_msg"]
    assert body.get("request_id") == err.request_id


# Each rejected call is followed by the same call with the right key: it proves the rejection
# was about the signature alone, and keeps the AK clear of the gateway's lockout after five
# consecutive failures.


@pytest.mark.parametrize("service", ["ecs", "rms", "bss"])
def test_wrong_sk_is_apig_0301(sim, acct_a, group_a, service):
    call, wire = call_with(service, sim, acct_a, group_a[0], sk=wrong_sk(acct_a["sk"]))
    assert_apig_401(call, wire)
    good, _ = call_with(service, sim, acct_a, group_a[0])
    assert good().status_code == 200


@pytest.mark.parametrize("skew_minutes", [-20, 20])
@pytest.mark.parametrize("service", ["ecs", "rms", "bss"])
def test_skewed_sdk_date_is_apig_0301(sim, acct_a, group_a, service, skew_minutes):
    # The gateway accepts X-Sdk-Date within 15 minutes of its clock, either side.
    skewed = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=skew_minutes)
    stale = skewed.strftime("%Y%m%dT%H%M%SZ")
    call, wire = call_with(service, sim, acct_a, group_a[0], preset_headers={"X-Sdk-Date": stale})
    assert_apig_401(call, wire)
    good, _ = call_with(service, sim, acct_a, group_a[0])
    assert good().status_code == 200
