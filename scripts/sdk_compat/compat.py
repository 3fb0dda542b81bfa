"""Shared helpers for the SDK compatibility tests: building the official clients against the
sim, walking RMS, running ECS jobs to their end, and checking error responses."""

import datetime as dt
import json
import os
import re
import time
import urllib.request

import pytest
from huaweicloudsdkconfig.v1 import ListAllResourcesRequest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkecs.v2 import (
    BatchRebootServersRequest,
    BatchRebootServersRequestBody,
    BatchRebootSeversOption,
    BatchStartServersOption,
    BatchStartServersRequest,
    BatchStartServersRequestBody,
    BatchStopServersOption,
    BatchStopServersRequest,
    BatchStopServersRequestBody,
    EcsClient,
    ServerId,
    ShowJobRequest,
    ShowServerRequest,
)

FLEXUS_TYPE = "hcss.l-instance"
ECS_SUB = "huaweicloudinternal_ecs_instance"
TRAFFIC_SUB = "huaweicloudinternal_cbc_freeresource"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
INSTANCE_ID_RE = re.compile(r"^[0-9a-f]{24}$")
JOB_ID_RE = re.compile(r"^[0-9a-f]{32}$")
ECS_CODE_RE = re.compile(r"^Ecs\.\d{4}$")
# Real jobs finish in seconds to minutes; the sim is expected to be faster. Bounded so a job
# that never ends fails the test instead of hanging CI.
JOB_TIMEOUT_S = 30.0
# What scripts/sdk-compat.sh asked the sim to seed (`--instances` is per account).
PER_ACCOUNT = int(os.environ.get("SDK_COMPAT_INSTANCES_PER_ACCOUNT", "12"))

def parse_time(text):
    """Huawei timestamps: `2024-10-13T16:00:00Z`, `…:22.701000Z`, `2024-10-13 16:00:00`."""
    assert isinstance(text, str) and text, "expected a timestamp string, got %r" % (text,)
    value = text.strip().replace(" ", "T")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


class Wire:
    """Keeps the last raw HTTP response each client saw, for header and body-shape checks
    the SDK's models hide (X-Request-Id on successes, the JSON shape of errors)."""

    def __init__(self):
        self.last = None

    def handler(self):
        def on_response(**kwargs):
            self.last = kwargs["response"]

        return HttpHandler().add_response_handler(on_response)

    def last_json(self):
        return json.loads(self.last.content.decode("utf-8"))


def http_config():
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    return config


def build(client_cls, credentials, url, wire=None, preset_headers=None):
    builder = (
        client_cls.new_builder()
        .with_http_config(http_config())
        .with_credentials(credentials)
        .with_endpoints([url])
    )
    if wire is not None:
        builder = builder.with_http_handler(wire.handler())
    client = builder.build()
    if preset_headers:
        client.preset_headers = dict(preset_headers)
    return client


def ecs_for(sim, account, region, wire=None, sk=None, preset_headers=None):
    creds = BasicCredentials(account["ak"], sk or account["sk"], account["projects"][region])
    return build(EcsClient, creds, sim["url"], wire, preset_headers)


def global_creds(account, sk=None):
    return GlobalCredentials(account["ak"], sk or account["sk"], account["domain_id"])


def list_resources(config_client, region=None, limit=200):
    """Walks every RMS page; returns (resources, pages)."""
    resources, pages, marker = [], [], None
    while True:
        resp = config_client.list_all_resources(
            ListAllResourcesRequest(type=FLEXUS_TYPE, region_id=region, limit=limit, marker=marker)
        )
        pages.append(resp)
        resources.extend(resp.resources or [])
        marker = resp.page_info.next_marker
        if not marker:
            return resources, pages
        assert len(pages) <= 2 * PER_ACCOUNT + 1, "next_marker never ends"


def sub_resources(resource, logical_type):
    subs = resource.properties.get("resources") or []
    return [s for s in subs if s.get("logical_resource_type") == logical_type]


def flexus_entry(resource):
    ecs = sub_resources(resource, ECS_SUB)
    traffic = sub_resources(resource, TRAFFIC_SUB)
    assert len(ecs) == 1, "resource %s: expected one %s sub-resource" % (resource.id, ECS_SUB)
    assert len(traffic) == 1, "resource %s: expected one %s sub-resource" % (resource.id, TRAFFIC_SUB)
    return {
        "instance_id": resource.id,
        "name": resource.name,
        "region": resource.region_id,
        "project_id": resource.project_id,
        "server_id": ecs[0]["physical_resource_id"],
        "server_name": ecs[0].get("physical_resource_name"),
        "free_resource_id": traffic[0]["physical_resource_id"],
        "order_id": resource.properties["metadata"]["order_id"],
        "spec_code": resource.properties["metadata"]["resource_spec_code"],
    }


class SimClock:
    """Lets jobs and orders finish. cloudsim's admin API (`/_sim/clock`) says whether it runs on
    a manual clock; if so time is advanced explicitly, otherwise callers poll with a bounded
    wait (the SDK signs with the real time, so `lightdeck sim` normally follows it)."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.manual = bool(self._call("GET", "/_sim/clock")["manual"])

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def advance(self, seconds):
        if not self.manual:
            return False
        self._call("POST", "/_sim/clock/advance", {"seconds": seconds})
        return True


def show_job(ecs, job_id):
    return ecs.show_job(ShowJobRequest(job_id=job_id))


def wait_job(ecs, clock, job_id):
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        job = show_job(ecs, job_id)
        assert job.status in ("INIT", "RUNNING", "SUCCESS", "FAIL"), "job status %r" % job.status
        if job.status in ("SUCCESS", "FAIL"):
            return job
        assert time.monotonic() < deadline, "job %s still %s after %ss" % (job_id, job.status, JOB_TIMEOUT_S)
        if not clock.advance(5):
            time.sleep(0.2)


def server_ids(ids):
    return [ServerId(id=i) for i in ids]


def stop(ecs, ids, kind="SOFT"):
    body = BatchStopServersRequestBody(os_stop=BatchStopServersOption(servers=server_ids(ids), type=kind))
    return ecs.batch_stop_servers(BatchStopServersRequest(body=body)).job_id


def start(ecs, ids):
    body = BatchStartServersRequestBody(os_start=BatchStartServersOption(servers=server_ids(ids)))
    return ecs.batch_start_servers(BatchStartServersRequest(body=body)).job_id


def reboot(ecs, ids, kind):
    body = BatchRebootServersRequestBody(reboot=BatchRebootSeversOption(servers=server_ids(ids), type=kind))
    return ecs.batch_reboot_servers(BatchRebootServersRequest(body=body)).job_id


def status_of(ecs, server_id):
    return ecs.show_server(ShowServerRequest(server_id=server_id)).server.status


def ensure_status(ecs, clock, ids, wanted):
    """Brings servers to ACTIVE or SHUTOFF so a test's precondition does not depend on the seed."""
    todo = [i for i in ids if status_of(ecs, i) != wanted]
    if not todo:
        return
    job_id = start(ecs, todo) if wanted == "ACTIVE" else stop(ecs, todo)
    job = wait_job(ecs, clock, job_id)
    assert job.status == "SUCCESS", "could not bring %s to %s: %s" % (todo, wanted, job)
    for i in ids:
        assert status_of(ecs, i) == wanted


def assert_job_succeeded(job, job_id, ids):
    assert job.job_id == job_id
    assert job.status == "SUCCESS"
    assert job.job_type, "job_type must be set"
    assert job.begin_time and job.end_time
    assert parse_time(job.end_time) >= parse_time(job.begin_time)
    assert not job.error_code and not job.fail_reason
    subs = job.entities.sub_jobs or []
    assert job.entities.sub_jobs_total == len(ids) == len(subs)
    assert sorted(s.entities.server_id for s in subs) == sorted(ids)
    for sub in subs:
        assert sub.status == "SUCCESS"
        assert sub.job_id and sub.job_id != job_id


def expect_client_error(call, status):
    with pytest.raises(ClientRequestException) as info:
        call()
    err = info.value
    assert err.status_code == status, "status %s, error %s %s" % (err.status_code, err.error_code, err.error_msg)
    assert err.request_id, "X-Request-Id missing on the %s error response" % status
    assert err.error_msg, "error message empty"
    return err
