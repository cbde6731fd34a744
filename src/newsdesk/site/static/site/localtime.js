// Dates in the reader's own time zone. The server writes each <time> in the site's zone,
// which is what readers without JavaScript (and crawlers) see; this only rewrites the text,
// from the machine-readable datetime attribute, in the browser's zone and language.
(function () {
  "use strict";
  var format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      year: "numeric", month: "long", day: "numeric",
    });
  } catch (e) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) return;
    el.textContent = format.format(when);
    el.title = when.toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" }) +
      (zone ? " (" + zone + ")" : "");
  });
})();
