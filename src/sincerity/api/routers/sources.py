"""Sources: submit batches of records, see their status and the disputes, answer disputes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from sincerity.api.deps import IntId, RegistryDep, SettingsDep, SourceActor
from sincerity.api.errors import ERROR_RESPONSES, links
from sincerity.api.models import AnswerIn, BatchIn, DisputeOut, IngestOut, RecordOut, RecordPage
from sincerity.core.disputes import DisputeState
from sincerity.core.errors import NotFoundError, PermissionDeniedError, TooLargeError
from sincerity.services import idempotency, ingest_rows
from sincerity.services.disputes import (
    answer_dispute,
    disputes_for_source,
    evidence_for_source,
)
from sincerity.services.ingest import not_own_record
from sincerity.services.subject_file import log_source_reads, record_page

router = APIRouter(prefix="/v1", tags=["sources"], responses=ERROR_RESPONSES)


@router.post(
    "/records",
    response_model=IngestOut,
    status_code=200,
    responses=links(
        200,
        ReadRecord=(
            "/v1/records/{record_id}",
            "get",
            {"record_id": "$request.body#/records/0/id"},
        ),
    ),
)
def submit_records(
    body: BatchIn,
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    source: SourceActor,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Retry safely: the same key and body return the first response.",
        ),
    ] = None,
) -> JSONResponse:
    """Submit a batch of records: all are stored or none, and each subject touched is rescored."""
    if len(body.records) > settings.max_batch_records:
        raise TooLargeError(f"a batch holds at most {settings.max_batch_records} records")
    request_hash = hashlib.sha256(
        json.dumps(body.records, sort_keys=True, default=str).encode()
    ).hexdigest()
    records = []
    for record in body.records:
        if wrong := not_own_record(record, source.id):
            raise PermissionDeniedError(wrong)
        records.append({**record, "source": source.id})
    if idempotency_key is not None:
        replay = idempotency.claim(registry, source.id, idempotency_key, request_hash)
        if replay is not None:
            return JSONResponse(
                json.loads(replay.response),
                status_code=replay.status,
                headers={"Idempotent-Replayed": "true"},
            )
    try:
        result = ingest_rows(registry, records, name=f"api batch from {source.id}")
    except BaseException:
        if idempotency_key is not None:
            idempotency.release(registry, source.id, idempotency_key)
        raise
    request.app.state.metrics.records.inc(result.inserted)
    out = asdict(result)
    if idempotency_key is not None:
        idempotency.complete(registry, source.id, idempotency_key, 200, json.dumps(out))
    return JSONResponse(out, status_code=200)


@router.get("/records", response_model=RecordPage)
def list_records(
    registry: RegistryDep,
    settings: SettingsDep,
    source: SourceActor,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecordPage:
    """The source's own records, with each one's dispute state, a page at a time."""
    items, next_cursor = record_page(
        registry, source_id=source.id, cursor=cursor, limit=min(limit, settings.page_size_max)
    )
    log_source_reads(registry, source.id, {i.subject for i in items}, "status of reported records")
    return RecordPage(items=items, next_cursor=next_cursor)


@router.get("/records/{record_id}", response_model=RecordOut)
def get_record(record_id: str, registry: RegistryDep, source: SourceActor) -> RecordOut:
    """One of the source's own records."""
    items, _ = record_page(registry, source_id=source.id, cursor=None, limit=1, only_id=record_id)
    if not items:
        raise NotFoundError(f"no record {record_id!r} from you")
    log_source_reads(registry, source.id, {items[0].subject}, f"status of record {record_id}")
    return items[0]


@router.get("/source/disputes", response_model=list[DisputeOut])
def source_disputes(
    registry: RegistryDep,
    source: SourceActor,
    state: DisputeState | None = None,
) -> list[DisputeOut]:
    """Disputes against the source's records."""
    disputes = disputes_for_source(registry, source.id, state)
    log_source_reads(
        registry, source.id, {d.subject_id for d in disputes}, "disputes against its records"
    )
    return disputes


@router.get(
    "/source/disputes/{dispute_id}/evidence",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def dispute_evidence(dispute_id: IntId, registry: RegistryDep, source: SourceActor) -> Response:
    """The file the subject attached to a dispute against one of the source's records."""
    found = evidence_for_source(registry, source.id, dispute_id)
    return Response(
        found.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="dispute-{dispute_id}-evidence"'},
    )


@router.post("/disputes/{dispute_id}/answer", response_model=DisputeOut)
def answer(
    dispute_id: IntId, body: AnswerIn, registry: RegistryDep, source: SourceActor
) -> DisputeOut:
    """Confirm the record with evidence, correct it with a new record, or withdraw it."""
    return answer_dispute(
        registry, source.id, dispute_id, body.action, body.evidence, body.corrected_record
    )
