"""Form-encoded and multipart bodies, which PostHog's schema declares for every request body
(DRF's FormParser and MultiPartParser), read with DRF's field semantics over loopback HTTP."""

from __future__ import annotations

import json
import uuid

from conftest import Api, parse_sse
from envnb.sandbox import Sandbox

S3 = json.dumps({"bucket_name": "forms", "region": "eu-west-1", "prefix": "f/"})


def _api(sb: Sandbox) -> Api:
    return Api(sb, prefix="projects")


def test_a_batch_export_created_from_a_form_has_its_simple_fields(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    created = api.post(
        "batch_exports/",
        data={
            "name": "from a form",
            "interval": "day",
            "paused": "true",  # a form value is a string; DRF's BooleanField reads "true"
            "offset_hour": "5",
            "timezone": "Europe/Berlin",
            "destination.type": "AwsS3",  # a nested serializer reads `field.sub` keys
            "destination.integration": "1",  # the seeded aws-s3 integration
            "destination.config": S3,  # a JSONField reads its value as JSON text
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["interval"], body["paused"]) == ("from a form", "day", True)
    assert (body["offset_hour"], body["timezone"]) == (5, "Europe/Berlin")
    assert (body["destination"]["type"], body["destination"]["integration"]) == ("AwsS3", 1)
    assert body["destination"]["config"] == {
        "bucket_name": "forms",
        "region": "eu-west-1",
        "prefix": "f/",
        "legacy_parquet_extension": False,  # a new export writes `.parquet` names
    }


def test_the_same_export_as_multipart_and_a_patch_as_a_form(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    created = api.post(
        "batch_exports/",
        files={
            "name": (None, "multipart"),
            "interval": (None, "hour"),
            "destination.type": (None, "AwsS3"),
            "destination.integration": (None, "1"),
            "destination.config": (None, S3),
        },
    )
    assert created.status_code == 201, created.text
    export_id = created.json()["id"]
    patched = api.patch(f"batch_exports/{export_id}/", data={"name": "renamed", "end_at": ""})
    assert patched.status_code == 200, patched.text
    # An empty value of a nullable field is null (DRF Field.get_value).
    assert (patched.json()["name"], patched.json()["end_at"]) == ("renamed", None)
    assert patched.json()["interval"] == "hour"


def test_a_nested_object_cannot_be_a_plain_form_value(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    # `destination=S3` is not how a form spells an object: DRF's nested serializer ignores
    # it and the required field is missing.
    plain = api.post("batch_exports/", data={"name": "x", "interval": "day", "destination": "S3"})
    assert plain.status_code == 400
    assert plain.json() == {
        "type": "validation_error",
        "code": "required",
        "detail": "This field is required.",
        "attr": "destination",
    }
    bad_json = api.post(
        "batch_exports/",
        data={"name": "x", "interval": "day", "destination.type": "S3", "destination.config": "{"},
    )
    assert bad_json.status_code == 400
    assert bad_json.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "Value must be valid JSON.",
        "attr": "destination__config",
    }


def test_a_file_part_is_the_fields_400_never_a_500(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    upload = api.post(
        "batch_exports/",
        files={
            "name": ("name.txt", b"a file"),
            "interval": (None, "day"),
            "destination.type": (None, "S3"),
            "destination.config": (None, S3),
        },
    )
    assert upload.status_code == 400
    assert (upload.json()["attr"], upload.json()["detail"]) == ("name", "Not a valid string.")
    config_file = api.post(
        "batch_exports/",
        files={
            "name": (None, "x"),
            "interval": (None, "day"),
            "destination.type": (None, "S3"),
            "destination.config": ("config.json", S3.encode()),
        },
    )
    assert config_file.status_code == 400
    assert config_file.json()["attr"] == "destination__config"


def test_a_conversation_message_sent_as_a_form_streams_a_reply(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    conversation = str(uuid.uuid4())
    response = api.post(
        "conversations/",
        data={"content": "lorem 3", "conversation": conversation, "trace_id": str(uuid.uuid4())},
    )
    assert response.status_code == 200, response.text
    frames = parse_sse(response.content)
    human = [f.data for f in frames if f.event == "message" and f.data.get("type") == "human"]
    assert [m["content"] for m in human] == ["lorem 3"]
    assert frames[-1].event == "conversation"
    appended = api.post(f"conversations/{conversation}/append_message/", data={"content": "a note"})
    assert appended.status_code == 201, appended.text


def test_a_broken_multipart_body_is_a_parse_error(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    broken = api.post(
        "batch_exports/",
        content=b"name=x",
        headers={"Content-Type": "multipart/form-data"},  # no boundary
    )
    assert broken.status_code == 400
    assert (broken.json()["type"], broken.json()["code"]) == ("invalid_request", "parse_error")


def test_other_media_types_are_still_415(fresh_sandbox: Sandbox) -> None:
    api = _api(fresh_sandbox)
    xml = api.post("batch_exports/", content=b"<x/>", headers={"Content-Type": "text/xml"})
    assert xml.status_code == 415
    assert xml.json()["detail"] == 'Unsupported media type "text/xml" in request.'


def test_the_api_key_may_come_in_a_form_body(fresh_sandbox: Sandbox) -> None:
    # PostHog's PersonalAPIKeyAuthentication reads `personal_api_key` from request.data.
    keyless = Api(fresh_sandbox, key="", prefix="projects")
    answered = keyless.post(
        "batch_exports/",
        data={
            "personal_api_key": fresh_sandbox.api_key,
            "name": "keyed by form",
            "interval": "day",
            "destination.type": "AwsS3",
            "destination.integration": "1",
            "destination.config": S3,
        },
    )
    assert answered.status_code == 201, answered.text
    assert fresh_sandbox.api_key not in answered.text


def test_an_empty_optional_form_value_leaves_the_field_out(fresh_sandbox: Sandbox) -> None:
    # DRF Field.get_value: '' for an optional field that allows neither null nor blank is
    # "empty" (left out); for a required one it stays '' and is that field's 400.
    api = _api(fresh_sandbox)
    form = {
        "interval": "day",
        "destination.type": "AwsS3",
        "destination.integration": "1",
        "destination.config": S3,
    }
    created = api.post("batch_exports/", data={**form, "name": "x", "hogql_query": ""})
    assert created.status_code == 201, created.text
    assert "hogql_query" not in created.json()
    blank = api.post("batch_exports/", data={**form, "name": ""})
    assert blank.status_code == 400
    assert blank.json()["attr"] == "name"
    assert blank.json()["detail"] == "This field may not be blank."
