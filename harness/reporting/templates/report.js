(function () {
  "use strict";
  var body = document.body;
  var toolbar = document.getElementById("toolbar");
  var onlyFailures = document.getElementById("only-failures");
  var HASH = "#only-failures";

  function filter(on) {
    body.classList.toggle("only-failures", on);
    onlyFailures.checked = on;
  }

  function unfold(open) {
    var all = document.querySelectorAll("details.operation, details.example");
    for (var i = 0; i < all.length; i++) {
      all[i].open = open;
    }
  }

  // a link to a place inside a folded operation (the operations table, "What is broken")
  // opens every fold around it
  function reveal(hash) {
    if (!hash || hash.length < 2 || hash === HASH) {
      return;
    }
    var target = document.getElementById(hash.slice(1));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
  }

  function copied(button, ok) {
    button.textContent = ok ? "Copied" : "Select and copy";
    button.classList.toggle("copied", ok);
    window.setTimeout(function () {
      button.textContent = "Copy";
      button.classList.remove("copied");
    }, 1600);
  }

  function copyFallback(button, pre) {
    var range = document.createRange();
    range.selectNodeContents(pre);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (error) {
      ok = false;
    }
    copied(button, ok);
  }

  toolbar.hidden = false;
  filter(window.location.hash === HASH);
  reveal(window.location.hash);
  window.addEventListener("hashchange", function () {
    reveal(window.location.hash);
  });

  onlyFailures.addEventListener("change", function () {
    filter(onlyFailures.checked);
    try {
      window.history.replaceState(null, "", onlyFailures.checked ? HASH : window.location.pathname);
    } catch (error) {
      /* some browsers refuse history changes on file:// pages; the filter works anyway */
    }
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    unfold(true);
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    unfold(false);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) {
      reveal(link.getAttribute("href"));  // also when the address already ends with it
    }
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) {
      return;
    }
    var pre = document.getElementById(button.getAttribute("data-copy"));
    if (!pre) {
      return;
    }
    var text = pre.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, true); },
        function () { copyFallback(button, pre); }
      );
    } else {
      copyFallback(button, pre);
    }
  });
})();
