"""Save docs/widget.png: the demo page with the widget open on a cited answer.

    .venv/bin/python scripts/screenshot.py [--out docs/widget.png] [--question 谁负责岸电建设？]

Starts the service (ui.app.create_app with the default settings, so POLICY_ASSISTANT_DATA_DIR
may point at an existing index; the staff console is left out) with uvicorn on a free port of
127.0.0.1, opens the demo page in Debian's chromium (scripts/install-browser) driven by
Playwright, asks the question, expands the first citation card and saves a 1280x800 screenshot.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from core.settings import Settings
from ui.app import create_app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
START_TIMEOUT = 900  # seconds: the first start may build the index


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> tuple[uvicorn.Server, threading.Thread]:
    settings = Settings()
    settings = settings.model_copy(
        update={"server": settings.server.model_copy(update={"console": False})})
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("screenshot: the service did not start")
        time.sleep(0.2)
    return server, thread


def shoot(base: str, question: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                      reduced_motion="reduce")
        page = context.new_page()
        page.goto(base + "/")
        page.locator("policy-assistant-widget .launcher").click()
        box = page.locator("policy-assistant-widget textarea")
        box.fill(question)
        box.press("Enter")
        answer = page.locator("policy-assistant-widget .msg.bot:not(.intro)").last
        answer.and_(page.locator("[data-state=done]")).wait_for(timeout=120_000)
        card = answer.locator("details.cite").first
        card.locator("summary").click()
        card.locator("blockquote").wait_for()
        page.mouse.move(10, 10)
        page.wait_for_timeout(300)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "widget.png")
    parser.add_argument("--question", default="谁负责岸电建设？")
    args = parser.parse_args(argv)
    server, thread = start_server(free_port())
    try:
        shoot(f"http://127.0.0.1:{server.config.port}", args.question, args.out)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
