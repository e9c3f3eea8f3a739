"""PostHog AI conversations: objects, messages (discriminated by ``type``), stream events."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import Discriminator, Field, PrivateAttr, Tag, TypeAdapter, field_validator

from .._core.models import APIModel, RequestModel, open_enum
from ..errors import RequestValidationError
from .proposals import ApprovalEvent, PendingApproval, runtime_notice

MAX_CONTENT = 40_000
MAX_APPEND_CONTENT = 10_000


class ConversationStatus(StrEnum):
    """Whether the assistant is generating."""

    IDLE = "idle"
    IN_PROGRESS = "in_progress"
    CANCELING = "canceling"


class ConversationType(StrEnum):
    """Kind of conversation."""

    ASSISTANT = "assistant"
    TOOL_CALL = "tool_call"
    DEEP_RESEARCH = "deep_research"
    SLACK = "slack"


class AgentMode(StrEnum):
    """Agent mode a message may ask for: PostHog's ``AgentModeEnum``, 11 values.

    [src: PH:frontend/src/generated/openapi.yaml @1404d6c] Another value is refused
    locally (PostHog answers 400 "Invalid agent mode."); a conversation that comes back
    with a newer mode keeps it as a plain string.
    """

    PRODUCT_ANALYTICS = "product_analytics"
    SQL = "sql"
    SESSION_REPLAY = "session_replay"
    ERROR_TRACKING = "error_tracking"
    PLAN = "plan"
    EXECUTION = "execution"
    SURVEY = "survey"
    ONBOARDING = "onboarding"
    RESEARCH = "research"
    FLAGS = "flags"
    LLM_ANALYTICS = "llm_analytics"


# ---- messages ---------------------------------------------------------------------------


class BaseMessage(APIModel):
    """Fields every message has; ``id`` is None while the message is still streaming."""

    type: str
    id: str | None = None
    parent_tool_call_id: str | None = None
    content: Any = None


class ToolCall(APIModel):
    """A tool call the assistant made."""

    id: str
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    type: str = "tool_call"


class HumanMessage(BaseMessage):
    """What the user said."""

    type: Literal["human"] = "human"
    content: str = ""
    ui_context: Any = None


class AIMessage(BaseMessage):
    """The assistant's text (and possibly tool calls)."""

    type: Literal["ai"] = "ai"
    content: str = ""
    meta: dict[str, Any] | None = None
    tool_calls: list[ToolCall] | None = None


class ReasoningMessage(BaseMessage):
    """A short reasoning/progress note."""

    type: Literal["ai/reasoning"] = "ai/reasoning"
    content: str = ""
    substeps: list[Any] | None = None


class VizMessage(BaseMessage):
    """A visualization (insight query) the assistant produced."""

    type: Literal["ai/viz"] = "ai/viz"
    query: Any = None
    plan: str | None = None
    answer: Any = None
    initiator: str | None = None
    short_id: str | None = None


class MultiVizMessage(BaseMessage):
    """Several visualizations with commentary."""

    type: Literal["ai/multi_viz"] = "ai/multi_viz"
    visualizations: list[Any] = Field(default_factory=list)
    commentary: str | None = None


class ArtifactMessage(BaseMessage):
    """An artifact reference."""

    type: Literal["ai/artifact"] = "ai/artifact"
    artifact_id: str | None = None
    source: Any = None


class FailureMessage(BaseMessage):
    """The assistant failed."""

    type: Literal["ai/failure"] = "ai/failure"
    content: str | None = None


class NotebookMessage(BaseMessage):
    """A notebook the assistant wrote."""

    type: Literal["ai/notebook"] = "ai/notebook"
    notebook_id: str | None = None


class PlanningMessage(BaseMessage):
    """A plan of steps."""

    type: Literal["ai/planning"] = "ai/planning"


class TaskExecutionMessage(BaseMessage):
    """Progress of tasks being executed."""

    type: Literal["ai/task_execution"] = "ai/task_execution"


class ToolMessage(BaseMessage):
    """The result of a tool call."""

    type: Literal["tool"] = "tool"
    content: str = ""
    tool_call_id: str | None = None
    ui_payload: Any = None


class ContextMessage(BaseMessage):
    """Context given to the assistant."""

    type: Literal["context"] = "context"
    content: str = ""


class GenericMessage(BaseMessage):
    """A message of a type this version of envnb does not know; every field is kept."""


_MESSAGE_CLASSES: dict[str, type[BaseMessage]] = {
    "human": HumanMessage,
    "ai": AIMessage,
    "ai/reasoning": ReasoningMessage,
    "ai/viz": VizMessage,
    "ai/multi_viz": MultiVizMessage,
    "ai/artifact": ArtifactMessage,
    "ai/failure": FailureMessage,
    "ai/notebook": NotebookMessage,
    "ai/planning": PlanningMessage,
    "ai/task_execution": TaskExecutionMessage,
    "tool": ToolMessage,
    "context": ContextMessage,
}


def _message_tag(value: Any) -> str:
    t = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return t if t in _MESSAGE_CLASSES else "__other__"


Message = Annotated[
    Annotated[HumanMessage, Tag("human")]
    | Annotated[AIMessage, Tag("ai")]
    | Annotated[ReasoningMessage, Tag("ai/reasoning")]
    | Annotated[VizMessage, Tag("ai/viz")]
    | Annotated[MultiVizMessage, Tag("ai/multi_viz")]
    | Annotated[ArtifactMessage, Tag("ai/artifact")]
    | Annotated[FailureMessage, Tag("ai/failure")]
    | Annotated[NotebookMessage, Tag("ai/notebook")]
    | Annotated[PlanningMessage, Tag("ai/planning")]
    | Annotated[TaskExecutionMessage, Tag("ai/task_execution")]
    | Annotated[ToolMessage, Tag("tool")]
    | Annotated[ContextMessage, Tag("context")]
    | Annotated[GenericMessage, Tag("__other__")],
    Discriminator(_message_tag),
]

_MESSAGE_ADAPTER: TypeAdapter[Any] = TypeAdapter(Message)


def parse_message(data: dict[str, Any]) -> BaseMessage:
    """Parse one message dict into its typed class (unknown types become GenericMessage)."""
    msg: BaseMessage = _MESSAGE_ADAPTER.validate_python(data)
    return msg


# ---- conversations ----------------------------------------------------------------------


class ConversationUser(APIModel):
    """The user who owns a conversation."""

    id: int | None = None
    uuid: str | None = None
    distinct_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class Conversation(APIModel):
    """A PostHog AI conversation; ``messages`` is filled by ``get()`` (and older ``list()``)."""

    id: str
    status: open_enum(ConversationStatus) | None = None  # type: ignore[valid-type]
    title: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    type: open_enum(ConversationType) | None = None  # type: ignore[valid-type]
    user: ConversationUser | None = None
    messages: list[Message] = Field(default_factory=list)
    is_internal: bool | None = None
    has_unsupported_content: bool | None = None
    agent_mode: open_enum(AgentMode) | None = None  # type: ignore[valid-type]
    # Proposals and their decisions (retrieve); PostHog never returns the
    # `approval_decisions` column behind it [src: openapi.yaml @1404d6c `Conversation`].
    pending_approvals: list[PendingApproval] = Field(default_factory=list)
    agent_runtime: str | None = None  # "langgraph" | "sandbox" (see runtime_notice)
    is_sandbox: bool | None = None
    topic: str | None = None
    task: Any = None
    _project: str | None = PrivateAttr(default=None)  # the project it was read from

    def set_project(self, project_id: str | None) -> None:
        """Remember the project it was read from (for ``runtime_notice``'s path)."""
        self._project = project_id

    @property
    def awaiting(self) -> list[PendingApproval]:
        """The proposals still waiting for approve()/reject()."""
        return [a for a in self.pending_approvals if a.pending]

    @property
    def runtime_notice(self) -> str | None:
        """Why ``messages`` is empty on PostHog's sandbox runtime, and where the history is."""
        return runtime_notice(self.agent_runtime, self.task, self._project)

    def messages_df(self) -> Any:
        """Return the messages as a DataFrame (one row per message), for reports. On PostHog's
        sandbox runtime the messages are elsewhere: a warning says where (the client's
        ``conversations.messages_df(id)`` reads them)."""
        from .transcript import messages_frame

        notice = self.runtime_notice
        if notice:
            warnings.warn(
                f"{notice} client.conversations.messages_df({self.id!r}) reads them as a frame.",
                stacklevel=2,
            )
        return messages_frame(self)

    def to_markdown(self) -> str:
        """Return the conversation as Markdown (title, then each turn), for reports."""
        from .transcript import conversation_markdown

        return conversation_markdown(self)


class AppendedMessage(APIModel):
    """Answer of append_message: ``{"id": uuid}``."""

    id: str


# ---- requests ---------------------------------------------------------------------------


class StreamRequest(RequestModel):
    """POST conversations/ body. ``content`` None means resume."""

    content: str | None
    conversation: UUID
    trace_id: UUID
    contextual_tools: dict[str, Any] | None = None
    ui_context: Any = None
    billing_context: Any = None
    session_id: str | None = None
    deep_research_mode: bool | None = None
    agent_mode: AgentMode | None = None
    resume_payload: Any = None

    @field_validator("content")
    @classmethod
    def _content(cls, v: str | None) -> str | None:
        if v is not None and len(v) > MAX_CONTENT:
            raise RequestValidationError(
                f"content: {len(v)} characters is too long; at most {MAX_CONTENT} allowed",
                attr="content",
            )
        if v is not None and not v.strip():
            raise RequestValidationError("content: must not be empty", attr="content")
        return v

    _exclude_none: ClassVar[bool] = True

    def _finish_body(self, body: dict[str, Any]) -> dict[str, Any]:
        body["content"] = self.content  # always present: null means resume
        return body


class AppendMessageRequest(RequestModel):
    """POST conversations/{id}/append_message/ body."""

    content: str

    @field_validator("content")
    @classmethod
    def _content(cls, v: str) -> str:
        if len(v) > MAX_APPEND_CONTENT:
            raise RequestValidationError(
                f"content: {len(v)} characters is too long; at most {MAX_APPEND_CONTENT} allowed",
                attr="content",
            )
        return v


# ---- stream events ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationEvent:
    """``event: conversation`` — the conversation (minimal form); may arrive at any point."""

    conversation: Conversation


@dataclass(frozen=True)
class StatusEvent:
    """``event: status`` — ``ack`` or ``generation_error``."""

    type: str


@dataclass(frozen=True)
class MessageEvent:
    """``event: message`` — a whole message; ``message.id`` is None while in progress."""

    message: BaseMessage


@dataclass(frozen=True)
class UpdateEvent:
    """``event: update`` — progress text for a tool call."""

    id: str | None
    tool_call_id: str | None
    content: Any


@dataclass(frozen=True)
class UnknownEvent:
    """An event name this version does not know; kept raw so nothing is lost."""

    event: str
    data: Any


StreamEvent = (
    ConversationEvent | StatusEvent | MessageEvent | UpdateEvent | ApprovalEvent | UnknownEvent
)


def parse_event(event: str, data: Any) -> StreamEvent:
    """Turn a decoded SSE event (name + parsed JSON data) into a typed stream event."""
    if event == "conversation" and isinstance(data, dict):
        return ConversationEvent(Conversation.model_validate(data))
    if event == "status" and isinstance(data, dict):
        return StatusEvent(str(data.get("type", "")))
    if event == "message" and isinstance(data, dict):
        return MessageEvent(parse_message(data))
    if event == "approval" and isinstance(data, dict):
        return ApprovalEvent(PendingApproval.model_validate(data))
    if event == "update" and isinstance(data, dict):
        return UpdateEvent(data.get("id"), data.get("tool_call_id"), data.get("content"))
    return UnknownEvent(event, data)
