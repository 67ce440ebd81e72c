#!/usr/bin/env python3
"""Drive firebell's PagerDuty REST API with PagerDuty's own Python client, pdpyras.

    pip install pdpyras==5.4.1
    python3 tests/clients/pdpyras_check.py http://127.0.0.1:8080/pagerduty/v2 <API token> <From email>

Lists triggered incidents (paging with iter_all), acknowledges them in bulk, adds a note to the
first, reads the on-calls, services, escalation policies, schedules and users. Exits non-zero on
the first thing that does not work as it would against PagerDuty.
"""
import sys

import pdpyras


def main(url, token, email):
    s = pdpyras.APISession(token, default_from=email)
    s.url = url
    triggered = list(
        s.iter_all("incidents", params={"statuses[]": ["triggered"], "date_range": "all"}, page_size=2)
    )
    print(f"incidents triggered: {len(triggered)} {[i['id'] for i in triggered]}")
    assert triggered, "start firebell and trigger a few incidents first"
    total = s.rget("incidents", params={"total": True, "date_range": "all", "limit": 1})
    print(f"rget incidents (one page of 1): {[i['id'] for i in total]}")
    acked = s.rput(
        "incidents",
        json=[{"id": i["id"], "type": "incident_reference", "status": "acknowledged"} for i in triggered],
    )
    assert all(i["status"] == "acknowledged" for i in acked), acked
    print(f"bulk acknowledged: {[i['id'] for i in acked]} by {acked[0]['acknowledgements'][0]['acknowledger']['summary']}")
    first = triggered[0]["id"]
    note = s.rpost(f"incidents/{first}/notes", json={"content": "acknowledged from pdpyras"})
    print(f"note {note['id']} on incident {first}: {note['content']!r} by {note['user']['summary']}")
    notes = s.rget(f"incidents/{first}/notes")
    assert any(n["content"] == "acknowledged from pdpyras" for n in notes), notes
    log = list(s.iter_all(f"incidents/{first}/log_entries"))
    print(f"log entries of {first}: {[e['type'] for e in log]}")
    one = s.rget(f"incidents/{first}")
    assert one["status"] == "acknowledged", one
    for what in ["oncalls", "services", "escalation_policies", "schedules", "users"]:
        items = list(s.iter_all(what))
        print(f"{what}: {len(items)}", [i.get("summary") or i.get("user", {}).get("summary") for i in items][:6])
    oncalls = list(s.iter_all("oncalls"))
    assert oncalls, "someone should be on call"
    try:
        s.rget("incidents/999999")
    except pdpyras.PDClientError as e:
        print(f"unknown incident: {e.response.status_code} {e.response.json()['error']['code']}")
    print("pdpyras: all checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:4])
