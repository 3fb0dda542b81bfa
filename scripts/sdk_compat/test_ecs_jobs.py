"""ECS jobs: batch start, stop and reboot; password resets."""

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkecs.v2 import (
    BatchResetServersPasswordRequest,
    BatchResetServersPasswordRequestBody,
    ShowServerRequest,
)

from compat import (
    ECS_CODE_RE,
    JOB_ID_RE,
    assert_job_succeeded,
    ensure_status,
    expect_client_error,
    reboot,
    server_ids,
    show_job,
    start,
    status_of,
    stop,
    wait_job,
)


@pytest.mark.parametrize("kind", ["SOFT", "HARD", None])
def test_ecs_batch_stop_runs_a_job(ecs_a, clock, batch_ids, kind):
    # `type` is optional for os-stop (default SOFT); None makes the SDK omit it.
    ensure_status(ecs_a, clock, batch_ids, "ACTIVE")
    job_id = stop(ecs_a, batch_ids, kind)
    assert JOB_ID_RE.match(job_id), job_id
    assert_job_succeeded(wait_job(ecs_a, clock, job_id), job_id, batch_ids)
    for i in batch_ids:
        server = ecs_a.show_server(ShowServerRequest(server_id=i)).server
        assert server.status == "SHUTOFF"
        assert server.os_ext_st_svm_state == "stopped"


def test_ecs_batch_start_runs_a_job(ecs_a, clock, batch_ids):
    ensure_status(ecs_a, clock, batch_ids, "SHUTOFF")
    job_id = start(ecs_a, batch_ids)
    assert JOB_ID_RE.match(job_id), job_id
    assert_job_succeeded(wait_job(ecs_a, clock, job_id), job_id, batch_ids)
    for i in batch_ids:
        server = ecs_a.show_server(ShowServerRequest(server_id=i)).server
        assert server.status == "ACTIVE"
        assert server.os_ext_st_svm_state == "active"
        assert server.os_ext_st_spower_state == 1


@pytest.mark.parametrize("kind", ["SOFT", "HARD"])
def test_ecs_batch_reboot_runs_a_job(ecs_a, clock, batch_ids, kind):
    ensure_status(ecs_a, clock, batch_ids, "ACTIVE")
    job_id = reboot(ecs_a, batch_ids, kind)
    assert JOB_ID_RE.match(job_id), job_id
    assert_job_succeeded(wait_job(ecs_a, clock, job_id), job_id, batch_ids)
    for i in batch_ids:
        assert status_of(ecs_a, i) == "ACTIVE"


def test_ecs_reboot_without_type_is_rejected(ecs_a, batch_ids):
    # Unlike os-stop, reboot's `type` is required.
    err = expect_client_error(lambda: reboot(ecs_a, batch_ids[:1], None), 400)
    assert ECS_CODE_RE.match(str(err.error_code)), err.error_code


def test_ecs_starting_a_running_server_fails_its_job(ecs_a, clock, batch_ids):
    server_id = batch_ids[0]
    ensure_status(ecs_a, clock, [server_id], "ACTIVE")
    job_id = start(ecs_a, [server_id])
    job = wait_job(ecs_a, clock, job_id)
    assert job.job_id == job_id
    assert job.status == "FAIL"
    assert job.error_code or job.fail_reason, "a failed job names its error"
    subs = job.entities.sub_jobs or []
    assert len(subs) == job.entities.sub_jobs_total == 1
    sub = subs[0]
    assert sub.status == "FAIL"
    assert sub.entities.server_id == server_id
    assert sub.entities.errorcode_message or sub.fail_reason, "the sub-job says why it failed"
    assert status_of(ecs_a, server_id) == "ACTIVE"


def test_ecs_show_job_unknown_is_an_error(ecs_a):
    with pytest.raises(ClientRequestException) as info:
        show_job(ecs_a, "0" * 32)
    assert info.value.status_code in (400, 404)
    assert ECS_CODE_RE.match(str(info.value.error_code)), info.value.error_code
    assert info.value.request_id


def reset_password(ecs, ids, password):
    body = BatchResetServersPasswordRequestBody(new_password=password, servers=server_ids(ids))
    return ecs.batch_reset_servers_password(BatchResetServersPasswordRequest(body=body))


def test_ecs_reset_password_accepts_valid_password(ecs_a, batch_ids):
    resp = reset_password(ecs_a, batch_ids, "Sdk-Compat_2026!")
    assert sorted(s.id for s in resp.response) == sorted(batch_ids)


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt!",  # below 8 characters
        "alllowercaseletters",  # one character class
        "Has Space123!",  # space is forbidden
        "Dollar$Sign123",  # `$` is forbidden
        "Xroot-Passw0rd",  # contains `root`
    ],
)
def test_ecs_reset_password_rejects_weak_password(ecs_a, batch_ids, password):
    err = expect_client_error(lambda: reset_password(ecs_a, batch_ids[:1], password), 400)
    assert err.error_code == "Ecs.0011", (password, err.error_code, err.error_msg)
