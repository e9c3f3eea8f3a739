"""%%chat in a real IPython InteractiveShell against the sandbox."""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from widget_helpers import api_get, writes

from envnb import magics
from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    """An IPython shell with envnb loaded and display output captured."""
    ip = InteractiveShell.instance()
    ip.display_pub = CapturingDisplayPublisher()
    magics.load_ipython_extension(ip)
    magics.new_conversation()
    yield ip
    magics.use_client(None)
    magics.new_conversation()


def _html(ip: InteractiveShell) -> str:
    """The latest HTML the cell displayed (the display handle is updated in place)."""
    outputs = ip.display_pub.outputs  # type: ignore[attr-defined]
    return str(outputs[-1]["data"]["text/html"]) if outputs else ""


def test_chat_streams_and_continues_the_conversation(
    shell: InteractiveShell, fresh_sandbox: Sandbox
) -> None:
    sb = fresh_sandbox
    shell.user_ns["client"] = sb.client()
    shell.run_line_magic("chat_client", "client")
    reply = shell.run_cell_magic("chat", "", "Which batch exports are paused?\n")
    assert isinstance(reply, magics.Reply) and reply and not reply.stopped
    assert magics.last_reply() == reply
    html = _html(shell)
    assert "Which batch exports are paused?" in html and "💭" in html
    first = reply.conversation_id
    second = shell.run_cell_magic("chat", "", "lorem 6")
    assert second.conversation_id == first and len(second.split()) == 6
    server = api_get(sb, f"conversations/{first}/")
    assert [m["content"] for m in server["messages"] if m["type"] == "human"] == [
        "Which batch exports are paused?",
        "lorem 6",
    ]
    third = shell.run_cell_magic("chat", "--new", "lorem 2")
    assert third.conversation_id != first
    # the cell's value is the reply; displaying it prints nothing more
    res = shell.run_cell("%%chat\nlorem 3\n", store_history=True)
    assert res.result == magics.last_reply() and len(res.result.split()) == 3


def test_interrupt_stops_cancels_and_keeps_partial(shell: InteractiveShell) -> None:
    with Sandbox(stream_delay=0.01) as sb:
        magics.use_client(sb.client())
        sb.reset_stats()
        sent = threading.Event()

        def interrupt() -> None:
            _thread.interrupt_main()
            sent.set()

        timer = threading.Timer(0.6, interrupt)
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt, match="partial reply is kept above"):
                shell.run_cell_magic("chat", "", "lorem 3000")
        except pytest.fail.Exception:
            # DID NOT RAISE: say which way (the cell ended before ■, or ■ was lost).
            pytest.fail(
                f"no KeyboardInterrupt; interrupt sent: {sent.is_set()}; SIGINT handler: "
                f"{signal.getsignal(signal.SIGINT)!r}; output: {_html(shell)[-600:]}"
            )
        finally:
            timer.cancel()
        partial = magics.last_reply()
        assert partial is not None and partial.stopped
        assert 0 < len(partial.split()) < 3000
        assert writes(sb, "conversation.cancel") == 1
        html = _html(shell)
        assert "stopped" in html and partial.split()[0] in html
        # the next cell continues the same conversation
        nxt = shell.run_cell_magic("chat", "", "lorem 4")
        assert nxt.conversation_id == partial.conversation_id, _html(shell)
        assert len(nxt.split()) == 4, _html(shell)


def test_errors_are_words_in_the_output(shell: InteractiveShell, fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    magics.use_client(sb.client())
    sb.set_faults("status=500,route=conversations,method=POST")
    reply = shell.run_cell_magic("chat", "", "lorem 5")
    sb.set_faults(None)
    assert reply == "" and "500" in _html(shell) and "Traceback" not in _html(shell)


def test_lone_surrogate_question_is_an_envnb_error_in_words(
    shell: InteractiveShell, fresh_sandbox: Sandbox
) -> None:
    sb = fresh_sandbox
    magics.use_client(sb.client())
    sb.reset_stats()
    reply = shell.run_cell_magic("chat", "", "read with surrogateescape \udcff")
    html = _html(shell)
    assert reply == "" and "Traceback" not in html
    assert "content: the text contains a lone surrogate, which is not valid Unicode" in html
    assert sb.stats()["requests"] == 0


def test_hostile_question_is_escaped(shell: InteractiveShell, sandbox: Sandbox) -> None:
    magics.use_client(sandbox.client())
    shell.run_cell_magic("chat", "", "lorem 2 <img src=x onerror=alert(1)>")
    html = _html(shell)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert sandbox.api_key not in html


def test_load_ext_envnb_registers_the_magic(shell: Any) -> None:
    shell.run_line_magic("load_ext", "envnb")
    assert "chat" in shell.magics_manager.magics["cell"]
    assert "chat_client" in shell.magics_manager.magics["line"]


def test_title_and_empty_cell(shell: InteractiveShell, sandbox: Sandbox) -> None:
    magics.use_client(sandbox.client())
    shell.run_cell_magic("chat", "--new", "lorem 2 title please")
    assert "<bdi>lorem 2 title please</bdi></h4>" in _html(shell)
    assert shell.run_cell_magic("chat", "", "   \n") is None
    assert "write a question" in _html(shell)


def test_reply_value_displays_nothing_more(
    shell: InteractiveShell, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    magics.use_client(sandbox.client())
    capsys.readouterr()
    res = shell.run_cell("%%chat\nlorem 3\n", store_history=True)
    assert res.result == magics.last_reply() and len(res.result.split()) == 3
    assert res.result.split()[1] not in capsys.readouterr().out  # no Out[n] echo of the text
    assert shell.user_ns["_"] == res.result


def test_interrupt_shows_one_line_and_still_halts_run_all(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(stream_delay=0.01) as sb:
        magics.use_client(sb.client())
        capsys.readouterr()
        timer = threading.Timer(0.6, _thread.interrupt_main)
        timer.start()
        try:
            result = shell.run_cell("%%chat\nlorem 3000\n")
        finally:
            timer.cancel()
        shown = capsys.readouterr()
        # The kernel reports an error (Run All, nbclient and papermill stop at this cell)...
        assert not result.success and isinstance(result.error_in_exec, KeyboardInterrupt)
        # ...shown as one line that says where the partial reply is, not a traceback.
        text = (shown.out + shown.err).strip()
        assert "Traceback" not in text and "httpx" not in text
        assert text == (
            "\x1b[31m■ %%chat stopped: the reply was cut short; the partial reply is kept "
            "above and in envnb.last_reply()\x1b[0m"
        )
        assert magics.last_reply() is not None and magics.last_reply().stopped  # type: ignore[union-attr]
        # no "… Generating words" progress line is left under a stopped reply
        assert "… Generating words" not in _html(shell) and "stopped" in _html(shell)


def test_follow_up_cell_heads_with_its_own_question(
    shell: InteractiveShell, sandbox: Sandbox
) -> None:
    magics.use_client(sandbox.client())
    shell.run_cell_magic("chat", "--new", "lorem 2 first question")
    assert "<bdi>lorem 2 first question</bdi></h4>" in _html(shell)
    shell.run_cell_magic("chat", "", "lorem 3 the follow-up")
    html = _html(shell)
    assert "<bdi>lorem 3 the follow-up</bdi></h4>" in html
    assert "first question" not in html


def test_chat_client_refuses_what_is_not_a_client(
    shell: InteractiveShell, fresh_sandbox: Sandbox
) -> None:
    from IPython.core.error import UsageError

    shell.user_ns["five"] = 5
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("chat_client", "five")
    assert str(info.value) == "%chat_client: 'five' holds a value of type int, not an envnb.Client"
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("chat_client", "nothing_here")
    assert str(info.value) == (
        "%chat_client: no variable named 'nothing_here'; "
        "e.g. client = envnb.connect(), then %chat_client client"
    )
    # The refused value was not taken: %%chat still talks to the client set before.
    shell.user_ns["client"] = fresh_sandbox.client()
    shell.run_line_magic("chat_client", "client")
    with pytest.raises(UsageError):
        shell.run_line_magic("chat_client", "five")
    reply = shell.run_cell_magic("chat", "", "lorem 3")
    assert len(reply.split()) == 3


def test_chat_after_a_lost_answer_asks_first_and_reads_the_stored_reply(
    shell: InteractiveShell,
) -> None:
    # Issue 10 #4: running the cell again after a lost answer must not store it twice.
    import envnb
    from hostile_server import CID, KEY, QUESTION, hostile_server, lost_then_stored

    bodies: list[Any] = []
    stored = threading.Event()
    with hostile_server(lost_then_stored(bodies, stored), bodies) as server:
        client = envnb.Client(host=server.url, api_key=KEY, project_id=1, timeout=0.5)
        magics.use_client(client)
        magics._session.conversation_id = CID
        lost = shell.run_cell_magic("chat", "", QUESTION + "\n")
        assert lost == "" and "send it again to check" in _html(shell)
        stored.wait(10)
        again = shell.run_cell_magic("chat", "", QUESTION + "\n")
        client.close()
    assert again == "None are paused."
    assert [b["content"] for b in bodies if b is not None] == [QUESTION, None, None]


def test_chat_says_how_to_decide_a_proposal(
    shell: InteractiveShell, fresh_sandbox: Sandbox
) -> None:
    sb = fresh_sandbox
    client = sb.client()
    shell.user_ns["client"] = client
    shell.run_line_magic("chat_client", "client")
    reply = shell.run_cell_magic("chat", "", "pause all exports")
    server = api_get(sb, f"conversations/{reply.conversation_id}/")
    [proposal] = server["pending_approvals"]
    html = _html(shell)
    assert "Approval needed: pause_batch_exports — Pause 8 batch exports" in html
    call = f"client.conversations.approve(&#x27;{reply.conversation_id}&#x27;, "
    assert call + f"&#x27;{proposal['proposal_id']}&#x27;)" in html
    done = client.conversations.approve(reply.conversation_id, proposal["proposal_id"])
    assert done.text == "Done: I paused 8 batch exports."
