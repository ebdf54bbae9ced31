"""Drive a running Veikart through the Python client generated from openapi/openapi.json.

Usage: python_client_check.py BASE_URL PLATFORM_ADMIN_TOKEN

.ci/clients/run.sh generates the client package `veikart_client` with
openapi-python-client, type-checks this file against it with `mypy --strict`, and runs it
against the release binary serving a fresh SQLite database with the demo organisation
loaded. Every call goes through the generated functions and models; any status, type or
value other than the documented one ends the run with a non-zero exit code.
"""

from __future__ import annotations

import datetime
import sys
from typing import Any, NoReturn, TypeVar

import httpx

from veikart_client import AuthenticatedClient
from veikart_client.api.organisations import create_organisation
from veikart_client.api.plans import (
    create_plan,
    get_plan,
    get_plan_document,
    list_plans,
    update_plan,
)
from veikart_client.models import (
    CreateOrganisation,
    CreatePlan,
    PagePlan,
    Plan,
    PlanDocument,
    Problem,
    UpdatePlan,
)
from veikart_client.types import UNSET, Response, Unset

DEMO_ORG = "innovasjon-gardermoen"
DEMO_PLAN_ID = 1  # the demo plan is the first plan of a fresh database (README)
ORG = "ci-klienter"
ORG_NUMBER = "123456785"  # nine digits with a valid MOD11 check digit
PLAN_YEARS = (2023, 2024, 2025)
MAX_PAGES = 20  # a cursor that never ends must not loop forever

T = TypeVar("T")


class CheckFailed(Exception):
    pass


def fail(message: str) -> NoReturn:
    raise CheckFailed(message)


def expect(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def parsed_as(response: Response[Any], status: int, cls: type[T], what: str) -> T:
    """The response's body as the generated model `cls`, after checking the status."""
    if response.status_code != status:
        fail(
            f"{what}: expected {status}, got {int(response.status_code)}: "
            f"{response.content[:500]!r}"
        )
    parsed = response.parsed
    if not isinstance(parsed, cls):
        fail(f"{what}: expected a {cls.__name__}, got {type(parsed).__name__}")
    return parsed


def header(response: Response[Any], name: str, what: str) -> str:
    value = response.headers.get(name)  # an httpx.Headers: the name's case does not matter
    if value is None:
        fail(f"{what}: no {name} header")
    return value


class RequestLog:
    """Records each request's Authorization header, to prove who sent what."""

    def __init__(self) -> None:
        self.authorizations: list[str | None] = []

    def __call__(self, request: httpx.Request) -> None:
        self.authorizations.append(request.headers.get("Authorization"))


def check(base_url: str, token: str) -> None:
    sent = RequestLog()
    client = AuthenticatedClient(
        base_url=base_url,
        token=token,
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(30.0),
        httpx_args={"event_hooks": {"request": [sent]}},
    )

    # An organisation, as the platform admin.
    response_org = create_organisation.sync_detailed(
        client=client,
        body=CreateOrganisation(slug=ORG, name="CI-klienter", org_number=ORG_NUMBER),
    )
    org = response_org.parsed
    if int(response_org.status_code) != 201 or org is None or isinstance(org, Problem):
        fail(f"POST /orgs: {int(response_org.status_code)}: {response_org.content[:500]!r}")
    expect(org.slug == ORG, f"POST /orgs: slug {org.slug!r}")
    expect(sent.authorizations[-1] == f"Bearer {token}", "the token was not sent")

    # Several plans, so that a page of one item leaves more pages to follow.
    created: list[Plan] = []
    for year in PLAN_YEARS:
        response = create_plan.sync_detailed(
            ORG,
            client=client,
            body=CreatePlan(
                title=f"Handlingsplan {year}",
                period_start=datetime.date(year, 1, 1),
                period_end=datetime.date(year, 12, 31),
                intro=None,
            ),
        )
        plan = parsed_as(response, 201, Plan, "POST /plans")
        expect(plan.status.value == "draft", f"a new plan is {plan.status.value}")
        expect(plan.period_start == datetime.date(year, 1, 1), "period_start round trip")
        expect(plan.published is False, "a new plan is unpublished")
        expect(
            header(response, "ETag", "POST /plans") == f'"v{plan.version}"',
            "ETag of a new plan",
        )
        created.append(plan)

    # Page through them one at a time, following next_cursor.
    listed: list[Plan] = []
    cursor: str | Unset = UNSET
    for _ in range(MAX_PAGES):
        page = parsed_as(
            list_plans.sync_detailed(ORG, client=client, limit=1, cursor=cursor),
            200,
            PagePlan,
            "GET /plans",
        )
        expect(len(page.items) <= 1, f"limit=1 gave {len(page.items)} items")
        for item in page.items:
            expect(isinstance(item, Plan), f"a page item is a {type(item).__name__}")
            listed.append(item)
        if isinstance(page.next_cursor, str):
            cursor = page.next_cursor
        else:
            break
    else:
        fail(f"GET /plans: still a next_cursor after {MAX_PAGES} pages")
    expect(
        [p.id for p in listed] == [p.id for p in created],
        f"pages gave plans {[p.id for p in listed]}, created {[p.id for p in created]}",
    )
    expect(len(sent.authorizations) >= len(created) * 2, "every page was a request")

    # The demo plan's document, read without a token.
    anonymous_log = RequestLog()
    # openapi-python-client types every operation that has a `security` list as needing an
    # AuthenticatedClient, also those whose list allows anonymous access (`{}`). An
    # AuthenticatedClient adds its header only to an httpx client it builds itself, so
    # one given a plain httpx client sends no Authorization header at all.
    anonymous = AuthenticatedClient(
        base_url=base_url, token="", raise_on_unexpected_status=True
    ).set_httpx_client(
        httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(30.0),
            event_hooks={"request": [anonymous_log]},
        )
    )
    document = parsed_as(
        get_plan_document.sync_detailed(DEMO_ORG, DEMO_PLAN_ID, client=anonymous),
        200,
        PlanDocument,
        "GET /plans/{id}/document without a token",
    )
    expect(anonymous_log.authorizations == [None], "the anonymous read sent a token")
    expect(document.title != "", "the demo document has a title")
    expect(document.period_start <= document.period_end, "the demo document's period")
    expect(len(document.focus_areas) > 0, "the demo document has focus areas")

    # Read a plan, change it with If-Match, and see the stale ETag refused.
    target = created[0]
    response = get_plan.sync_detailed(ORG, target.id, client=client)
    current = parsed_as(response, 200, Plan, "GET /plans/{id}")
    etag = header(response, "ETag", "GET /plans/{id}")
    not_modified = get_plan.sync_detailed(ORG, target.id, client=client, if_none_match=etag)
    expect(int(not_modified.status_code) == 304, "If-None-Match with the current ETag")
    response = update_plan.sync_detailed(
        ORG,
        target.id,
        client=client,
        body=UpdatePlan(title=f"{current.title} (revidert)", intro="Revidert i CI."),
        if_match=etag,
    )
    changed = parsed_as(response, 200, Plan, "PATCH /plans/{id} with If-Match")
    expect(changed.title == f"{current.title} (revidert)", "PATCH changed the title")
    expect(changed.intro == "Revidert i CI.", "PATCH changed the intro")
    expect(changed.version > current.version, "PATCH raised the version")
    expect(header(response, "ETag", "PATCH /plans/{id}") != etag, "PATCH gave a new ETag")
    stale = parsed_as(
        update_plan.sync_detailed(
            ORG, target.id, client=client, body=UpdatePlan(intro=None), if_match=etag
        ),
        412,
        Problem,
        "PATCH /plans/{id} with a stale If-Match",
    )
    expect(stale.status == 412, f"412 problem has status {stale.status}")

    # A period that ends before it starts is a 422 problem naming the field.
    problem = parsed_as(
        create_plan.sync_detailed(
            ORG,
            client=client,
            body=CreatePlan(
                title="Baklengs",
                period_start=datetime.date(2024, 12, 31),
                period_end=datetime.date(2024, 1, 1),
            ),
        ),
        422,
        Problem,
        "POST /plans with period_end before period_start",
    )
    expect(problem.status == 422, f"422 problem has status {problem.status}")
    expect(problem.type_ != "" and problem.title != "", "the problem has a type and title")
    errors = problem.errors if not isinstance(problem.errors, Unset) else []
    expect(
        any(e.field == "period_end" and e.pointer == "/period_end" for e in errors),
        f"the 422 problem names period_end: {[(e.field, e.pointer) for e in errors]}",
    )

    client.get_httpx_client().close()
    anonymous.get_httpx_client().close()
    print(
        f"python client: {len(created)} plans over {len(listed)} pages, anonymous document "
        f"with {len(document.focus_areas)} focus areas, PATCH v{current.version}"
        f"->v{changed.version} with If-Match, 412 on a stale ETag, 422 as Problem"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        check(argv[1], argv[2])
    except CheckFailed as failure:
        print(f"FAIL: python client: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
