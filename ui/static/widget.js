/*!
 * 政策问答助手 — the embeddable website chat widget of policy-assistant.
 *
 * Embed with one tag (no build step, no external resources, no framework):
 *
 *   <script src="http://HOST/widget.js" async></script>
 *
 * Options, as data- attributes on that tag (all optional):
 *   data-api        API base URL; default: where widget.js was loaded from ("http://HOST").
 *   data-title      panel title; default "政策问答助手".
 *   data-position   "right" (default) or "left": the corner of the button and panel.
 *   data-open       "true" opens the panel when the page loads.
 *   data-accent     accent colour, any CSS colour dark enough for white text; default #1d5ba6.
 *   data-questions  suggested questions, separated by "|"; default four questions below.
 *
 * The widget lives in an open shadow root on a <policy-assistant-widget> element at the end of
 * <body>: its styles never reach the page and the page's styles never reach it. It asks
 * POST {api}/v1/chat/completions (OpenAI-compatible, stream: true) with the conversation so far
 * (kept in the page, the last MAX_HISTORY messages; the service keeps no session) and reads the
 * server-sent events as they arrive; the final chunk carries citations, refused and intent.
 * Server text is only ever put into the page as text (textContent), never as HTML.
 *
 * On a government site:
 * - The conversation survives navigation between the site's pages while the panel is open: the
 *   completed exchanges are kept in sessionStorage, which the browser discards when the tab is
 *   closed. Closing the panel (×, Esc or the button) ends the conversation: it is cleared here
 *   and kept for no other page, as 新对话 clears it at once. Nothing is kept in cookies or sent
 *   anywhere else.
 * - 大字 switches a large-text, high-contrast mode (remembered in localStorage: a display
 *   preference, no personal data).
 * - Every control is a button reachable by keyboard, focus is always visible, the panel is a
 *   labelled dialog, and a finished answer is read out by screen readers once (a polite live
 *   region), not chunk by chunk while it streams.
 * - Under each answer, 有帮助 / 没帮助 with an optional comment: POST {api}/v1/feedback with the
 *   question, the answer text and the places cited. Nothing about the visitor is sent.
 */
(function () {
  "use strict";

  var script = document.currentScript || findScript();
  if (!script || document.querySelector("policy-assistant-widget")) return;

  var MAX_HISTORY = 20; // earlier messages (10 exchanges) sent along with a question
  var MAX_QUESTION = 500; // characters
  var MAX_BODY_BYTES = 48000; // the service refuses bodies over 64 KiB: drop old turns before
  var TIMEOUT_MS = 90000;
  var MAX_KEPT = 40; // exchanges kept across pages (sessionStorage)
  var MAX_COMMENT = 1000; // characters
  var MAX_FEEDBACK_ANSWER = 10000; // characters of the answer sent with a feedback
  var DEFAULT_QUESTIONS = [
    "谁负责岸电建设？",
    "市税务局负责哪些工作？",
    "我们是做再生资源回收的企业，有什么支持？",
    "非化石能源消费比重目标是多少？",
  ];
  // how answers name the documents (interface.md identifiers); unknown ids show the full title
  var SHORT_TITLES = {
    "tianjin-2022": "天津方案",
    "guofa-2021-4": "国家指导意见",
    "zhongfa-2021-36": "中央意见",
  };

  function findScript() {
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(scripts[i].src || "")) return scripts[i];
    }
    return null;
  }

  function option(name) {
    var value = script.getAttribute("data-" + name);
    return value === null ? null : value.trim();
  }

  function apiBase() {
    var explicit = option("api");
    var base = explicit || script.src.replace(/[?#].*$/, "").replace(/\/[^/]*$/, "");
    try {
      base = new URL(base, document.baseURI).href;
    } catch (e) {
      /* keep it as given */
    }
    return base.replace(/\/+$/, "");
  }

  var config = {
    api: apiBase(),
    title: option("title") || "政策问答助手",
    left: option("position") === "left",
    open: ["", "true", "1", "open", "yes"].indexOf(option("open")) >= 0,
    accent: option("accent"),
    questions: (option("questions") || "")
      .split("|")
      .map(function (q) { return q.trim(); })
      .filter(Boolean),
  };
  if (!config.questions.length) config.questions = DEFAULT_QUESTIONS;

  var STYLES = [
    ":host{all:initial !important;display:block !important;position:static !important;",
    "visibility:visible !important;opacity:1 !important;transform:none !important;",
    "filter:none !important;contain:none !important;}",
    ":host *,:host *::before,:host *::after{box-sizing:border-box;}",
    "[hidden]{display:none !important;}",
    ".root{--accent:#1d5ba6;--ink:#1f2933;--muted:#5f6b7a;--line:#dde3ea;--soft:#f3f6f9;",
    "font:14px/1.65 'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',",
    "'Source Han Sans SC','WenQuanYi Micro Hei',system-ui,-apple-system,'Segoe UI',sans-serif;",
    "color:var(--ink);text-align:left;letter-spacing:normal;word-spacing:normal;",
    "-webkit-font-smoothing:antialiased;direction:ltr;}",
    "button{font:inherit;color:inherit;margin:0;cursor:pointer;}",
    // a two-tone ring: dark outside, yellow inside, visible on the white panel and the blue head
    ":focus-visible{outline:3px solid #1f2933;outline-offset:2px;box-shadow:0 0 0 2px #ffd23f;}",
    ".log:focus-visible{outline-offset:-3px;}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;",
    "clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    // the floating button
    ".launcher{position:fixed;z-index:2147483000;bottom:24px;right:24px;display:flex;",
    "align-items:center;gap:8px;height:52px;padding:0 20px 0 16px;border:0;border-radius:26px;",
    "background:var(--accent);color:#fff;font-size:15px;font-weight:600;",
    "box-shadow:0 6px 20px rgba(15,35,60,.28);transition:transform .15s ease;}",
    ".launcher:hover{transform:translateY(-2px);}",
    ".launcher svg{width:24px;height:24px;flex:none;}",
    ".left .launcher{right:auto;left:24px;}",
    // the panel
    ".panel{position:fixed;z-index:2147483001;bottom:88px;right:24px;width:400px;",
    "height:min(680px,calc(100vh - 112px));display:flex;flex-direction:column;",
    "background:#fff;border-radius:14px;overflow:hidden;",
    "box-shadow:0 14px 48px rgba(15,35,60,.30),0 0 0 1px rgba(15,35,60,.06);",
    "animation:pa-in .18s ease-out;}",
    ".left .panel{right:auto;left:24px;}",
    "@keyframes pa-in{from{opacity:0;transform:translateY(12px);}to{opacity:1;transform:none;}}",
    ".head{display:flex;align-items:center;gap:10px;padding:12px 10px 12px 16px;",
    "background:var(--accent);color:#fff;flex:none;position:relative;z-index:1;",
    "box-shadow:0 2px 8px rgba(15,35,60,.18);}",
    ".head .badge{width:34px;height:34px;border-radius:50%;background:rgba(255,255,255,.18);",
    "display:flex;align-items:center;justify-content:center;flex:none;}",
    ".head .badge svg{width:20px;height:20px;}",
    ".head .titles{flex:1;min-width:0;}",
    ".head h2{margin:0;font-size:16px;font-weight:700;line-height:1.3;}",
    ".head p{margin:2px 0 0;font-size:12px;opacity:.85;line-height:1.4;white-space:nowrap;",
    "overflow:hidden;text-overflow:ellipsis;}",
    ".icon-btn{flex:none;display:flex;align-items:center;justify-content:center;min-width:36px;",
    "height:36px;padding:0 8px;border:0;border-radius:8px;background:transparent;color:#fff;",
    "font-size:13px;}",
    ".icon-btn:hover{background:rgba(255,255,255,.16);}",
    ".icon-btn svg{width:20px;height:20px;}",
    ".log{flex:1;overflow-y:auto;padding:16px 14px 8px;background:var(--soft);",
    "overscroll-behavior:contain;}",
    // messages
    ".msg{margin:0 0 12px;display:flex;flex-direction:column;}",
    ".bubble{max-width:100%;padding:10px 13px;border-radius:12px;background:#fff;",
    "border:1px solid var(--line);word-wrap:break-word;overflow-wrap:anywhere;}",
    ".text{white-space:pre-wrap;}",
    ".user{align-items:flex-end;}",
    ".user .bubble{max-width:85%;background:var(--accent);border-color:transparent;color:#fff;",
    "border-bottom-right-radius:4px;}",
    ".bot .bubble{border-bottom-left-radius:4px;}",
    ".refused .bubble{background:#f7f7f5;border-color:#e2e0da;color:#3d4650;}",
    ".note-tag{display:inline-block;margin-bottom:4px;padding:0 6px;border-radius:4px;",
    "background:#e8e6e0;color:#5c5a54;font-size:12px;}",
    ".error .bubble{background:#fff6f5;border-color:#f1c0bb;color:#8a1f17;}",
    ".error .actions{margin-top:8px;}",
    ".retry{padding:4px 14px;border:1px solid currentColor;border-radius:16px;",
    "background:#fff;color:#8a1f17;font-size:13px;}",
    ".retry:disabled{opacity:.55;cursor:default;}",
    ".pending .bubble{color:var(--muted);}",
    ".dots::after{content:'';display:inline-block;width:1.5em;text-align:left;",
    "animation:pa-dots 1.2s steps(4,end) infinite;}",
    "@keyframes pa-dots{0%{content:'';}25%{content:'.';}50%{content:'..';}75%{content:'...';}}",
    ".ref{display:inline-block;min-width:18px;height:18px;margin:0 1px;padding:0 4px;",
    "border:0;border-radius:9px;background:#e3ecf7;color:var(--accent);font-size:11px;",
    "font-weight:700;line-height:18px;text-align:center;vertical-align:super;}",
    "span.ref{background:#eceff3;color:var(--muted);cursor:default;}",
    "button.ref:hover{background:var(--accent);color:#fff;}",
    ".ask-line{display:block;margin:4px 0 0;padding:3px 10px;border:1px solid var(--line);",
    "border-radius:14px;background:#fff;color:var(--accent);font-size:13px;text-align:left;}",
    ".ask-line:hover{border-color:var(--accent);}",
    // citation cards
    ".cites{margin-top:8px;display:flex;flex-direction:column;gap:6px;}",
    ".cites-h{margin:2px 0 0;font-size:12px;color:var(--muted);font-weight:600;}",
    ".cite{border:1px solid var(--line);border-left:3px solid var(--accent);border-radius:8px;",
    "background:#fff;}",
    ".cite summary{display:flex;align-items:baseline;gap:8px;padding:7px 10px;cursor:pointer;",
    "list-style:none;}",
    ".cite summary::-webkit-details-marker{display:none;}",
    ".cite summary::after{content:'\\25B8';margin-left:auto;color:var(--muted);",
    "transition:transform .15s;}",
    ".cite[open] summary::after{transform:rotate(90deg);}",
    ".cite .num{flex:none;min-width:18px;height:18px;border-radius:9px;background:var(--accent);",
    "color:#fff;font-size:11px;font-weight:700;line-height:18px;text-align:center;}",
    ".cite .where{flex:1;min-width:0;}",
    ".cite .clause{font-weight:600;}",
    ".cite .doc{display:block;font-size:12px;color:var(--muted);}",
    ".cite .body{padding:0 12px 10px 36px;}",
    ".cite .part{margin:0 0 6px;font-size:12px;color:var(--muted);}",
    ".cite blockquote{margin:0 0 8px;padding:6px 10px;border-radius:6px;background:var(--soft);",
    "font-size:13px;line-height:1.7;}",
    ".agencies{display:flex;flex-wrap:wrap;gap:4px;align-items:center;font-size:12px;}",
    ".agencies .lbl{color:var(--muted);}",
    ".agency{padding:1px 7px;border-radius:10px;background:#eef1f5;}",
    ".agency.lead{background:#fff3d6;color:#6b4a00;font-weight:600;}",
    ".agency.lead b{margin-left:4px;padding:0 4px;border-radius:4px;background:#7a4f00;",
    "color:#fff;font-size:11px;font-weight:600;}",
    ".flash{animation:pa-flash 1.2s ease-out;}",
    "@keyframes pa-flash{from{box-shadow:0 0 0 3px #f5b700;}to{box-shadow:0 0 0 3px transparent;}}",
    // suggestions
    ".intro .bubble p{margin:0;}",
    ".suggest{margin:8px 0 12px;}",
    ".suggest-h{margin:0 0 6px;font-size:12px;color:var(--muted);}",
    ".suggest ul{margin:0;padding:0;list-style:none;display:flex;flex-direction:column;gap:6px;}",
    ".chip,.match-entry{width:100%;padding:8px 12px;border:1px solid var(--line);border-radius:10px;",
    "background:#fff;color:var(--ink);text-align:left;font-size:13.5px;line-height:1.5;}",
    ".chip:hover,.match-entry:hover{border-color:var(--accent);color:var(--accent);}",
    ".match-entry{margin:0 0 10px;font-weight:600;}",
    // compose
    ".compose{flex:none;display:flex;gap:8px;align-items:flex-end;padding:10px 12px 6px;",
    "border-top:1px solid var(--line);background:#fff;}",
    ".compose textarea{flex:1;min-height:40px;max-height:120px;resize:none;padding:9px 11px;",
    "border:1px solid #c9d2dc;border-radius:10px;font:inherit;color:var(--ink);",
    "background:#fff;line-height:1.5;}",
    ".compose textarea:focus{outline:none;border-color:var(--accent);",
    "box-shadow:0 0 0 3px rgba(29,91,166,.18);}",
    ".send{flex:none;width:42px;height:40px;border:0;border-radius:10px;",
    "background:var(--accent);color:#fff;display:flex;align-items:center;justify-content:center;}",
    ".send:disabled{opacity:.45;cursor:default;}",
    ".send svg{width:20px;height:20px;}",
    ".foot{flex:none;margin:0;padding:0 12px 8px;background:#fff;font-size:11.5px;",
    "color:var(--muted);line-height:1.4;}",
    // phones: the panel takes the whole screen
    "@media (max-width:480px){",
    ".panel{top:0;left:0 !important;right:0 !important;bottom:0;width:100%;height:100%;",
    "border-radius:0;}",
    ".launcher{bottom:16px;right:16px;}.left .launcher{left:16px;}",
    ".open .launcher{display:none;}",
    ".root{font-size:15px;}",
    ".compose textarea{font-size:16px;}",
    "}",
    // feedback under an answer
    ".fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:6px;font-size:12.5px;",
    "color:var(--muted);}",
    ".fb-btn{display:inline-flex;align-items:center;gap:4px;padding:3px 10px;",
    "border:1px solid var(--line);border-radius:14px;background:#fff;color:var(--ink);",
    "font-size:12.5px;}",
    ".fb-btn svg{width:14px;height:14px;}",
    ".fb-btn:hover,.fb-btn[aria-pressed=true]{border-color:var(--accent);color:var(--accent);}",
    ".fb-btn[aria-pressed=true]{background:#e3ecf7;font-weight:600;}",
    ".fb-form{flex-basis:100%;display:flex;flex-direction:column;gap:4px;margin-top:2px;}",
    ".fb-form label{color:var(--ink);}",
    ".fb-form textarea{width:100%;padding:6px 8px;border:1px solid #8a96a3;border-radius:8px;",
    "font:inherit;color:var(--ink);background:#fff;resize:vertical;}",
    ".fb-actions{display:flex;gap:6px;}",
    ".fb-send,.fb-cancel{padding:3px 14px;border-radius:14px;font-size:12.5px;}",
    ".fb-send{border:0;background:var(--accent);color:#fff;}",
    ".fb-send:disabled{opacity:.6;cursor:default;}",
    ".fb-cancel{border:1px solid var(--line);background:#fff;color:var(--ink);}",
    ".fb-done{margin:0;color:#1e5631;font-weight:600;}",
    ".fb-error{margin:0;color:#8a1f17;}",
    // large text, high contrast (大字): bigger type, black on white, dark blue, solid borders
    ".large{--accent:#00337a !important;--ink:#000;--muted:#1f2933;--line:#000;--soft:#fff;",
    "font-size:19px;line-height:1.75;}",
    ".large .panel{width:min(560px,calc(100vw - 32px));height:min(820px,calc(100vh - 104px));",
    "border:2px solid #000;}",
    ".large .bubble,.large .cite,.large .chip,.large .match-entry,.large .fb-btn,.large .compose textarea{",
    "border-width:2px;border-color:#000;}",
    ".large .head p,.large .foot,.large .suggest-h,.large .cites-h,.large .cite .doc,",
    ".large .cite .part,.large .agencies,.large .fb,.large .fb-btn,.large .fb-send,",
    ".large .fb-cancel,.large .note-tag{font-size:16px;}",
    ".large .head h2{font-size:21px;}.large .head p{opacity:1;}",
    ".large .chip,.large .match-entry,.large .ask-line,.large .cite blockquote{font-size:18px;}",
    ".large .ref,.large .cite .num{min-width:24px;height:24px;line-height:24px;",
    "font-size:15px;border-radius:12px;}",
    ".large .refused .bubble,.large .error .bubble{background:#fff;color:#000;}",
    ".large .agency{background:#fff;border:1px solid #000;}",
    ".large .agency.lead{background:#000;color:#fff;}",
    ".large .launcher{height:60px;font-size:19px;}",
    ".large-btn[aria-pressed=true]{background:#fff;color:#00337a;font-weight:700;}",
    "@media (prefers-reduced-motion:reduce){.panel,.flash,.launcher{animation:none;transition:none;}",
    ".dots::after{animation:none;content:'...';}}",
    ".mform label{display:block;margin:8px 0 3px;font-weight:600;}",
    ".mform textarea,.mform select{display:block;width:100%;box-sizing:border-box;font:inherit;",
    "padding:6px 8px;border:1px solid #5b6b7f;border-radius:8px;background:#fff;color:#1f2933;}",
    ".mform .actions{margin-top:8px;}",
    ".mres h3{font-size:15px;margin:10px 0 4px;}",
    ".mres ol{margin:0;padding-left:20px;}",
    ".mres li{margin:0 0 8px;}",
    ".mres .where{font-weight:600;}",
    ".mres .note{color:#4a5563;font-size:12.5px;margin:2px 0 0;}",
    ".large .mres .note{color:#000;font-size:16px;}",
  ].join("\n");

  // -- DOM building: every piece of server text goes in through textContent ------------------

  function h(tag, props, children) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") el.textContent = value;
        else if (key === "class") el.className = value;
        else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z",
    close: "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z",
    send: "M3 20.5 21.5 12 3 3.5v6.6l13 1.9-13 1.9z",
    up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    down: "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
  };

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  // -- the widget ------------------------------------------------------------------------------

  var host = document.createElement("policy-assistant-widget");
  var shadow = host.attachShadow({ mode: "open" });
  try {
    // a constructed sheet is not an inline <style>, so a strict host CSP does not block it
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    shadow.adoptedStyleSheets = [sheet];
  } catch (e) {
    shadow.appendChild(h("style", { text: STYLES }));
  }

  var history = []; // [{role, content}], completed exchanges only
  var exchanges = []; // [{question, answer: {text, citations, refused, intent}, rating}]
  var STORE_KEY = "policy-assistant:conversation:" + config.api;
  var LARGE_KEY = "policy-assistant:large-text";
  var busy = false;
  var controller = null;
  var seq = 0;

  var root = h("div", { class: "root" + (config.left ? " left" : "") });
  if (config.accent && window.CSS && window.CSS.supports("color", config.accent)) {
    root.style.setProperty("--accent", config.accent);
  }

  var launcher = h("button", {
    class: "launcher",
    type: "button",
    "aria-label": "打开" + config.title,
    "aria-expanded": "false",
    "aria-controls": "pa-panel",
    onclick: function () { toggle(); },
  });
  setLauncher(false);

  function setLauncher(opened) {
    launcher.setAttribute("aria-expanded", opened ? "true" : "false");
    launcher.setAttribute("aria-label", (opened ? "关闭" : "打开") + config.title);
    launcher.replaceChildren(icon(opened ? "close" : "chat"),
      h("span", { text: opened ? "收起" : "政策问答", "aria-hidden": "true" }));
  }

  // the log is not a live region: a streamed answer would be read out chunk by chunk.
  // ``announcer`` reads each finished answer once.
  var log = h("div", {
    class: "log", role: "log", "aria-live": "off", "aria-label": "对话记录", tabindex: "0",
  });
  var announcer = h("div", { class: "sr", role: "status", "aria-live": "polite",
    "aria-atomic": "true" });
  var input = h("textarea", {
    rows: "1",
    maxlength: String(MAX_QUESTION),
    placeholder: "请输入您的问题，按 Enter 发送",
    "aria-label": "输入问题（Enter 发送，Shift+Enter 换行）",
    enterkeyhint: "send",
  });
  var sendButton = h("button", { class: "send", type: "submit", "aria-label": "发送" },
    [icon("send")]);
  var form = h("form", { class: "compose", onsubmit: function (event) {
    event.preventDefault();
    ask(input.value);
  } }, [input, sendButton]);

  var largeButton = h("button", {
    class: "icon-btn large-btn", type: "button", text: "大字", "aria-pressed": "false",
    title: "大字号、高对比度显示", onclick: function () { setLarge(!isLarge(), true); },
  });

  var panel = h("section", {
    class: "panel",
    id: "pa-panel",
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": "pa-title",
    hidden: true,
  }, [
    h("header", { class: "head" }, [
      h("span", { class: "badge" }, [icon("chat")]),
      h("div", { class: "titles" }, [
        h("h2", { id: "pa-title", text: config.title }),
        h("p", { text: "依据天津实施方案及相关国家文件作答" }),
      ]),
      largeButton,
      h("button", { class: "icon-btn", type: "button", text: "新对话", title: "清空对话，重新开始",
        onclick: function () { reset(); } }),
      h("button", { class: "icon-btn close", type: "button", "aria-label": "关闭并结束对话",
        title: "关闭并结束对话（Esc）", onclick: function () { close(); } }, [icon("close")]),
    ]),
    log,
    announcer,
    form,
    h("p", { class: "foot", text: "回答依据政策原文自动生成，仅供参考，以正式发布的文件为准。" }),
  ]);

  root.appendChild(panel);
  root.appendChild(launcher);
  shadow.appendChild(root);

  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return; // Shift+Enter is a new line; Enter that confirms an IME composition is not a send
    }
    event.preventDefault();
    ask(input.value);
  });
  input.addEventListener("input", function () {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  });
  root.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && isOpen()) {
      event.preventDefault();
      close();
    }
  });

  function isOpen() { return !panel.hidden; }

  function open(quiet) {
    if (isOpen()) return;
    if (!log.firstChild) showIntro();
    panel.hidden = false;
    root.classList.add("open");
    setLauncher(true);
    if (!quiet) input.focus(); // a panel reopened on a new page does not take the focus
    log.scrollTop = log.scrollHeight;
    save();
  }

  // closing ends the conversation (issue: sessionStorage, cleared on close); a draft question
  // stays in its box
  function close() {
    if (!isOpen()) return;
    panel.hidden = true;
    root.classList.remove("open");
    setLauncher(false);
    launcher.focus();
    clearConversation();
  }

  function toggle() { if (isOpen()) close(); else open(); }

  function reset() {
    clearConversation();
    showIntro();
    input.value = "";
    input.focus();
  }

  function clearConversation() {
    if (controller) controller.abort();
    history = [];
    exchanges = [];
    forget();
    announcer.textContent = "";
    while (log.firstChild) log.removeChild(log.firstChild);
    setBusy(false);
  }

  function showIntro() {
    log.appendChild(h("div", { class: "msg bot intro" }, [
      h("div", { class: "bubble" }, [
        h("p", { text: "您好！我依据《天津市加快建立健全绿色低碳循环发展经济体系的实施方案》" +
          "及相关国家文件，解答任务分工、部门职责、目标指标和支持政策等问题，回答均注明出处。" }),
      ]),
    ]));
    log.appendChild(h("div", { class: "suggest" }, [
      h("button", { class: "match-entry", type: "button", text: "哪些政策适用于我",
        onclick: function () { showMatchForm(); } }),
      h("p", { class: "suggest-h", id: "pa-suggest-h", text: "您可以这样问：" }),
      h("ul", { "aria-labelledby": "pa-suggest-h" }, config.questions.map(function (q) {
        return h("li", null, [h("button", { class: "chip", type: "button", text: q,
          onclick: function () { ask(q); } })]);
      })),
    ]));
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    form.setAttribute("aria-busy", value ? "true" : "false");
  }

  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 80; }

  function addMessage(node) {
    var stick = nearBottom();
    log.appendChild(node);
    if (stick || node.classList.contains("user")) log.scrollTop = log.scrollHeight;
    return node;
  }

  function ask(text) {
    var question = (text || "").trim();
    if (!question || busy) return;
    if (!isOpen()) open();
    input.value = "";
    input.style.height = "";
    var suggest = log.querySelector(".suggest");
    if (suggest) suggest.remove();
    addMessage(h("div", { class: "msg user" }, [h("div", { class: "bubble text", text: question })]));
    send(question);
  }

  // -- 哪些政策适用于我: a short form → POST /v1/match → support and requirements, cited --------

  var matchSeq = 0;

  function showMatchForm() {
    if (!isOpen()) open();
    var n = ++matchSeq;
    var text = h("textarea", { id: "pa-mdesc-" + n, rows: "3", maxlength: "2000",
      placeholder: "例如：我们是一家冷链物流公司，有40辆货车" });
    var sector = h("select", { id: "pa-msector-" + n }, [h("option", { value: "", text: "（不限）" })]);
    fetch(config.api + "/v1/measures/labels", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (labels) {
        (labels ? labels.audience : []).forEach(function (a) {
          sector.appendChild(h("option", { value: a.id, text: a.name }));
        });
      })
      .catch(function () { /* the form works without the list */ });
    var submit = h("button", { class: "retry", type: "submit", text: "查找适用政策" });
    var form = h("form", { class: "mform", "aria-label": "哪些政策适用于我",
      onsubmit: function (event) {
        event.preventDefault();
        var description = text.value.trim();
        if (!description || busy) { text.focus(); return; }
        match(description, sector.value, submit);
      } }, [
      h("label", { for: "pa-mdesc-" + n, text: "简要介绍您的企业（行业、业务、规模）" }), text,
      h("label", { for: "pa-msector-" + n, text: "所属行业（可选）" }), sector,
      h("div", { class: "actions" }, [submit]),
    ]);
    addMessage(h("div", { class: "msg bot match" }, [h("div", { class: "bubble" }, [form])]));
    text.focus();
  }

  function match(description, sector, submit) {
    var body = { description: description };
    if (sector) body.sector = sector;
    var msg = addMessage(h("div", { class: "msg bot pending", "aria-busy": "true",
      "data-state": "pending" }, [h("div", { class: "bubble" }, [
        h("span", { class: "dots", text: "正在查找适用的政策" })])]));
    setBusy(true);
    submit.disabled = true;
    fetch(config.api + "/v1/match", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), credentials: "omit",
    })
      .then(function (response) {
        if (!response.ok) return failure(response).then(function (e) { throw e; });
        return response.json();
      })
      .then(function (result) {
        msg.className = "msg bot match-result";
        msg.removeAttribute("aria-busy");
        msg.setAttribute("data-state", "done");
        msg.replaceChildren(h("div", { class: "bubble mres" }, matchView(result)));
        announcer.textContent = "已找到支持措施" + result.support.length + "项，要求" +
          result.requirements.length + "项";
      })
      .catch(function (error) {
        var text = error instanceof ServiceError ? error.message : "服务暂时无法连接，请稍后再试。";
        msg.className = "msg bot error";
        msg.removeAttribute("aria-busy");
        msg.replaceChildren(h("div", { class: "bubble", role: "alert" }, [
          h("div", { class: "text", text: text })]));
      })
      .then(function () { setBusy(false); submit.disabled = false; });
  }

  function matchView(result) {
    var who = result.profile.audience_names.join("、") || "未认出行业";
    var out = [h("p", { text: "按“" + who + "”查找，结果按相关程度排列：" })];
    [["support", "支持措施"], ["requirements", "需要遵守的要求"]].forEach(function (pair) {
      var items = result[pair[0]];
      out.push(h("h3", { text: pair[1] + "（" + items.length + "项）" }));
      if (!items.length) { out.push(h("p", { text: "未找到。" })); return; }
      out.push(h("ol", null, items.map(function (item) {
        var where = "《" + item.doc_short_title + "》" + (item.clause_label || "") +
          (item.clause_title || "") + "第" + item.provision + "项";
        return h("li", { "data-ref": item.ref }, [
          h("div", { class: "where", text: where }),
          h("div", { text: item.quote }),
          h("div", { class: "note", text: item.lead_agency ? "牵头部门：" + item.lead_agency :
            "该文件未指定负责部门" }),
          item.not_stated.length ? h("div", { class: "note",
            text: "未规定：" + item.not_stated.join("；") }) : null,
          (item.also || []).length ? h("div", { class: "note", text: "另见：" +
            item.also.map(function (t) {
              return "《" + t.doc_short_title + "》" + (t.clause_label || "") + "第" +
                t.provision + "项";
            }).join("；") }) : null,
        ]);
      })));
    });
    result.notes.forEach(function (note) { out.push(h("p", { class: "note", text: note })); });
    return out;
  }

  // -- talking to the service ------------------------------------------------------------------

  function ServiceError(message, retryAfter) {
    this.message = message;
    this.retryAfter = retryAfter;
  }

  function send(question) {
    var messages = history.slice(-MAX_HISTORY).concat([{ role: "user", content: question }]);
    var body = requestBody(messages);
    while (messages.length > 1 && new TextEncoder().encode(body).length > MAX_BODY_BYTES) {
      messages = messages.slice(messages[0].role === "user" ? 2 : 1);
      body = requestBody(messages);
    }
    var id = "m" + (++seq);
    var msg = addMessage(h("div", {
      class: "msg bot pending", "aria-busy": "true", "data-state": "pending",
    }, [
      h("div", { class: "bubble" }, [h("span", { class: "dots", text: "正在查找相关条款" })]),
    ]));
    var answer = { text: "", citations: [], refused: false, intent: null, done: false };
    var started = false;
    setBusy(true);
    controller = new AbortController();
    var mine = controller;
    var timedOut = false;
    var timer = setTimeout(function () { timedOut = true; mine.abort(); }, TIMEOUT_MS);

    function update() {
      var stick = nearBottom();
      renderAnswer(msg, id, answer, question);
      if (stick) log.scrollTop = log.scrollHeight;
    }

    fetch(config.api + "/v1/chat/completions", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: body,
      credentials: "omit",
      signal: mine.signal,
    })
      .then(function (response) {
        if (!response.ok) return failure(response);
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/event-stream") < 0) {
          return response.json().then(function (body) { take(body, answer); answer.done = true; });
        }
        return readEvents(response, function (data) {
          if (data === "[DONE]") { answer.done = true; return; }
          var chunk;
          try { chunk = JSON.parse(data); } catch (e) { return; }
          take(chunk, answer);
          if (!started) {
            started = true;
            msg.classList.remove("pending");
            msg.setAttribute("data-state", "streaming");
          }
          update();
        });
      })
      .then(function () {
        if (!answer.done) throw new ServiceError("回答传输中断，请重试。");
        history.push({ role: "user", content: question });
        history.push({ role: "assistant", content: answer.text });
        if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
        var exchange = { question: question, answer: { text: answer.text,
          citations: answer.citations, refused: answer.refused, intent: answer.intent } };
        exchanges.push(exchange);
        if (exchanges.length > MAX_KEPT) exchanges = exchanges.slice(-MAX_KEPT);
        save();
        msg.classList.remove("pending");
        msg.removeAttribute("aria-busy");
        update();
        msg.appendChild(feedbackBar(exchange));
        msg.setAttribute("data-state", "done");
        announcer.textContent = "回答：" + answer.text;
      })
      .catch(function (error) {
        if (mine !== controller && !timedOut) return; // a new conversation was started
        if (error && error.name === "AbortError" && !timedOut) { msg.remove(); return; }
        var text = error instanceof ServiceError ? error.message
          : timedOut ? "服务响应超时，请稍后重试。"
          : "无法连接政策问答服务，请检查网络或稍后重试。";
        showError(msg, text, error && error.retryAfter, question);
      })
      .then(function () {
        clearTimeout(timer);
        if (mine === controller) { controller = null; setBusy(false); }
      });
  }

  function requestBody(messages) {
    return JSON.stringify({ model: "policy-assistant", stream: true, messages: messages });
  }

  function failure(response) {
    return response.text().then(function (raw) {
      var body = null;
      try { body = JSON.parse(raw); } catch (e) { /* not JSON */ }
      var detail = body && body.error && typeof body.error.message === "string"
        ? body.error.message : "";
      var wait = retryAfterSeconds(response.headers.get("Retry-After"));
      var status = response.status;
      if (status === 429) {
        throw new ServiceError(wait ? "请求过于频繁，请 " + wait + " 秒后再试。"
          : "请求过于频繁，请稍后再试。", wait);
      }
      if (status === 503 && wait) {
        throw new ServiceError("政策问答服务正在准备中，请 " + wait + " 秒后再试。", wait);
      }
      if (status >= 500) {
        throw new ServiceError("政策问答服务暂时不可用（" + status + "），请稍后重试。");
      }
      if (status === 413) throw new ServiceError("问题或对话过长，请精简后重试，或点击“新对话”。");
      throw new ServiceError("问题未被受理（" + status + "），请修改后重试。" +
        (detail ? "\n" + detail : ""));
    });
  }

  function retryAfterSeconds(value) {
    if (!value) return 0;
    if (/^\s*\d+\s*$/.test(value)) return Math.max(1, parseInt(value, 10));
    var when = Date.parse(value);
    return isNaN(when) ? 0 : Math.max(1, Math.ceil((when - Date.now()) / 1000));
  }

  // server-sent events: "data:" lines, an event ends at a blank line
  function readEvents(response, onData) {
    var decoder = new TextDecoder("utf-8");
    var buffer = "";
    var data = [];
    function line(text) {
      if (text === "") {
        if (data.length) onData(data.join("\n"));
        data = [];
      } else if (text.slice(0, 5) === "data:") {
        data.push(text.slice(5).replace(/^ /, ""));
      }
    }
    function feed(final) {
      var lines = buffer.split(/\r\n|\r|\n/);
      buffer = final ? "" : lines.pop();
      lines.forEach(line);
      if (final) line("");
    }
    if (!response.body || !response.body.getReader) {
      return response.text().then(function (all) { buffer = all; feed(true); });
    }
    var reader = response.body.getReader();
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) { buffer += decoder.decode(); feed(true); return; }
        buffer += decoder.decode(step.value, { stream: true });
        feed(false);
        return pump();
      });
    }
    return pump();
  }

  // one chunk (or a whole non-streamed response) into the answer
  function take(chunk, answer) {
    if (chunk.error) {
      throw new ServiceError("服务出错：" + (chunk.error.message || chunk.error.code || "未知错误"));
    }
    var choice = chunk.choices && chunk.choices[0];
    var part = choice && (choice.delta || choice.message);
    if (part && typeof part.content === "string") answer.text += part.content;
    var citations = chunk.citations || (part && part.citations);
    if (Array.isArray(citations)) answer.citations = citations;
    if (typeof chunk.refused === "boolean") answer.refused = chunk.refused;
    if (chunk.intent) answer.intent = chunk.intent;
    if (choice && choice.finish_reason) answer.done = true;
  }

  // -- rendering an answer ---------------------------------------------------------------------

  function renderAnswer(msg, id, answer, question) {
    var bubble = h("div", { class: "bubble" });
    msg.classList.toggle("refused", answer.refused);
    if (answer.refused && answer.done) {
      bubble.appendChild(h("span", { class: "note-tag", text: "超出文件范围" }));
    }
    bubble.appendChild(answerText(id, answer));
    if (answer.done && answer.citations.length) bubble.appendChild(citationCards(id, answer));
    msg.replaceChildren(bubble);
  }

  // text with [n] markers as small links to the cards; in a refused answer, "· question" lines
  // become buttons that ask them
  function answerText(id, answer) {
    var box = h("div", { class: "text" });
    var known = {};
    answer.citations.forEach(function (c) { known[c.n] = c; });
    var lines = answer.text.split("\n");
    lines.forEach(function (lineText, i) {
      var suggestion = answer.refused && answer.done && /^\s*[·•]\s*(.+?)\s*$/.exec(lineText);
      if (suggestion) {
        var q = suggestion[1];
        box.appendChild(h("button", { class: "ask-line", type: "button", text: q,
          onclick: function () { ask(q); } }));
        return;
      }
      lineText.split(/(\[\d+\])/).forEach(function (piece) {
        var marker = /^\[(\d+)\]$/.exec(piece);
        if (!marker) { if (piece) box.appendChild(document.createTextNode(piece)); return; }
        var n = Number(marker[1]);
        if (answer.done && known[n]) {
          box.appendChild(h("button", {
            class: "ref", type: "button", text: String(n),
            "aria-label": "出处 " + n + "：" + citationName(known[n]),
            onclick: function () { showCitation(id, n); },
          }));
        } else {
          box.appendChild(h("span", { class: "ref", text: String(n), "aria-label": "出处 " + n }));
        }
      });
      if (i < lines.length - 1) box.appendChild(document.createTextNode("\n"));
    });
    return box;
  }

  function shortTitle(c) {
    return c.doc_short_title || SHORT_TITLES[c.doc_id] || c.doc_title || c.doc_id || "";
  }

  function clauseName(c) {
    var name = (c.clause_label || "") + (c.clause_title || "");
    return name || c.part || "";
  }

  function citationName(c) {
    return "《" + shortTitle(c) + "》" + clauseName(c) + (c.provision ? "第" + c.provision + "项" : "");
  }

  function citationCards(id, answer) {
    var box = h("div", { class: "cites" }, [h("p", { class: "cites-h", text: "出处（点击展开原文）" })]);
    answer.citations.forEach(function (c) {
      var agencies = Array.isArray(c.agencies) ? c.agencies.slice() : [];
      if (c.lead_agency) {
        agencies = [c.lead_agency].concat(agencies.filter(function (a) {
          return a !== c.lead_agency;
        }));
      }
      var body = h("div", { class: "body" }, [
        c.part && c.clause_label ? h("p", { class: "part", text: c.part }) : null,
        c.quote ? h("blockquote", { text: c.quote }) : null,
        agencies.length ? h("div", { class: "agencies" },
          [h("span", { class: "lbl", text: "责任单位：" })].concat(agencies.map(function (a) {
            return a === c.lead_agency
              ? h("span", { class: "agency lead" }, [a, h("b", { text: "牵头" })])
              : h("span", { class: "agency", text: a });
          }))) : null,
      ]);
      box.appendChild(h("details", { class: "cite", id: id + "-c" + c.n, "data-n": c.n,
        ontoggle: revealCard }, [
        h("summary", null, [
          h("span", { class: "num", text: String(c.n), "aria-hidden": "true" }),
          h("span", { class: "where" }, [
            h("span", { class: "sr", text: "出处 " + c.n + "：" }),
            h("span", { class: "clause", text: clauseName(c) }),
            h("span", { class: "doc", text: "《" + shortTitle(c) + "》" +
              (c.provision ? " 第" + c.provision + "项" : "") }),
          ]),
        ]),
        body,
      ]));
    });
    return box;
  }

  function revealCard(event) {
    var card = event.currentTarget;
    if (!card.open) return;
    var box = card.getBoundingClientRect();
    var view = log.getBoundingClientRect();
    if (box.bottom > view.bottom) {
      log.scrollTop += Math.min(box.bottom - view.bottom + 8, box.top - view.top);
    }
  }

  function showCitation(id, n) {
    var card = shadow.getElementById(id + "-c" + n);
    if (!card) return;
    card.open = true;
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    card.classList.remove("flash");
    void card.offsetWidth; // restart the highlight
    card.classList.add("flash");
    card.querySelector("summary").focus({ preventScroll: true });
  }

  function showError(msg, text, retryAfter, question) {
    var retry = h("button", { class: "retry", type: "button", text: "重试", onclick: function () {
      if (busy) return;
      msg.remove();
      send(question);
    } });
    msg.className = "msg bot error";
    msg.removeAttribute("aria-busy");
    msg.setAttribute("data-state", "error");
    msg.replaceChildren(h("div", { class: "bubble", role: "alert" }, [
      h("div", { class: "text", text: text }),
      h("div", { class: "actions" }, [retry]),
    ]));
    if (retryAfter) {
      var left = retryAfter;
      retry.disabled = true;
      retry.textContent = "重试（" + left + "）";
      var tick = setInterval(function () {
        left -= 1;
        if (left > 0) { retry.textContent = "重试（" + left + "）"; return; }
        clearInterval(tick);
        retry.disabled = false;
        retry.textContent = "重试";
      }, 1000);
    }
    log.scrollTop = log.scrollHeight;
  }

  // -- kept across pages: sessionStorage (this tab only; gone when it closes) ------------------

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; } // blocked storage: keep nothing
  }

  function save() {
    var store = storage("sessionStorage");
    if (!store) return;
    try {
      if (!exchanges.length) { store.removeItem(STORE_KEY); return; }
      store.setItem(STORE_KEY, JSON.stringify({ v: 1, open: isOpen(), exchanges: exchanges }));
    } catch (e) { /* full or blocked: the conversation stays in this page only */ }
  }

  function forget() {
    var store = storage("sessionStorage");
    try { if (store) store.removeItem(STORE_KEY); } catch (e) { /* blocked */ }
  }

  // the exchanges of earlier pages, shown as they were; returns what was kept, or null
  function restore() {
    var store = storage("sessionStorage");
    var kept = null;
    try { kept = store && JSON.parse(store.getItem(STORE_KEY) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.v !== 1 || !Array.isArray(kept.exchanges) || !kept.exchanges.length) {
      return null;
    }
    exchanges = kept.exchanges.filter(function (x) {
      return x && typeof x.question === "string" && x.answer && typeof x.answer.text === "string";
    }).slice(-MAX_KEPT);
    if (!exchanges.length) return null;
    showIntro();
    var suggest = log.querySelector(".suggest");
    if (suggest) suggest.remove();
    exchanges.forEach(function (x) {
      var answer = { text: x.answer.text, refused: !!x.answer.refused, intent: x.answer.intent,
        citations: Array.isArray(x.answer.citations) ? x.answer.citations : [], done: true };
      log.appendChild(h("div", { class: "msg user" }, [h("div", { class: "bubble text", text: x.question })]));
      var msg = log.appendChild(h("div", { class: "msg bot", "data-state": "done" }));
      renderAnswer(msg, "m" + (++seq), answer, x.question);
      msg.appendChild(feedbackBar(x));
      history.push({ role: "user", content: x.question });
      history.push({ role: "assistant", content: x.answer.text });
    });
    history = history.slice(-MAX_HISTORY);
    return kept;
  }

  // -- large text, high contrast (remembered in localStorage) ----------------------------------

  function isLarge() {
    var store = storage("localStorage");
    try { return !!store && store.getItem(LARGE_KEY) === "1"; } catch (e) { return root.classList.contains("large"); }
  }

  function setLarge(on, remember) {
    root.classList.toggle("large", on);
    largeButton.setAttribute("aria-pressed", on ? "true" : "false");
    largeButton.textContent = on ? "标准字" : "大字";
    largeButton.setAttribute("aria-label", on ? "恢复标准字号" : "大字号、高对比度");
    if (!remember) return;
    var store = storage("localStorage");
    try { if (store) { if (on) store.setItem(LARGE_KEY, "1"); else store.removeItem(LARGE_KEY); } }
    catch (e) { /* not remembered */ }
  }

  // -- feedback on an answer -------------------------------------------------------------------

  function feedbackBar(exchange) {
    var bar = h("div", { class: "fb", role: "group", "aria-label": "评价这个回答" });
    var chosen = null;
    var fid = "pa-fb" + (++seq);

    function thumb(rating, label) {
      return h("button", { class: "fb-btn " + rating, type: "button",
        "aria-pressed": chosen === rating ? "true" : "false",
        onclick: function () { chosen = rating; draw(); bar.querySelector("textarea").focus(); },
      }, [icon(rating), h("span", { text: label })]);
    }

    function draw(problem) {
      if (exchange.rating) {
        bar.replaceChildren(h("p", { class: "fb-done", tabindex: "-1",
          text: "感谢您的反馈！" + (exchange.rating === "up" ? "（有帮助）" : "（没帮助）") }));
        return;
      }
      var parts = [h("span", { class: "fb-q", text: "这个回答有帮助吗？" }),
        thumb("up", "有帮助"), thumb("down", "没帮助")];
      if (chosen) {
        var comment = h("textarea", { id: fid, rows: "2", maxlength: String(MAX_COMMENT) });
        var submit = h("button", { class: "fb-send", type: "submit", text: "提交评价" });
        parts.push(h("form", { class: "fb-form", onsubmit: function (event) {
          event.preventDefault();
          submit.disabled = true;
          postFeedback(exchange, chosen, comment.value.trim()).then(function () {
            exchange.rating = chosen;
            save();
            draw();
            bar.firstChild.focus();
          }, function (text) { submit.disabled = false; draw(text); bar.querySelector("textarea").value = comment.value; });
        } }, [
          h("label", { for: fid, text: "补充意见（可选；请勿填写姓名、电话等个人信息）" }),
          comment,
          h("div", { class: "fb-actions" }, [submit, h("button", { class: "fb-cancel",
            type: "button", text: "取消", onclick: function () { chosen = null; draw(); } })]),
          problem ? h("p", { class: "fb-error", role: "alert", text: problem }) : null,
        ]));
      }
      bar.replaceChildren.apply(bar, parts);
    }
    draw();
    return bar;
  }

  function postFeedback(exchange, rating, comment) {
    var body = JSON.stringify({
      rating: rating, question: exchange.question, comment: comment,
      answer: exchange.answer.text.slice(0, MAX_FEEDBACK_ANSWER),
      citations: (exchange.answer.citations || []).map(function (c) {
        return { doc_id: String(c.doc_id || ""), clause_no: c.clause_no === undefined ? null : c.clause_no,
          provision: c.provision === undefined ? null : c.provision };
      }),
    });
    return fetch(config.api + "/v1/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: body,
      credentials: "omit",
    }).then(function (response) {
      if (response.ok) return null;
      throw response.status === 429 ? "提交过于频繁，请稍后再试。"
        : "反馈未能提交（" + response.status + "），请稍后再试。";
    }, function () { throw "无法连接服务，反馈未能提交，请稍后再试。"; });
  }

  // -- mount -----------------------------------------------------------------------------------

  function mount() {
    document.body.appendChild(host);
    setLarge(isLarge(), false);
    var restored = restore();
    if (restored && restored.open) open(true);
    else if (config.open) open();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
