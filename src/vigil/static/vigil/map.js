/* Maps on the ads pages, drawn with Leaflet (static vendor/leaflet/leaflet.js, loaded before this file).

   Progressive enhancement: the page already shows the cities as a table (and the phone page an SVG sketch);
   without JavaScript or without Leaflet nothing changes. An element [data-map] (hidden until drawn) names a
   <script type="application/json"> element by id, or holds the JSON itself:

     {"points": [{"name": "Utrecht", "lat": 52.09, "lon": 5.12, "label": "2. Utrecht, …", "count": 3}],
      "route": true, "tiles": "https://…/{z}/{x}/{y}.png" or null, "attribution": "…"}

   Points are circle markers with the label as tooltip (set as text, never as HTML: city names come from ads),
   "count" (optional) makes a marker larger, "route" joins the points in their order with a line. Without tiles
   (offline, VIGIL_MAP_TILES empty) the points and route are drawn on a blank background. An element named by
   data-map-replaces (an id; the SVG sketch) is hidden once the map is drawn.

   No inline scripts or style attributes: the CSP forbids them (styles set from a script are allowed). */
(function () {
  "use strict";

  function dataOf(el) {
    var ref = el.getAttribute("data-map") || "";
    var source = ref.charAt(0) === "{" ? null : document.getElementById(ref);
    try {
      return JSON.parse(source ? source.textContent : ref);
    } catch (e) {
      return null;
    }
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function draw(el) {
    if (el.getAttribute("data-map-drawn")) { return; }
    var data = dataOf(el);
    var points = data && Array.isArray(data.points) ? data.points.filter(function (p) {
      return typeof p.lat === "number" && typeof p.lon === "number";
    }) : [];
    if (!points.length) { return; }
    el.setAttribute("data-map-drawn", "1");
    el.hidden = false;
    if (!el.style.height) { el.style.height = el.getAttribute("data-map-height") || "28rem"; }

    var map = L.map(el, { scrollWheelZoom: false });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
    }
    var latlngs = points.map(function (p) { return [p.lat, p.lon]; });
    if (data.route && latlngs.length > 1) {
      L.polyline(latlngs, { color: "#154273", weight: 2, dashArray: "6 4", interactive: false }).addTo(map);
    }
    points.forEach(function (p) {
      var radius = p.count > 1 ? Math.min(6 + 2 * Math.sqrt(p.count), 22) : 6;
      L.circleMarker([p.lat, p.lon], {
        radius: radius, color: "#ffffff", weight: 1.5, fillColor: "#a4262c", fillOpacity: 0.85
      }).bindTooltip(text(p.label || p.name || "")).addTo(map);
    });
    map.fitBounds(L.latLngBounds(latlngs), { padding: [24, 24], maxZoom: 12 });

    var replaced = el.getAttribute("data-map-replaces");
    var sketch = replaced && document.getElementById(replaced);
    if (sketch) { sketch.hidden = true; }
  }

  function drawIn(root) {
    if (typeof window.L === "undefined" || !root || !root.querySelectorAll) { return; }
    Array.prototype.forEach.call(root.querySelectorAll("[data-map]"), draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawIn(document); });
  document.addEventListener("htmx:load", function (event) { drawIn(event.target); });
})();
