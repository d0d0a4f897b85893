// pubflow workspace: checks as you type, suggestions on demand, keyboard shortcuts.
// Plain JS, no build step.  Text from the server is put into the page with textContent only.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk) { return; }
  var info = JSON.parse(desk.getAttribute("data-ws"));
  var csrf = document.body.getAttribute("data-csrf");
  var words = document.getElementById("i18n");
  var form = document.getElementById("save-form");
  var text = document.getElementById("text");
  var origin = document.getElementById("origin");
  var originNote = document.getElementById("origin-note");
  var findings = document.getElementById("findings");
  var accepted = null;

  function post(url, fields) {
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    Object.keys(fields).forEach(function (k) { body.set(k, fields[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "X-CSRF-Token": csrf } }).then(function (r) { return r.json(); });
  }

  function showFindings(list) {
    findings.textContent = "";
    list.forEach(function (f) {
      var li = document.createElement("li");
      li.className = f.severity;
      var sev = document.createElement("span");
      sev.className = "sev";
      sev.textContent = words.getAttribute("data-" + f.severity) || f.severity;
      var msg = document.createElement("span");
      msg.dir = "auto";
      msg.textContent = " [" + f.check + "] " + f.message;
      li.appendChild(sev);
      li.appendChild(msg);
      findings.appendChild(li);
    });
    findings.setAttribute("data-checked", String(list.length));
  }

  var timer = null, seq = 0;
  function check() {
    if (!text) { return; }
    var mine = ++seq;
    post("/api/check", { release: info.release, lang: info.lang, segment: info.segment, text: text.value })
      .then(function (data) { if (mine === seq && data.findings) { showFindings(data.findings); } })
      .catch(function () {});
  }

  function accept(value, from) {
    if (!text) { return; }
    text.value = value;
    accepted = value;
    origin.value = from;
    originNote.hidden = false;
    originNote.textContent = (words.getAttribute("data-origin") || "").replace("{origin}", from);
    text.focus();
    check();
  }

  if (text) {
    text.addEventListener("input", function () {
      if (accepted !== null && text.value !== accepted) {
        origin.value = "human";
        originNote.hidden = true;
        accepted = null;
      }
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    });
  }

  document.querySelectorAll("button[data-go]").forEach(function (b) {
    b.addEventListener("click", function () { document.getElementById("go").value = b.getAttribute("data-go"); });
  });
  document.querySelectorAll(".use-match").forEach(function (b) {
    b.addEventListener("click", function () { accept(b.getAttribute("data-text"), b.getAttribute("data-origin")); });
  });

  var machine = null;
  var ask = document.getElementById("ask-machine");
  function askMachine() {
    if (!ask) { return; }
    ask.disabled = true;
    post("/api/suggest", { release: info.release, lang: info.lang, segment: info.segment }).then(function (data) {
      ask.disabled = false;
      var box = document.getElementById("machine");
      box.hidden = false;
      if (data.error) {
        document.getElementById("machine-label").textContent = data.error;
        return;
      }
      machine = data;
      document.getElementById("machine-label").textContent = data.label;
      document.getElementById("machine-text").textContent = data.text;
    }).catch(function () { ask.disabled = false; });
  }
  if (ask) { ask.addEventListener("click", askMachine); }
  var useMachine = document.getElementById("use-machine");
  if (useMachine) {
    useMachine.addEventListener("click", function () { if (machine) { accept(machine.text, machine.origin); } });
  }

  function go(id) { var a = document.getElementById(id); if (a) { window.location.href = a.href; } }

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && form) {
      e.preventDefault();
      document.getElementById("go").value = "next";
      form.requestSubmit ? form.requestSubmit() : form.submit();
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey) { return; }
    var key = e.code.replace(/^Key|^Digit/, "").toLowerCase();
    if (key === "a") {
      e.preventDefault();
      if (machine) { accept(machine.text, machine.origin); return; }
      var first = document.querySelector(".use-match");
      if (first) { first.click(); }
    } else if (key === "m") { e.preventDefault(); askMachine(); }
    else if (key === "n") { e.preventDefault(); go("skip"); }
    else if (key === "p") { e.preventDefault(); go("previous"); }
    else if (/^[1-9]$/.test(key)) {
      var match = document.querySelector('.use-match[data-key="' + key + '"]');
      if (match) { e.preventDefault(); match.click(); }
    }
  });
  if (text && !document.querySelector(".conflict")) { text.focus(); }
})();
