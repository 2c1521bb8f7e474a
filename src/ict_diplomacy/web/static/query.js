// The query editor of /query: YASGUI (vendored from npm, see assets.py) on this site's /sparql.
// The configuration comes from the page (#editor-config, written by visuals.py): the endpoint,
// the first query (?query=, ?name= or the prefixes and a starter), and the stored queries as
// examples. Nothing is fetched from elsewhere: the autocompleters that call outside services
// (LOV for classes and properties) are left off, and the prefix list is the one bundled.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var host = document.getElementById("yasgui");
  if (!window.Yasgui || !host) {
    return; // the plain form stays
  }
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var examples = {};
  config.examples.forEach(function (example) { examples[example.name] = example; });

  Yasgui.defaults.yasqe.autocompleters = ["prefixes", "variables"];
  Yasgui.defaults.yasqe.prefixCcApi = null;
  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    tabName: config.lang === "ja" ? "クエリ" : "Query",
    yasqe: { value: config.query, editorHeight: "320px", persistenceId: null, consumeShareLink: null },
    yasr: { persistenceId: null }
  });
  function open(tab, text) {
    tab.setEndpoint(endpoint);
    tab.setQuery(text);
    tab.getYasqe().collapsePrefixes(true); // the long PREFIX block folded to one line
  }
  var first = yasgui.getTab();
  if (first) {
    open(first, config.query);
  }
  // Result links to our IRIs open this server's pages (in the page's language), not w3id.org.
  var base = config.base;
  function localLinks(root) {
    root.querySelectorAll('a[href^="' + base + '"]').forEach(function (anchor) {
      var local = new URL("/" + anchor.getAttribute("href").slice(base.length), window.location.href);
      local.searchParams.set("lang", config.lang);
      anchor.href = local.pathname + local.search + local.hash;
      anchor.removeAttribute("target");
    });
  }
  new MutationObserver(function () { localLinks(host); }).observe(host, { childList: true, subtree: true });
  document.getElementById("plain-editor").hidden = true;
  host.dataset.ready = "true";

  // Examples open in a new tab of the editor instead of reloading the page.
  document.querySelectorAll("a[data-example]").forEach(function (anchor) {
    anchor.addEventListener("click", function (event) {
      var example = examples[anchor.dataset.example];
      if (!example || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      open(yasgui.addTab(true, { name: example.title }), example.text);
      host.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });
})();
