"""Config / RMS: the account's Flexus L instances, paged and filtered."""

from compat import (
    ECS_SUB,
    INSTANCE_ID_RE,
    PER_ACCOUNT,
    TRAFFIC_SUB,
    UUID_RE,
    list_resources,
    sub_resources,
)


def test_rms_pages_walk_with_markers(config_a, config_b, inventory):
    for client, key in ((config_a, "a"), (config_b, "b")):
        resources, pages = list_resources(client, limit=2)
        ids = [r.id for r in resources]
        assert len(ids) == len(set(ids)), "a page repeated an instance"
        assert sorted(ids) == sorted(e["instance_id"] for e in inventory[key])
        assert len(pages) == max(1, -(-len(ids) // 2))
        for page in pages:
            assert page.page_info.current_count == len(page.resources) <= 2
        assert pages[-1].page_info.next_marker is None
        assert len(ids) == PER_ACCOUNT


def test_rms_region_filter_matches_printed_projects(config_a, acct_a, inventory):
    seen = 0
    for region, project_id in sorted(acct_a["projects"].items()):
        resources, _ = list_resources(config_a, region=region)
        for r in resources:
            assert r.region_id == region
            assert r.project_id == project_id
        seen += len(resources)
    assert seen == len(inventory["a"])


def test_rms_resources_carry_flexus_properties(config_a):
    resources, _ = list_resources(config_a)
    assert resources
    for r in resources:
        assert INSTANCE_ID_RE.match(r.id), r.id
        assert (r.provider, r.type) == ("hcss", "l-instance")
        assert r.state == "Normal"
        assert r.provisioning_state == "Succeeded"
        meta = r.properties["metadata"]
        assert meta["charging_mode"] == "prePaid"
        assert meta["cloud_service_type"] == "hws.service.type.hcss"
        assert meta["resource_spec_code"].endswith((".linux", ".win")), meta["resource_spec_code"]
        assert meta["order_id"]
        ecs = sub_resources(r, ECS_SUB)
        assert len(ecs) == 1 and UUID_RE.match(ecs[0]["physical_resource_id"])
        traffic = sub_resources(r, TRAFFIC_SUB)
        assert len(traffic) == 1 and UUID_RE.match(traffic[0]["physical_resource_id"])
        for sub in r.properties["resources"]:
            for attr in sub.get("resource_attributes") or []:
                assert isinstance(attr["value"], str), "attribute %s must be a string" % attr["key"]
