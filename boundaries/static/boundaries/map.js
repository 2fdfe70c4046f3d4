/* Parcel maps on Leaflet (vendored in static/vendor/leaflet): the browsing map (viewport
 * queries, server-side grid clusters at low zoom, colour by status or category, reference
 * layers) and small fixed maps (a parcel and its neighbours, an import preview).
 * Works offline: district outlines are the base layer; raster tiles only when configured.
 * Texts come translated from the page (data-i18n-* attributes on the map element). */
(function () {
  "use strict";

  function readConfig(el) {
    var node = document.getElementById(el.dataset.config);
    return JSON.parse(node.textContent);
  }

  function text(el, key, fallback) {
    return el.dataset["i18n" + key] || fallback;
  }

  function baseMap(el, config) {
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, attributionControl: true });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, {
        attribution: config.tileAttribution || "",
        subdomains: "01234567",
        maxZoom: 18,
      }).addTo(map);
    }
    return map;
  }

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function browse(el) {
    var config = readConfig(el);
    var map = baseMap(el, config);
    var status = document.getElementById(el.dataset.status);
    var legendBox = document.getElementById(el.dataset.legend);
    var colourBy = "status";
    var filters = el.dataset.query || "";
    var parcels = L.featureGroup().addTo(map);
    var lastData = null;
    var pending = null;
    var firstPaint = true;

    if (config.extent) {
      var e = config.extent;
      map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
    } else {
      map.setView([39.9, 116.4], 9);
    }

    // Reference layers: district outlines (base), rings, key function areas, rail stations.
    fetch(config.layersUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (layers) {
        var outlines = L.geoJSON(layers.district, {
          interactive: false,
          style: function (f) {
            return {
              color: f.properties.own ? "#0b3d91" : "#7a8294",
              weight: f.properties.own ? 2.5 : 1,
              fillColor: "#f4f6fa",
              fillOpacity: config.tileUrl ? 0 : 0.6,
            };
          },
        }).addTo(map);
        outlines.bringToBack();
        var rings = L.geoJSON(layers.district, {
          interactive: false,
          style: function (f) {
            return { stroke: false, fillColor: f.properties.ring_colour || "#eee", fillOpacity: 0.55 };
          },
        });
        var areas = L.geoJSON(layers.key_function_area, {
          style: { color: "#e8590c", weight: 1.5, dashArray: "4 3", fillOpacity: 0.08 },
          onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); },
        });
        var stations = L.geoJSON(layers.rail_station, {
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 4, color: "#212529", weight: 1, fillColor: "#fff", fillOpacity: 1 });
          },
          onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name)); },
        });
        var overlays = {};
        overlays[text(el, "Rings", "圈层")] = rings;
        overlays[text(el, "Areas", "重点功能区")] = areas.addTo(map);
        overlays[text(el, "Stations", "轨道站点")] = stations;
        overlays[text(el, "Parcels", "地块")] = parcels;
        var base = {};
        base[text(el, "Outlines", "区界")] = outlines;
        L.control.layers(base, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
        if (layers.sources && layers.sources.length) {
          map.attributionControl.addAttribution(layers.sources.map(escapeHtml).join("; "));
        }
      });

    function colour(props) {
      return colourBy === "status" ? props.status_colour : props.category_colour;
    }

    function drawLegend() {
      if (!legendBox) return;
      legendBox.innerHTML = config.legends[colourBy]
        .map(function (item) {
          return '<span class="legend-item"><i style="background:' + item.colour + '"></i>' + escapeHtml(item.label) + "</span>";
        })
        .join("");
    }

    function popup(props) {
      var html = "<strong>" + escapeHtml(props.code) + "</strong> " + escapeHtml(props.name) +
        "<br>" + escapeHtml(props.district) + " · " + escapeHtml(props.category) +
        "<br>" + escapeHtml(props.area_ha) + " " + text(el, "Hectare", "公顷") + " · " + escapeHtml(props.status_label);
      if (props.disagree && props.disagree.length) {
        html += '<br><span class="bad">' + text(el, "Disagree", "图形判定与填报不一致") + "：" +
          props.disagree.map(escapeHtml).join("、") + "</span>";
      }
      if (props.url) {
        html += '<br><a class="open-parcel" href="' + escapeHtml(props.url) + '">' + text(el, "Open", "打开地块") + " »</a>";
      }
      return html;
    }

    function render(data) {
      lastData = data;
      parcels.clearLayers();
      if (data.mode === "clusters") {
        data.clusters.forEach(function (c) {
          var size = 26 + Math.min(30, Math.round(Math.log(c.count + 1) * 5));
          var marker = L.marker([c.lat, c.lon], {
            icon: L.divIcon({
              className: "parcel-cluster",
              html: "<span>" + c.count + "</span>",
              iconSize: [size, size],
            }),
            title: c.count + " · " + c.area_ha + " " + text(el, "Hectare", "公顷"),
          });
          marker.on("click", function () { map.setView([c.lat, c.lon], Math.max(map.getZoom() + 2, 11)); });
          parcels.addLayer(marker);
        });
      } else {
        var layer = L.geoJSON(
          { type: "FeatureCollection", features: data.features },
          {
            style: function (f) {
              var disagree = f.properties.disagree && f.properties.disagree.length;
              return {
                color: disagree ? "#c92a2a" : colour(f.properties),
                weight: disagree ? 2.5 : 1.5,
                dashArray: disagree ? "5 3" : null,
                fillColor: colour(f.properties),
                fillOpacity: 0.55,
              };
            },
            onEachFeature: function (f, l) {
              l.bindPopup(popup(f.properties));
              l.bindTooltip(escapeHtml(f.properties.code));
            },
          }
        );
        parcels.addLayer(layer);
      }
      if (status) {
        status.textContent = text(el, "Count", "视野内地块") + "：" + data.total +
          (data.mode === "clusters" ? "（" + text(el, "Clustered", "已聚合，放大查看单个地块") + "）" : "");
      }
      if (firstPaint) {
        firstPaint = false;
        window.mapFirstPaintMs = performance.now();
        el.dataset.ready = "1";
      }
      el.dataset.mode = data.mode;
      el.dataset.count = String(data.total);
    }

    function refresh() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      if (pending) pending.abort();
      pending = new AbortController();
      var url = config.dataUrl + "?" + (filters ? filters + "&" : "") + "bbox=" + bbox + "&zoom=" + Math.floor(map.getZoom());
      el.dataset.loading = "1";
      fetch(url, { credentials: "same-origin", signal: pending.signal })
        .then(function (r) { return r.json(); })
        .then(function (data) { el.dataset.loading = ""; render(data); })
        .catch(function (err) { if (err.name !== "AbortError") { el.dataset.loading = ""; if (status) status.textContent = String(err); } });
    }

    map.on("moveend", refresh);
    refresh();
    drawLegend();

    var switcher = document.getElementById(el.dataset.colourSwitch);
    if (switcher) {
      switcher.addEventListener("change", function () {
        colourBy = switcher.value;
        drawLegend();
        if (lastData) render(lastData);
      });
    }
    el._map = map;
  }

  function fixed(el) {
    var config = readConfig(el);
    var map = baseMap(el, config);
    var layer = L.geoJSON(config.features, {
      style: function (f) {
        if (f.properties.role === "neighbour") {
          return { color: "#7a8294", weight: 1, fillColor: "#adb5bd", fillOpacity: 0.35 };
        }
        var bad = f.properties.overlaps && f.properties.overlaps.length;
        return { color: bad ? "#c92a2a" : "#0b3d91", weight: 2, fillColor: bad ? "#ffa8a8" : "#4dabf7", fillOpacity: 0.5 };
      },
      onEachFeature: function (f, l) {
        if (f.properties.code) l.bindTooltip(escapeHtml(f.properties.code), { permanent: f.properties.role !== "neighbour" });
        if (f.properties.url) l.on("click", function () { window.location.href = f.properties.url; });
      },
    }).addTo(map);
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
    } else {
      map.setView([39.9, 116.4], 9);
    }
    el.dataset.ready = "1";
    el._map = map;
  }

  document.querySelectorAll("[data-parcel-map]").forEach(function (el) {
    if (el.dataset.parcelMap === "browse") browse(el);
    else fixed(el);
  });
})();
