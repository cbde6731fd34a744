// Keyboard shortcuts for the review queue: j/k move, a approve, r reject, x select, e edit.
// Served as a file so the admin can run under a CSP without 'unsafe-inline'.
(function () {
  "use strict";
  function cards() { return Array.prototype.slice.call(document.querySelectorAll(".nd-card")); }
  function current() { return document.querySelector(".nd-card.nd-current"); }
  function move(step) {
    var all = cards();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = all[Math.min(Math.max(index + step, 0), all.length - 1)];
    all.forEach(function (c) { c.classList.remove("nd-current"); });
    next.classList.add("nd-current");
    next.scrollIntoView({block: "nearest"});
    next.focus({preventScroll: true});
  }
  function press(selector) {
    var card = current();
    var target = card && card.querySelector(selector);
    if (target) { target.click(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      a: function () { press(".nd-approve"); },
      r: function () { press(".nd-reject"); },
      x: function () { press(".nd-select input"); },
      e: function () { press(".nd-edit"); }
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  });
  document.addEventListener("click", function (event) {
    var card = event.target.closest && event.target.closest(".nd-card");
    if (card) {
      cards().forEach(function (c) { c.classList.remove("nd-current"); });
      card.classList.add("nd-current");
    }
  });
})();
