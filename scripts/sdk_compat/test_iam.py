"""IAM (keystone v3): password tokens, projects, domains."""

import datetime as dt

from huaweicloudsdkiam.v3 import (
    AuthScope,
    AuthScopeDomain,
    AuthScopeProject,
    KeystoneCreateUserTokenByPasswordRequest,
    KeystoneCreateUserTokenByPasswordRequestBody,
    KeystoneListAuthDomainsRequest,
    KeystoneListProjectsRequest,
    PwdAuth,
    PwdIdentity,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
)

from compat import expect_client_error, parse_time


def password_token_request(account, region, password=None, domain_scope=False):
    user = PwdPasswordUser(
        domain=PwdPasswordUserDomain(name=account["name"]),
        name=account["iam_user"],
        password=password or account["iam_password"],
    )
    auth = PwdAuth(
        identity=PwdIdentity(methods=["password"], password=PwdPassword(user=user)),
        scope=AuthScope(domain=AuthScopeDomain(name=account["name"]))
        if domain_scope
        else AuthScope(project=AuthScopeProject(name=region)),
    )
    return KeystoneCreateUserTokenByPasswordRequest(body=KeystoneCreateUserTokenByPasswordRequestBody(auth=auth))


def test_iam_token_by_password_is_project_scoped(iam_a, acct_a, group_a):
    region = group_a[0]
    resp = iam_a.keystone_create_user_token_by_password(password_token_request(acct_a, region))
    assert resp.status_code == 201
    assert resp.x_subject_token, "X-Subject-Token header missing"
    token = resp.token
    assert token.methods == ["password"]
    assert token.project.name == region
    assert token.project.id == acct_a["projects"][region]
    assert token.project.domain.id == acct_a["domain_id"]
    assert token.user.name == acct_a["iam_user"]
    assert token.user.domain.id == acct_a["domain_id"]
    issued, expires = parse_time(token.issued_at), parse_time(token.expires_at)
    assert abs((expires - issued) - dt.timedelta(hours=24)) <= dt.timedelta(minutes=1)
    now = dt.datetime.now(dt.timezone.utc)
    assert abs(expires - (now + dt.timedelta(hours=24))) <= dt.timedelta(hours=1)


def test_iam_token_by_password_can_be_domain_scoped(iam_a, acct_a):
    resp = iam_a.keystone_create_user_token_by_password(password_token_request(acct_a, None, domain_scope=True))
    assert resp.status_code == 201
    assert resp.x_subject_token
    assert resp.token.domain.id == acct_a["domain_id"]
    assert resp.token.domain.name == acct_a["name"]
    assert resp.token.project is None, "a domain-scoped token names no project"


def test_iam_token_with_wrong_password_is_401(iam_a, acct_a, group_a):
    req = password_token_request(acct_a, group_a[0], password="Wrong-Passw0rd")
    err = expect_client_error(lambda: iam_a.keystone_create_user_token_by_password(req), 401)
    # Keystone's body is {"error": {"code": 401, ...}}; the SDK surfaces the number.
    assert err.error_code == 401


def test_iam_list_projects_by_region_name(iam_a, acct_a):
    for region, project_id in sorted(acct_a["projects"].items()):
        resp = iam_a.keystone_list_projects(KeystoneListProjectsRequest(name=region))
        assert [p.id for p in resp.projects] == [project_id], region
        project = resp.projects[0]
        assert project.name == region
        assert project.domain_id == acct_a["domain_id"]
        assert project.parent_id == acct_a["domain_id"]
        assert project.enabled is True
        assert project.is_domain is False


def test_iam_list_auth_domains(iam_a, acct_a):
    resp = iam_a.keystone_list_auth_domains(KeystoneListAuthDomainsRequest())
    assert [d.id for d in resp.domains] == [acct_a["domain_id"]]
    assert resp.domains[0].name == acct_a["name"]
    assert resp.domains[0].enabled is True
