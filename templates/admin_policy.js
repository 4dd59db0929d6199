// Validation as you type: the policy page posts the editor's text to the
// server, which compiles and type-checks it, and lists every problem.
// Without this script the Check button does the same.
(function () {
  "use strict";
  var form = document.getElementById("policy-form");
  var source = document.getElementById("policy-source");
  var box = document.getElementById("validation");
  if (!form || !source || !box) { return; }
  var csrf = form.querySelector("input[name=csrf]").value;
  var timer = null, seq = 0;

  function show(answer) {
    box.textContent = "";
    if (answer.valid) {
      var ok = document.createElement("p");
      ok.id = "valid";
      ok.className = "ok";
      ok.textContent = "The policy compiles and type-checks.";
      box.appendChild(ok);
      return;
    }
    var list = document.createElement("ul");
    list.id = "problems";
    list.className = "problems";
    (answer.problems || []).forEach(function (p) {
      var li = document.createElement("li");
      li.className = "problem";
      li.setAttribute("data-line", p.line || 0);
      li.textContent = p.text;
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function check() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    body.set("source", source.value);
    fetch(box.getAttribute("data-check-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (mine === seq) { show(answer); }
    }).catch(function () { /* the Check button still works */ });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
})();
