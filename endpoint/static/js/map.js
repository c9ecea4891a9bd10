// Draws the maps of the directory: every element with [data-map] holds its points as JSON
// ([{lat, lon, name, href}]) in a <script type="application/json"> child. Tiles come from the
// server configured by the commons (tile_url); without tiles the markers still show. Nearby
// markers gather into clusters (Leaflet.markercluster, vendored) so that a map of thousands of
// co-ops stays smooth; a cluster shows how many co-ops it holds and zooms in when clicked.
(function () {
  "use strict";
  function draw(el) {
    var source = el.querySelector('script[type="application/json"]');
    var points = source ? JSON.parse(source.textContent) : [];
    var map = L.map(el, { scrollWheelZoom: false, maxZoom: 18 });  // clustering needs a maxZoom, also without tiles
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var bounds = [];
    var group = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
    var markers = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 7, weight: 2, color: "#ffffff", fillColor: "#1f6f5c", fillOpacity: 0.9,
      });
      markers.push(marker);
      if (p.name) {
        var popup = document.createElement("div");
        var label = document.createElement(p.href ? "a" : "strong");
        label.textContent = p.name;
        if (p.href) { label.href = p.href; }
        popup.appendChild(label);
        marker.bindPopup(popup);
        marker.bindTooltip(p.name);
      }
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 13); }
    else if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
    else { map.setView([45, -95], 3); }
    // The cluster group needs the map's view; data-markers says the map is drawn.
    group.addTo(map);
    if (group.addLayers) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
    el.dataset.markers = String(points.length);
  }
  function start() { document.querySelectorAll("[data-map]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
