/*
 * caseroom web widget loader. A site adds one tag:
 *
 *   <script src="https://support.example.com/widget.js" data-org="your-org" async></script>
 *
 * It draws a launcher button and opens the chat in an iframe served by caseroom.
 * Everything the chat stores (the customer token) stays in the iframe's origin;
 * the page only hears "close" and an unread count from it.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__caseroomWidget) return;
  window.__caseroomWidget = true;
  var slug = script.getAttribute("data-org");
  var origin = new URL(script.src, location.href).origin;
  if (!slug) {
    console.warn("caseroom widget: add data-org=\"your-organization\" to the script tag");
    return;
  }
  var MOBILE = "(max-width: 520px)";

  fetch(origin + "/api/v1/organizations/" + encodeURIComponent(slug) + "/widget", {
    credentials: "omit",
  })
    .then(function (response) {
      if (!response.ok) throw new Error("caseroom widget: unknown organization " + slug);
      return response.json();
    })
    .then(mount)
    .catch(function (error) {
      console.warn(String(error && error.message ? error.message : error));
    });

  function css(look) {
    var side = look.position === "left" ? "left" : "right";
    return [
      ":host { all: initial; }",
      ".launcher { position: fixed; bottom: 20px; " + side + ": 20px; z-index: 2147483000;",
      "  width: 60px; height: 60px; border-radius: 50%; border: 0; cursor: pointer;",
      "  display: grid; place-items: center; background: " + look.color + "; color: " + look.text_color + ";",
      "  box-shadow: 0 6px 20px rgba(16,24,40,.22), 0 2px 6px rgba(16,24,40,.12);",
      "  transition: transform .18s ease, box-shadow .18s ease; -webkit-tap-highlight-color: transparent; }",
      ".launcher:hover { transform: translateY(-2px) scale(1.03); box-shadow: 0 10px 26px rgba(16,24,40,.26); }",
      ".launcher:focus-visible { outline: 3px solid " + look.color + "; outline-offset: 3px; }",
      ".launcher svg { width: 28px; height: 28px; fill: none; stroke: currentColor; stroke-width: 2;",
      "  stroke-linecap: round; stroke-linejoin: round; transition: transform .2s ease, opacity .2s ease; }",
      ".launcher .when-open { position: absolute; opacity: 0; transform: rotate(-45deg); }",
      ".launcher[aria-expanded=true] .when-open { opacity: 1; transform: none; }",
      ".launcher[aria-expanded=true] .when-closed { opacity: 0; transform: rotate(45deg); }",
      ".badge { position: absolute; top: -2px; " + (side === "left" ? "left" : "right") + ": -2px;",
      "  min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; box-sizing: border-box;",
      "  background: #ef4444; color: #fff; font: 700 11px/20px system-ui, sans-serif; text-align: center;",
      "  box-shadow: 0 0 0 2px #fff; }",
      ".badge[hidden] { display: none; }",
      ".frame { position: fixed; bottom: 92px; " + side + ": 20px; z-index: 2147483000;",
      "  width: 380px; height: min(640px, calc(100vh - 112px)); border: 0; border-radius: 18px;",
      "  background: #fff; box-shadow: 0 16px 48px rgba(16,24,40,.24), 0 2px 8px rgba(16,24,40,.08);",
      "  opacity: 0; transform: translateY(12px) scale(.98); transform-origin: bottom " + side + ";",
      "  transition: opacity .18s ease, transform .18s ease, visibility 0s linear .18s; visibility: hidden; }",
      ".frame.open { opacity: 1; transform: none; visibility: visible; transition-delay: 0s; }",
      "@media " + MOBILE + " {",
      "  .frame { inset: 0; width: 100%; height: 100%; border-radius: 0; }",
      "  .launcher[aria-expanded=true] { display: none; }",
      "}",
      "@media (prefers-reduced-motion: reduce) { .launcher, .frame, .launcher svg { transition: none; } }",
    ].join("\n");
  }

  function mount(look) {
    var host = document.createElement("div");
    host.setAttribute("data-caseroom-widget", slug);
    // A landmark of its own: the site's landmarks are the site's, and a screen
    // reader can jump straight to the chat.
    host.setAttribute("role", "region");
    host.setAttribute("aria-label", "Chat with " + look.organization.name);
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = document.createElement("style");
    style.textContent = css(look);

    var frame = document.createElement("iframe");
    frame.className = "frame";
    frame.title = look.title + " · " + look.organization.name;
    frame.src = origin + "/widget/" + encodeURIComponent(slug);
    frame.setAttribute("allow", "clipboard-write; camera; microphone; autoplay");

    var button = document.createElement("button");
    button.type = "button";
    button.className = "launcher";
    button.setAttribute("aria-label", "Open chat with " + look.organization.name);
    button.setAttribute("aria-expanded", "false");
    button.innerHTML =
      '<svg class="when-closed" viewBox="0 0 24 24" aria-hidden="true">' +
      '<path d="M21 12a8 8 0 01-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1121 12z"/>' +
      '<path d="M8.5 11h.01M12 11h.01M15.5 11h.01" stroke-width="2.6"/></svg>' +
      '<svg class="when-open" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 9l6 6 6-6"/></svg>' +
      '<span class="badge" hidden aria-hidden="true"></span>';
    var badge = button.querySelector(".badge");

    function setOpen(open) {
      frame.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.setAttribute("aria-label", (open ? "Close chat with " : "Open chat with ") + look.organization.name);
      if (frame.contentWindow) {
        frame.contentWindow.postMessage({ source: "caseroom-host", type: open ? "open" : "closed" }, origin);
      }
      if (open) {
        setUnread(0);
        frame.focus(); // the panel's document takes the keyboard; it focuses its first field
      } else {
        button.focus();
      }
    }

    function setUnread(count) {
      badge.hidden = !count;
      badge.textContent = count > 9 ? "9+" : String(count || "");
      if (count) button.setAttribute("aria-label", "Open chat with " + look.organization.name + " (" + count + " new)");
    }

    button.addEventListener("click", function () {
      setOpen(!frame.classList.contains("open"));
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.source !== "caseroom") return;
      if (data.type === "ready") {
        // The panel's script started after the page may have spoken: tell it again.
        var open = frame.classList.contains("open");
        frame.contentWindow.postMessage({ source: "caseroom-host", type: open ? "open" : "closed" }, origin);
        // A frame focused while its document was still arriving can hold the focus
        // without the keyboard (it stays with this page, where a space on the
        // launcher closes the panel again): focus it anew now that it runs.
        if (open) {
          frame.blur();
          frame.focus();
        }
      } else if (data.type === "close") setOpen(false);
      else if (data.type === "ring" && !frame.classList.contains("open")) setOpen(true); // a video call rings
      else if (data.type === "unread" && !frame.classList.contains("open")) setUnread(Number(data.count) || 0);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && frame.classList.contains("open")) setOpen(false);
    });

    root.appendChild(style);
    root.appendChild(frame);
    root.appendChild(button);
    document.body.appendChild(host);
  }
})();
