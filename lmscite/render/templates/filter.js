(function () {
  "use strict";
  var box = document.getElementById("filter");
  var input = document.getElementById("filter-text");
  if (!box || !input || !document.querySelectorAll) { return; }
  var select = document.getElementById("filter-tag");
  var count = document.getElementById("filter-count");
  var entries = Array.prototype.slice.call(document.querySelectorAll("article.entry"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("#entries .section"));
  var texts = entries.map(function (entry) { return entry.textContent.toLowerCase(); });
  var tags = entries.map(function (entry) {
    return Array.prototype.map.call(entry.querySelectorAll(".tag"), function (tag) {
      return tag.getAttribute("data-tag");
    });
  });
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var tag = select ? select.value : "";
    var shown = 0;
    entries.forEach(function (entry, i) {
      var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; }) &&
        (!tag || tags[i].indexOf(tag) !== -1);
      entry.hidden = !match;
      if (match) { shown += 1; }
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector("article.entry:not([hidden])");
    });
    count.textContent = (words.length || tag) ? shown + " of " + entries.length + " shown" : "";
  }
  input.addEventListener("input", apply);
  if (select) { select.addEventListener("change", apply); }
  box.hidden = false;
}());
