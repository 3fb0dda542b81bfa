"""ECS: show, update and list servers."""

from huaweicloudsdkecs.v2 import (
    ListServersDetailsRequest,
    ShowServerRequest,
    UpdateServerOption,
    UpdateServerRequest,
    UpdateServerRequestBody,
)

from compat import ECS_CODE_RE, Wire, ecs_for, expect_client_error


def test_ecs_show_server_matches_rms(sim, acct_a, group_a):
    region, entries = group_a
    wire = Wire()
    ecs = ecs_for(sim, acct_a, region, wire=wire)
    for entry in entries:
        server = ecs.show_server(ShowServerRequest(server_id=entry["server_id"])).server
        assert wire.last.headers.get("X-Request-Id"), "X-Request-Id missing on a 200"
        assert server.id == entry["server_id"]
        assert server.name == entry["server_name"]
        assert server.tenant_id == acct_a["projects"][region]
        assert server.status in ("ACTIVE", "SHUTOFF")
        assert "_sys_type_hcss_l" in server.tags
        assert server.metadata["lockSource"] == "hcss"
        assert server.metadata["lockSourceId"] == entry["instance_id"]
        assert server.os_ext_a_zavailability_zone.startswith(region)
        raw = wire.last_json()["server"]
        assert isinstance(raw["OS-EXT-STS:power_state"], int)
        assert isinstance(raw["flavor"]["vcpus"], str) and isinstance(raw["flavor"]["ram"], str)
        for addrs in raw["addresses"].values():
            for addr in addrs:
                assert addr["version"] in ("4", "6"), "ShowServer addresses[].version is a string"


def test_ecs_show_unknown_server_is_404(sim, acct_a, group_a):
    wire = Wire()
    ecs = ecs_for(sim, acct_a, group_a[0], wire=wire)
    missing = "00000000-0000-4000-8000-000000000000"
    err = expect_client_error(lambda: ecs.show_server(ShowServerRequest(server_id=missing)), 404)
    assert ECS_CODE_RE.match(str(err.error_code)), err.error_code
    body = wire.last_json()
    assert set(body) == {"error"} and body["error"]["code"] == err.error_code


def test_ecs_server_of_other_account_is_404(sim, acct_b, group_a):
    region, entries = group_a
    ecs_b = ecs_for(sim, acct_b, region)
    err = expect_client_error(lambda: ecs_b.show_server(ShowServerRequest(server_id=entries[0]["server_id"])), 404)
    assert ECS_CODE_RE.match(str(err.error_code)), err.error_code


def test_ecs_update_server_then_show(ecs_a, group_a):
    server_id = group_a[1][0]["server_id"]
    option = UpdateServerOption(name="sdk-compat-01", description="renamed by the official SDK", hostname="sdk-compat-01")
    resp = ecs_a.update_server(UpdateServerRequest(server_id=server_id, body=UpdateServerRequestBody(server=option)))
    assert resp.server.id == server_id
    assert resp.server.name == "sdk-compat-01"
    assert resp.server.description == "renamed by the official SDK"
    assert resp.server.os_ext_srv_att_rhostname == "sdk-compat-01"
    shown = ecs_a.show_server(ShowServerRequest(server_id=server_id)).server
    assert shown.name == "sdk-compat-01"
    assert shown.description == "renamed by the official SDK"
    assert shown.os_ext_srv_att_rhostname == "sdk-compat-01"


def test_ecs_update_server_rejects_angle_brackets_in_description(ecs_a, group_a):
    server_id = group_a[1][0]["server_id"]
    body = UpdateServerRequestBody(server=UpdateServerOption(description="<b>bold</b>"))
    err = expect_client_error(lambda: ecs_a.update_server(UpdateServerRequest(server_id=server_id, body=body)), 400)
    assert ECS_CODE_RE.match(str(err.error_code)), err.error_code


def test_ecs_update_unknown_server_is_404(ecs_a):
    body = UpdateServerRequestBody(server=UpdateServerOption(name="nobody"))
    missing = "00000000-0000-4000-8000-000000000001"
    err = expect_client_error(lambda: ecs_a.update_server(UpdateServerRequest(server_id=missing, body=body)), 404)
    assert ECS_CODE_RE.match(str(err.error_code)), err.error_code


def test_ecs_list_servers_details_pages_by_offset(ecs_a, group_a):
    # In ECS's ListServersDetails `offset` is a 1-based page number, not an item offset.
    region, entries = group_a
    expected = sorted(e["server_id"] for e in entries)
    seen, page = [], 1
    while True:
        resp = ecs_a.list_servers_details(ListServersDetailsRequest(limit=1, offset=page))
        assert resp.count == len(expected), "count is the total, not the page size"
        if not resp.servers:
            break
        assert len(resp.servers) == 1
        seen.extend(s.id for s in resp.servers)
        page += 1
        assert page <= len(expected) + 1, "pages never run out"
    assert sorted(seen) == expected
    whole = ecs_a.list_servers_details(ListServersDetailsRequest(limit=100, offset=1))
    assert sorted(s.id for s in whole.servers) == expected
    first = ecs_a.list_servers_details(ListServersDetailsRequest(limit=1, offset=0))
    assert [s.id for s in first.servers] == seen[:1], "offset 0 is the same page as offset 1"
