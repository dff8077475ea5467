"""Reads an `aoa audit export` file with fastavro (an independent Avro implementation) and verifies its hash
chain from the file alone: hash = SHA-256(previous hash || Avro binary of the event), the first previous hash
32 zero bytes. Usage: check_export.py FILE.avro EXPECTED_EVENTS"""

import hashlib
import io
import json
import sys

import fastavro


def main(path: str, expected: int) -> None:
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        schema = reader.writer_schema
        records = list(reader)
    event_schema = fastavro.parse_schema(
        next(field["type"] for field in schema["fields"] if field["name"] == "event")
    )
    assert len(records) == expected, f"{len(records)} records, expected {expected}"
    prev = bytes(32)
    for i, record in enumerate(records, start=1):
        event = record["event"]
        assert event["seq"] == i, f"record {i} holds event {event['seq']}"
        keys = [a["key"] for a in event["attributes"]]
        assert keys == sorted(keys), f"event {i}: attributes not sorted by key"
        body = io.BytesIO()
        fastavro.schemaless_writer(body, event_schema, event)
        digest = hashlib.sha256(prev + body.getvalue()).digest()
        assert digest == record["hash"], f"event {i}: the chain does not verify"
        prev = digest
    print(json.dumps({"events": len(records), "head": prev.hex()}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
