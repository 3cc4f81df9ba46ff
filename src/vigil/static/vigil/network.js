/* The network view, drawn with Cytoscape.js (static vendor/cytoscape/cytoscape.min.js, loaded before this file).

   Progressive enhancement: the page already lists hubs, entities and sources as tables; without JavaScript or
   without Cytoscape nothing changes. The element #graph names a <script type="application/json"> element holding
   Cytoscape elements ({data: {id, label, kind, href, hub, path, start}} and {data: {id, source, target, relation,
   evidence, at, path}}); data-expand is the URL of a node's neighbours with 0 for its number.

   Click a node: its links' evidence is shown below the graph. Double-click: its neighbours are fetched (the server
   caps them and says how many it left out) and added. Pin locks the selected node where it is; hide removes it from
   view until "show hidden". Labels are set as data, never as HTML: names come from signals and ads.

   No inline scripts or style attributes: the CSP forbids them. */
(function () {
  "use strict";

  var COLOURS = {
    signal: "#6b7280", ad_network: "#9333ea", person: "#b91c1c", organisation: "#c2410c", address: "#15803d",
    phone: "#1d4ed8", email: "#0e7490", handle: "#0e7490", iban: "#a16207", plate: "#4d7c0f", document: "#7c3aed",
    url: "#64748b"
  };

  function elementsOf(el) {
    var source = document.getElementById(el.getAttribute("data-elements"));
    try { return JSON.parse(source.textContent); } catch (e) { return []; }
  }

  function evidenceOf(node) {
    var lines = node.connectedEdges().map(function (e) {
      var other = e.source().id() === node.id() ? e.target() : e.source();
      return other.data("label") + " — " + e.data("relation") + (e.data("evidence") ? " (" + e.data("evidence") + ")" : "") +
        (e.data("at") ? ", " + e.data("at") : "");
    });
    return lines;
  }

  function show(box, node) {
    box.textContent = "";
    var title = document.createElement("p");
    var link = document.createElement("a");
    link.href = node.data("href");
    link.textContent = node.data("label");
    title.appendChild(link);
    box.appendChild(title);
    var list = document.createElement("ul");
    evidenceOf(node).forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function draw(el) {
    if (typeof cytoscape !== "function") { return; }
    var elements = elementsOf(el);
    if (!elements.length) { return; }
    el.hidden = false;
    var tools = document.querySelector(".graph-tools");
    var status = document.querySelector(".graph-status");
    var box = document.getElementById("graph-evidence");
    if (tools) { tools.hidden = false; }
    var cy = cytoscape({
      container: el,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
          "background-color": function (n) { return COLOURS[n.data("kind")] || "#333"; },
          "width": function (n) { return Math.min(14 + 3 * Math.sqrt(n.degree()), 46); },
          "height": function (n) { return Math.min(14 + 3 * Math.sqrt(n.degree()), 46); } } },
        { selector: "node[kind = 'signal'], node[kind = 'ad_network']", style: { "shape": "round-rectangle" } },
        { selector: "node[?hub]", style: { "border-width": 4, "border-color": "#f59e0b" } },
        { selector: "node[?start]", style: { "border-width": 4, "border-color": "#111" } },
        { selector: "node[?path], edge[?path]", style: { "line-color": "#dc2626", "border-color": "#dc2626",
          "border-width": 3, "width": 3 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#2563eb" } },
        { selector: "node:locked", style: { "border-style": "double" } },
        { selector: "edge", style: { "width": 1, "line-color": "#9ca3af", "curve-style": "haystack" } }
      ],
      layout: { name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 60 }
    });
    var hidden = null;
    cy.on("tap", "node", function (evt) { show(box, evt.target); });
    cy.on("dbltap", "node", function (evt) {
      var node = evt.target;
      var url = el.getAttribute("data-expand").replace("/0/", "/" + node.id().slice(1) + "/");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          var fresh = data.elements.filter(function (x) { return cy.getElementById(x.data.id).empty(); });
          cy.add(fresh);
          cy.layout({ name: "cose", animate: false, fit: false, nodeRepulsion: 9000 }).run();
          if (status) {
            status.textContent = data.capped ? node.data("label") + ": " + data.shown + " / " + data.total : "";
          }
        })
        .catch(function () { if (status) { status.textContent = "—"; } });
    });
    if (tools) {
      tools.addEventListener("click", function (evt) {
        var action = evt.target.getAttribute("data-graph");
        var selected = cy.$("node:selected");
        if (action === "pin") {
          selected.forEach(function (n) { if (n.locked()) { n.unlock(); } else { n.lock(); } });
        } else if (action === "hide") {
          hidden = hidden ? hidden.union(selected.remove()) : selected.remove();
        } else if (action === "show" && hidden) {
          hidden.restore();
          hidden = null;
        }
      });
    }
  }

  function start() {
    var el = document.getElementById("graph");
    if (el) { draw(el); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
