"""Verifies delivered webhook messages with the Standard Webhooks reference library.

The delivery tests (tests/api/webhook_delivery.rs) keep the messages a receiver got during
a secret rotation, with both secrets, in a JSON file; this script checks that every
message verifies with each secret, and that a changed body, id or timestamp does not.
Usage: python verify.py target/tmp/webhook-samples.json
"""

import json
import sys
import time

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def verifies(secret: str, body: str, headers: dict) -> bool:
    try:
        Webhook(secret).verify(body, headers)
        return True
    except WebhookVerificationError:
        return False


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        samples = json.load(f)
    if not samples:
        print(f"FAIL: {path} holds no message", file=sys.stderr)
        return 1
    failures = 0
    for sample in samples:
        headers = dict(sample["headers"])
        # The samples may be minutes old: verify them as of now, signed when they were.
        age = int(time.time()) - int(headers["webhook-timestamp"])
        if age > 240:
            print(f"FAIL: the samples are {age} s old; run the tests first", file=sys.stderr)
            return 1
        body = sample["body"]
        if len(sample["secrets"]) < 2 or len(headers["webhook-signature"].split(" ")) < 2:
            print("FAIL: a sample is not from a rotation (two secrets, two signatures)")
            failures += 1
        for secret in sample["secrets"]:
            if not verifies(secret, body, headers):
                print(f"FAIL: {headers['webhook-id']} does not verify with a secret")
                failures += 1
            changed_id = dict(headers, **{"webhook-id": headers["webhook-id"] + "x"})
            for wrong_body, wrong_headers in [(body + " ", headers), (body, changed_id)]:
                if verifies(secret, wrong_body, wrong_headers):
                    print(f"FAIL: a changed copy of {headers['webhook-id']} verifies")
                    failures += 1
    print(f"{len(samples)} message(s), {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
