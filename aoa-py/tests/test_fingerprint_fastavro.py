"""`schema_fingerprint` agrees with fastavro, an independent Avro implementation: the same Parsing Canonical Form
and the same CRC-64-AVRO, printed in the byte order of the single-object header (little-endian)."""

from __future__ import annotations

import json
from pathlib import Path

import fastavro.schema as fastavro_schema
import pytest

import aoa

ROOT = Path(__file__).resolve().parents[2]

SCHEMAS: list[object] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
    {"type": "array", "items": "long"},
    {"type": "map", "values": "string"},
    ["null", "string"],
    {"type": "enum", "name": "Color", "namespace": "acme", "symbols": ["RED", "GREEN"]},
    {"type": "fixed", "name": "Md5", "size": 16},
    {"type": "record", "name": "Point", "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]},
    {"type": "record", "name": "acme.Node", "doc": "stripped", "fields": [
        {"name": "value", "type": "string", "default": "x"},
        {"name": "next", "type": ["null", "acme.Node"], "default": None},
    ]},
    {"type": "record", "name": "Wrapper", "namespace": "a.b", "fields": [
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "n", "type": "long"}]}},
        {"name": "again", "type": "Inner"},
    ]},
    {"type": "long", "logicalType": "timestamp-millis"},
    {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
    {"type": "array", "items": {"type": "map", "values": ["int", "null", {"type": "array", "items": "bytes"}]}},
]
SCHEMAS += [json.loads(p.read_text()) for p in sorted((ROOT / "examples" / "platform" / "schemas").rglob("*.avsc"))]


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_fingerprint_matches_fastavro(schema: object) -> None:
    ours = aoa.schema_fingerprint(json.dumps(schema))
    canonical = fastavro_schema.to_parsing_canonical_form(schema)
    assert ours["canonical_form"] == canonical
    assert ours["crc64_avro"] == fastavro_schema.fingerprint(canonical, "CRC-64-AVRO")
    assert ours["sha256"] == fastavro_schema.fingerprint(canonical, "SHA-256")


def test_at_least_twenty_schemas_compared() -> None:
    assert len(SCHEMAS) >= 20
