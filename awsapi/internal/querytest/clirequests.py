#!/usr/bin/env python3
"""Writes the seed corpus of the Query decoder fuzz tests: for every
operation of a botocore service model, the form body the aws CLI sends
(serialized by botocore, which the CLI uses), one per line, with the
values every member of the input would get from a plausible call.

    python3 awsapi/internal/querytest/clirequests.py iam awsapi/iamapi/testdata/cli-requests.txt
    python3 awsapi/internal/querytest/clirequests.py sts awsapi/stsapi/testdata/cli-requests.txt

It uses the installed botocore's model of the service (the same version
as shared/data/models).
"""
import datetime
import sys
from urllib.parse import urlencode

import botocore.session
from botocore.serialize import create_serializer

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}'


def value(name, shape, depth=0):
    t = shape.type_name
    if t == "structure":
        return {m: value(m, s, depth + 1) for m, s in shape.members.items()} if depth < 4 else {}
    if t == "list":
        return [value(name, shape.member, depth + 1) for _ in range(2)]
    if t == "map":
        return {"k1": value(name, shape.value, depth + 1)}
    if t == "boolean":
        return True
    if t in ("integer", "long"):
        lo = shape.metadata.get("min", 1)
        return max(lo, min(shape.metadata.get("max", 100), 100))
    if t == "timestamp":
        return datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    if t == "blob":
        return b"seed data"
    enum = shape.metadata.get("enum")
    if enum:
        return enum[0]
    n = name.lower()
    if n.endswith("arn") or n.endswith("arns"):
        return "arn:aws:iam::123456789012:policy/seed"
    if "document" in n or n == "policy":
        return POLICY
    if n in ("path", "pathprefix", "newpath"):
        return "/seed/"
    if n == "url":
        return "https://example.com"
    if "marker" in n:
        return "seed-marker"
    return "seed-" + name


def main():
    service, out = sys.argv[1], sys.argv[2]
    model = botocore.session.get_session().get_service_model(service)
    ser = create_serializer("query", include_validation=False)

    def serialize(params, om):
        body = ser.serialize_to_request(params, om)["body"]
        return body if isinstance(body, str) else urlencode(body)

    lines = set()
    for op in sorted(model.operation_names):
        om = model.operation_model(op)
        if not om.input_shape:
            lines.add(serialize({}, om))
            continue
        params = value(op, om.input_shape)
        lines.add(serialize(params, om))
        # The bare call: the required members only.
        lines.add(serialize({m: params[m] for m in om.input_shape.required_members}, om))
    with open(out, "w") as f:
        f.write("\n".join(sorted(lines)) + "\n")


if __name__ == "__main__":
    main()
