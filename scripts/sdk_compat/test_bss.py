"""BSS: order details, pay-per-period resources, renewal, traffic packages, unsubscribe."""

import datetime as dt
import re
import time

from huaweicloudsdkbss.v2 import (
    BssClient,
    CancelResourcesSubscriptionRequest,
    ListFreeResourceUsagesReq,
    ListFreeResourceUsagesRequest,
    ListPayPerUseCustomerResourcesRequest,
    QueryResourcesReq,
    RenewalResourcesReq,
    RenewalResourcesRequest,
    ShowCustomerOrderDetailsRequest,
    UnsubscribeResourcesReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkecs.v2 import ShowServerRequest

from compat import (
    JOB_TIMEOUT_S,
    Wire,
    build,
    ecs_for,
    expect_client_error,
    global_creds,
    list_resources,
    parse_time,
)


def main_resources(bss, ids):
    body = QueryResourcesReq(resource_ids=list(ids), only_main_resource=1, limit=50)
    return bss.list_pay_per_use_customer_resources(ListPayPerUseCustomerResourcesRequest(body=body))


def expiry_of(bss, instance_id):
    resp = main_resources(bss, [instance_id])
    assert [r.resource_id for r in resp.data] == [instance_id]
    return parse_time(resp.data[0].expire_time)


def renew(bss, instance_id, auto_pay):
    body = RenewalResourcesReq(resource_ids=[instance_id], period_type=2, period_num=1, is_auto_pay=auto_pay)
    resp = bss.renewal_resources(RenewalResourcesRequest(body=body))
    assert len(resp.order_ids) == 1 and resp.order_ids[0], resp
    assert not resp.fail_resource_infos
    return resp.order_ids[0]


def order_details(bss, order_id):
    return bss.show_customer_order_details(ShowCustomerOrderDetailsRequest(order_id=order_id))


def test_bss_show_purchase_order_details(sim, acct_b, instances_b):
    order_id = instances_b[0]["order_id"]
    wire = Wire()
    bss = build(BssClient, global_creds(acct_b), sim["url"], wire)
    resp = order_details(bss, order_id)
    info = resp.order_info
    assert info.order_id == order_id
    assert info.customer_id == acct_b["domain_id"]
    assert info.status == 5, "a provisioned Flexus order is completed"
    assert info.order_type == 1, "a purchase is a new-purchase order"
    assert resp.total_count == len(resp.order_line_items) >= 1
    for item in resp.order_line_items:
        assert item.order_id == order_id
        assert item.period_type in (2, 3)
    raw = wire.last_json()["order_info"]
    assert isinstance(raw["status"], int) and isinstance(raw["order_type"], int)


def test_bss_pay_per_use_lists_expiry_of_main_resources(bss_b, instances_b):
    ids = [e["instance_id"] for e in instances_b]
    resp = main_resources(bss_b, ids)
    assert resp.total_count == len(ids)
    assert sorted(r.resource_id for r in resp.data) == sorted(ids)
    now = dt.datetime.now(dt.timezone.utc)
    for r in resp.data:
        assert r.is_main_resource == 1
        assert r.status == 2, "in use"
        assert parse_time(r.expire_time) > now, "a seeded instance has not expired"
        assert parse_time(r.effective_time) < parse_time(r.expire_time)


def wait_order(bss, clock, order_id):
    """Polls an order until it leaves "processing" (3); returns its order_info."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        info = order_details(bss, order_id).order_info
        if info.status != 3:
            return info
        assert time.monotonic() < deadline, "order %s still processing" % order_id
        if not clock.advance(5):
            time.sleep(0.2)


def test_bss_renew_with_auto_pay_moves_expiry(bss_b, clock, instances_b):
    instance_id = instances_b[0]["instance_id"]
    before = expiry_of(bss_b, instance_id)
    order_id = renew(bss_b, instance_id, auto_pay=1)
    info = wait_order(bss_b, clock, order_id)
    assert info.order_id == order_id
    assert info.order_type == 2, "renewal"
    assert info.status == 5, "an auto-paid renewal completes"
    after = expiry_of(bss_b, instance_id)
    assert dt.timedelta(days=28) <= after - before <= dt.timedelta(days=31), (before, after)


def test_bss_renew_without_auto_pay_waits_for_payment(bss_b, instances_b):
    instance_id = instances_b[1]["instance_id"]
    before = expiry_of(bss_b, instance_id)
    order_id = renew(bss_b, instance_id, auto_pay=0)
    info = order_details(bss_b, order_id).order_info
    assert info.order_type == 2
    assert info.status == 6, "pending payment"
    assert expiry_of(bss_b, instance_id) == before, "an unpaid renewal does not extend the instance"


def test_bss_renew_with_bad_period_type_is_400(bss_b, instances_b):
    body = RenewalResourcesReq(resource_ids=[instances_b[0]["instance_id"]], period_type=1, period_num=1)
    err = expect_client_error(lambda: bss_b.renewal_resources(RenewalResourcesRequest(body=body)), 400)
    assert re.match(r"^CBC\.\d+$", str(err.error_code)), err.error_code


def test_bss_free_resource_usages(sim, acct_b, instances_b):
    ids = [e["free_resource_id"] for e in instances_b]
    wire = Wire()
    bss = build(BssClient, global_creds(acct_b), sim["url"], wire)
    resp = bss.list_free_resource_usages(ListFreeResourceUsagesRequest(body=ListFreeResourceUsagesReq(free_resource_ids=ids)))
    assert sorted(f.free_resource_id for f in resp.free_resources) == sorted(ids)
    for f in resp.free_resources:
        assert 0 <= f.amount <= f.original_amount, (f.amount, f.original_amount)
        assert f.original_amount > 0
        assert isinstance(f.measure_id, int)
        assert f.free_resource_type_name and f.usage_type_name
        assert parse_time(f.start_time) < parse_time(f.end_time)
    for raw in wire.last_json()["free_resources"]:
        assert isinstance(raw["measure_id"], int) and isinstance(raw["quota_reuse_cycle"], int)


def test_bss_unsubscribe_removes_instance(sim, acct_b, bss_b, config_b, clock, instances_b):
    entry = instances_b[-1]
    body = UnsubscribeResourcesReq(
        resource_ids=[entry["instance_id"]], unsubscribe_type=1, unsubscribe_reason_type=5, unsubscribe_reason="sdk-compat"
    )
    resp = bss_b.cancel_resources_subscription(CancelResourcesSubscriptionRequest(body=body))
    assert len(resp.order_ids) == 1 and resp.order_ids[0]
    assert not resp.fail_resource_infos
    assert order_details(bss_b, resp.order_ids[0]).order_info.order_type == 4, "unsubscribe order"
    ecs = ecs_for(sim, acct_b, entry["region"])

    def gone():
        resources, _ = list_resources(config_b)
        listed = [r for r in resources if r.id == entry["instance_id"] and r.state != "Deleted"]
        try:
            ecs.show_server(ShowServerRequest(server_id=entry["server_id"]))
        except ClientRequestException as err:
            assert err.status_code == 404, err
            return not listed
        return False

    deadline = time.monotonic() + JOB_TIMEOUT_S
    while not gone():
        assert time.monotonic() < deadline, "instance still present after unsubscribe"
        if not clock.advance(5):
            time.sleep(0.2)
