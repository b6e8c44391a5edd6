"""The optional language model: scripted chat models registered like real backends reword real
extractive answers; what they invent is caught and the extractive answer kept. The real
openai-compatible adapter talks to a canned chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import Served
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import SecretStr

from assistant.llm import Polisher, Prompts, chat_model_names, get_chat_model, register_chat_model
from assistant.service import Assistant
from core.errors import ConfigError
from core.model import Answer, Intent, Turn
from core.settings import LLMSettings, Settings
from indexing.corpus import Corpus

SHORE_POWER = "谁负责岸电建设？"
SHORE_POWER_EN = "Who is responsible for shore power?"
LOGGER = "assistant.llm"
REJECTED = "language model output rejected, keeping the extractive answer: "

GOOD_ZH = ("岸电建设由市交通运输委牵头，天津海事局、滨海新区人民政府和天津港集团按职责分工负责[1]。"
           "《天津方案》（九）打造绿色物流体系第5项要求，新改扩建码头工程（油气化工码头除外）同步设计、"
           "建设岸电设施，港作船舶岸电使用率达到100%[1]。")
GOOD_EN = ("Shore power is led by the Tianjin Municipal Transportation Commission, with the "
           "Tianjin Maritime Safety Administration, the People's Government of Tianjin Binhai "
           "New Area and Tianjin Port (Group) Co., Ltd. [1]. Clause 9 (（九）打造绿色物流体系), "
           "item 5 requires new, rebuilt and expanded wharves to build shore power and a 100% "
           "shore power usage rate for harbour vessels: "
           "“新改扩建码头工程（油气化工码头除外）同步设计、"
           "建设岸电设施，港作船舶岸电使用率达到100%。” [1]")


def scripted(*replies: str | Exception) -> LLMSettings:
    """Settings naming a scripted chat model that gives these replies in turn (an exception is
    raised instead of answering); a further call fails with StopIteration."""

    def messages() -> Iterator[AIMessage]:
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
            yield AIMessage(content=reply)

    register_chat_model("scripted", lambda settings: GenericFakeChatModel(messages=messages()))
    return LLMSettings(backend="scripted")


def polisher(corpus: Corpus, *replies: str | Exception) -> Polisher:
    made = Polisher.from_settings(scripted(*replies), corpus)
    assert made is not None
    return made


@pytest.fixture(scope="module")
def assistant(corpus: Corpus, served: Served) -> Assistant:
    return Assistant(corpus, served.searcher, served.settings.assistant)


@pytest.fixture(scope="module")
def extractive(assistant: Assistant) -> Answer:
    answer = assistant.answer(SHORE_POWER)
    assert answer.intent == Intent.RESPONSIBILITY and not answer.refused
    assert [(c.n, c.doc_id, c.clause_no, c.provision) for c in answer.citations] == \
        [(1, "tianjin-2022", 9, 5)]
    return answer


@pytest.fixture(scope="module")
def extractive_en(assistant: Assistant) -> Answer:
    answer = assistant.answer(SHORE_POWER_EN)
    assert answer.intent == Intent.RESPONSIBILITY and len(answer.citations) == 1
    return answer


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)


# -- the prompt ----------------------------------------------------------------------------


def test_the_prompt_numbers_the_sources_as_the_citations(corpus: Corpus,
                                                         extractive: Answer) -> None:
    system, user = polisher(corpus).prompt(SHORE_POWER, "zh", extractive)
    assert system == Prompts.load().system
    assert "不得添加原文依据中没有的数字、比例、年份、责任单位、条款编号或政策内容" in system
    assert user == (
        "问题：谁负责岸电建设？\n"
        "回答语言：中文\n"
        "\n"
        "原文依据：\n"
        "[1] 《天津市加快建立健全绿色低碳循环发展经济体系的实施方案》（九）打造绿色物流体系第5项："
        "新改扩建码头工程（油气化工码头除外）同步设计、建设岸电设施，港作船舶岸电使用率达到100%。"
        "；责任单位：市交通运输委（牵头）、天津海事局、滨海新区人民政府、天津港集团\n"
        "\n"
        "草稿答案（逐条摘自原文依据，事实以此为准）：\n"
        "这项工作由市交通运输委牵头，天津海事局、滨海新区人民政府、天津港集团按职责分工负责[1]。\n"
        "依据：《天津方案》（九）打造绿色物流体系第5项：“新改扩建码头工程（油气化工码头除外）同步设计、"
        "建设岸电设施，港作船舶岸电使用率达到100%。”[1]\n"
        "\n"
        "请按要求改写草稿答案，保留编号标记。"
    )


def test_the_prompt_names_the_answer_language(corpus: Corpus, extractive_en: Answer) -> None:
    _, user = polisher(corpus).prompt(SHORE_POWER_EN, "en", extractive_en)
    assert user.splitlines()[:2] == [f"问题：{SHORE_POWER_EN}", "回答语言：英文（English）"]


# -- what the model writes -----------------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param(GOOD_ZH, id="reworded"),
    pytest.param(GOOD_ZH.replace("100%[1]", "１００％［1］"), id="full-width-digits"),
    pytest.param("<think>先看依据[1]。</think>\n" + GOOD_ZH, id="reasoning-dropped"),
])
def test_a_faithful_rewording_replaces_the_text_only(corpus: Corpus, extractive: Answer,
                                                     caplog: pytest.LogCaptureFixture,
                                                     text: str) -> None:
    polished = polisher(corpus, text).polish(SHORE_POWER, "zh", extractive)
    assert polished == Answer(GOOD_ZH if "think" in text else text, refused=False,
                              intent=Intent.RESPONSIBILITY, citations=extractive.citations,
                              route=extractive.route)
    assert warnings_logged(caplog) == []


def test_a_faithful_english_rewording_is_used(corpus: Corpus, extractive_en: Answer,
                                             caplog: pytest.LogCaptureFixture) -> None:
    polished = polisher(corpus, GOOD_EN).polish(SHORE_POWER_EN, "en", extractive_en)
    assert polished == replace(extractive_en, answer=GOOD_EN)
    assert warnings_logged(caplog) == []


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param(GOOD_ZH.replace("负责[1]", "负责[7]"),
                 "the output cites [7], but the sources are [1]", id="invented-source-7"),
    pytest.param(GOOD_ZH.replace("100%", "15%"), "number 15% is not in the sources",
                 id="invented-percentage"),
    pytest.param(GOOD_ZH.replace("[1]", "。") + "到2030年全部完成[1]。",
                 "number 2030 is not in the sources", id="invented-year"),
    pytest.param("由市交通运输委牵头负责。", "the output cites no source (no [n] marker)",
                 id="no-citations"),
    pytest.param(GOOD_ZH.replace("天津海事局", "市生态环境局"),
                 "agency 市生态环境局 is not an agency of the cited sources",
                 id="agency-not-in-sources"),
    pytest.param(GOOD_ZH.replace("由市交通运输委", "由发改委"),
                 "agency 市发展改革委 is not an agency of the cited sources",
                 id="agency-by-alias"),
    pytest.param(GOOD_ZH.replace("（九）", "（二十二）"),
                 "（二十二） is not a cited clause", id="clause-label-not-cited"),
    pytest.param(GOOD_ZH.replace("《天津方案》（九）", "《天津方案》第十条"),
                 "第十条 is not a cited clause", id="clause-by-number-not-cited"),
    pytest.param("   ", "the output is empty", id="empty"),
])
def test_an_invention_keeps_the_extractive_answer(corpus: Corpus, extractive: Answer,
                                                  caplog: pytest.LogCaptureFixture, text: str,
                                                  reason: str) -> None:
    assert polisher(corpus, text).polish(SHORE_POWER, "zh", extractive) == extractive
    assert warnings_logged(caplog) == [REJECTED + reason]


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param(GOOD_EN.replace("Tianjin Maritime Safety Administration",
                                 "Tianjin Municipal Bureau of Ecology and Environment"),
                 "agency 市生态环境局 is not an agency of the cited sources",
                 id="english-agency-name"),
    pytest.param(GOOD_EN.replace("Clause 9", "Clause 22"), "Clause 22 is not a cited clause",
                 id="english-clause-number"),
    pytest.param(GOOD_EN.replace("item 5", "item 6"), "number 6 is not in the sources",
                 id="english-item-number"),
])
def test_an_english_invention_keeps_the_extractive_answer(
        corpus: Corpus, extractive_en: Answer, caplog: pytest.LogCaptureFixture, text: str,
        reason: str) -> None:
    assert polisher(corpus, text).polish(SHORE_POWER_EN, "en", extractive_en) == extractive_en
    assert warnings_logged(caplog) == [REJECTED + reason]


def test_a_model_that_raises_keeps_the_extractive_answer(corpus: Corpus, extractive: Answer,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    failing = polisher(corpus, TimeoutError("the model timed out"))
    assert failing.polish(SHORE_POWER, "zh", extractive) == extractive
    assert warnings_logged(caplog) == [
        "language model failed, keeping the extractive answer: TimeoutError: the model timed out"]


@pytest.mark.parametrize("question", [
    pytest.param("你好，今天天气怎么样？", id="refused"),
    pytest.param("公租房补贴多少钱？", id="refused-other-service"),
])
def test_refused_answers_never_reach_the_model(corpus: Corpus, assistant: Assistant,
                                               caplog: pytest.LogCaptureFixture,
                                               question: str) -> None:
    answer = assistant.answer(question)
    assert answer.refused
    never = polisher(corpus, RuntimeError("the model must not be asked"))
    assert never.polish(question, "zh", answer) == answer
    assert warnings_logged(caplog) == []


def test_answers_without_citations_never_reach_the_model(corpus: Corpus,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    answer = Answer("请先告诉我您想了解哪项工作或哪条规定。", refused=False, intent=Intent.GENERAL)
    never = polisher(corpus, RuntimeError("the model must not be asked"))
    assert never.polish("这个呢？", "zh", answer) == answer
    assert warnings_logged(caplog) == []


# -- wired into the assistant --------------------------------------------------------------


def test_the_assistant_polishes_its_final_answer(corpus: Corpus, served: Served,
                                                 extractive: Answer) -> None:
    polished = Assistant(corpus, served.searcher, served.settings.assistant,
                         polisher=polisher(corpus, GOOD_ZH)).answer(SHORE_POWER)
    assert polished == replace(extractive, answer=GOOD_ZH)


def test_a_follow_up_is_polished_once_not_its_context(corpus: Corpus, served: Served,
                                                      extractive: Answer,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    # the scripted model answers once: a second call (for the previous turn) would fail
    text = "这项工作对应的条款如上所列[1]。"
    polishing = Assistant(corpus, served.searcher, served.settings.assistant,
                          polisher=polisher(corpus, text))
    history = [Turn("user", SHORE_POWER), Turn("assistant", extractive.answer)]
    answer = polishing.answer("具体是哪一条？", history)
    plain = Assistant(corpus, served.searcher, served.settings.assistant)
    assert answer == replace(plain.answer("具体是哪一条？", history), answer=text)
    assert warnings_logged(caplog) == []


def test_from_settings_builds_the_polisher_only_for_a_model(corpus: Corpus,
                                                            served: Served) -> None:
    with_model = served.settings.model_copy(update={"llm": scripted(GOOD_ZH)})
    polishing = Assistant.from_settings(with_model, corpus)
    assert isinstance(polishing.polisher, Polisher)
    assert polishing.answer(SHORE_POWER).answer == GOOD_ZH
    assert Assistant.from_settings(served.settings, corpus).polisher is None


# -- settings and the registry -------------------------------------------------------------


def test_llm_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_ASSISTANT_LLM__BACKEND", "openai-compatible")
    monkeypatch.setenv("POLICY_ASSISTANT_LLM__BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setenv("POLICY_ASSISTANT_LLM__API_KEY", "sk-secret")
    llm = Settings().llm
    assert (llm.backend, llm.base_url, llm.model, llm.timeout, llm.temperature) == \
        ("openai-compatible", "http://127.0.0.1:8000/v1", "", 30, 0)
    assert llm.api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(llm)
    assert LLMSettings().backend == "none" and get_chat_model(LLMSettings()) is None


def test_an_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        get_chat_model(LLMSettings(backend="gpt-7"))
    assert {"none", "openai-compatible"} <= set(chat_model_names())
    assert str(err.value) == "unknown chat model 'gpt-7'; valid: " + ", ".join(chat_model_names())


@pytest.mark.parametrize(("values", "missing"), [
    pytest.param({"model": "qwen2.5"}, "POLICY_ASSISTANT_LLM__BASE_URL", id="no-base-url"),
    pytest.param({"base_url": "http://127.0.0.1:8000/v1"}, "POLICY_ASSISTANT_LLM__MODEL",
                 id="no-model"),
    pytest.param({}, "POLICY_ASSISTANT_LLM__BASE_URL, POLICY_ASSISTANT_LLM__MODEL",
                 id="neither"),
])
def test_openai_compatible_needs_a_base_url_and_a_model(values: dict[str, str],
                                                        missing: str) -> None:
    with pytest.raises(ConfigError) as err:
        get_chat_model(LLMSettings(backend="openai-compatible", **values))
    assert str(err.value) == ("the openai-compatible chat model needs a base URL and a model "
                              f"name ({missing})")


def test_openai_compatible_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain_openai", None)  # as if not installed
    with pytest.raises(ConfigError) as err:
        get_chat_model(LLMSettings(backend="openai-compatible", base_url="http://127.0.0.1:1/v1",
                                   model="m"))
    assert str(err.value) == ("the openai-compatible chat model needs the 'llm' extra: pip "
                              "install 'policy-assistant[llm]'")


# -- the real openai-compatible adapter against a canned local server ----------------------


@dataclass
class ChatServer:
    url: str
    status: int = 200
    reply: str = ""
    delay: float = 0.0
    requests: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def completion(text: str) -> dict[str, Any]:
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000,
            "model": "qwen2.5-7b-instruct",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 300, "completion_tokens": 80, "total_tokens": 380}}


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server_ref: list[ChatServer] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state = server_ref[0]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()},
                                   body))
            if state.delay:
                state.release.wait(state.delay)
            payload = json.dumps(completion(state.reply) if state.status == 200
                                 else {"error": {"message": "model overloaded"}}).encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    state = ChatServer(url=f"http://127.0.0.1:{port}/v1")
    server_ref.append(state)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def openai_settings(server: ChatServer, **values: Any) -> LLMSettings:
    return LLMSettings(backend="openai-compatible", base_url=server.url,
                       model="qwen2.5-7b-instruct", **values)


def test_the_openai_compatible_adapter_gets_the_text_through(
        corpus: Corpus, extractive: Answer, chat_server: ChatServer,
        caplog: pytest.LogCaptureFixture) -> None:
    chat_server.reply = GOOD_ZH
    made = Polisher.from_settings(openai_settings(chat_server), corpus)
    assert made is not None
    assert made.polish(SHORE_POWER, "zh", extractive) == replace(extractive, answer=GOOD_ZH)
    assert warnings_logged(caplog) == []
    [(path, headers, body)] = chat_server.requests
    system, user = made.prompt(SHORE_POWER, "zh", extractive)
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == "Bearer not-needed"
    assert (body["model"], body["temperature"]) == ("qwen2.5-7b-instruct", 0)
    assert body["messages"] == [{"role": "system", "content": system},
                                {"role": "user", "content": user}]


def test_the_openai_compatible_adapter_sends_the_key(corpus: Corpus, extractive: Answer,
                                                     chat_server: ChatServer) -> None:
    chat_server.reply = GOOD_ZH
    made = Polisher.from_settings(
        openai_settings(chat_server, api_key=SecretStr("sk-test"), temperature=0.2), corpus)
    assert made is not None
    assert made.polish(SHORE_POWER, "zh", extractive).answer == GOOD_ZH
    [(_, headers, body)] = chat_server.requests
    assert (headers["authorization"], body["temperature"]) == ("Bearer sk-test", 0.2)


def test_the_openai_compatible_adapter_output_is_checked(
        corpus: Corpus, extractive: Answer, chat_server: ChatServer,
        caplog: pytest.LogCaptureFixture) -> None:
    chat_server.reply = GOOD_ZH.replace("100%", "15%")
    made = Polisher.from_settings(openai_settings(chat_server), corpus)
    assert made is not None
    assert made.polish(SHORE_POWER, "zh", extractive) == extractive
    assert warnings_logged(caplog) == [REJECTED + "number 15% is not in the sources"]


def test_a_server_error_keeps_the_extractive_answer(corpus: Corpus, extractive: Answer,
                                                    chat_server: ChatServer,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    chat_server.status = 503
    made = Polisher.from_settings(openai_settings(chat_server), corpus)
    assert made is not None
    assert made.polish(SHORE_POWER, "zh", extractive) == extractive
    assert len(chat_server.requests) == 2  # one retry
    assert warnings_logged(caplog) == [
        "language model failed, keeping the extractive answer: OpenAIAPIError: "
        "Error code: 503 - model overloaded"]


def test_a_timeout_keeps_the_extractive_answer(corpus: Corpus, extractive: Answer,
                                               chat_server: ChatServer,
                                               caplog: pytest.LogCaptureFixture) -> None:
    chat_server.reply, chat_server.delay = GOOD_ZH, 10
    made = Polisher.from_settings(openai_settings(chat_server, timeout=0.3), corpus)
    assert made is not None
    assert made.polish(SHORE_POWER, "zh", extractive) == extractive
    assert len(chat_server.requests) == 2  # one retry
    assert warnings_logged(caplog) == [
        "language model failed, keeping the extractive answer: OpenAITimeoutError: "
        "Request timed out."]
