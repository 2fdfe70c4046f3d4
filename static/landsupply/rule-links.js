// Every rule badge (.rule) links each rule id it names (R1–R25) to its entry on the 规则说明 page.
(function () {
  "use strict";
  var base = document.body.getAttribute("data-rules-url");
  if (!base) return;
  var pattern = /\bR([1-9]|1[0-9]|2[0-5])\b/g;
  document.querySelectorAll(".rule").forEach(function (badge) {
    if (badge.closest("a")) return;
    var walker = document.createTreeWalker(badge, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) {
      if (!walker.currentNode.parentElement.closest("a")) nodes.push(walker.currentNode);
    }
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      pattern.lastIndex = 0;
      if (!pattern.test(text)) return;
      pattern.lastIndex = 0;
      var fragment = document.createDocumentFragment();
      var last = 0, match;
      while ((match = pattern.exec(text))) {
        fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
        var link = document.createElement("a");
        link.className = "rule-link";
        link.href = base + "#R" + match[1];
        link.textContent = match[0];
        fragment.appendChild(link);
        last = match.index + match[0].length;
      }
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  });
})();
